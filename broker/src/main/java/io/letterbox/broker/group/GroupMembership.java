package io.letterbox.broker.group;

/**
 * The membership checks offset commits and fetches ask of the group coordinator.
 * {@link SimpleGroupMembership} judges groups without members (as {@code assign()} users make);
 * the classic coordinator ({@link ClassicGroupCoordinator#membership}) and the KIP-848 one wrap it
 * for the groups they manage.
 *
 * <p>Each method returns normally when the request may proceed, or throws the kafka-clients
 * {@link org.apache.kafka.common.errors.ApiException} the client should see for the whole group
 * (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, FENCED_INSTANCE_ID, REBALANCE_IN_PROGRESS,
 * GROUP_ID_NOT_FOUND, STALE_MEMBER_EPOCH, ...). Called on network threads; must not block and must
 * be thread-safe.
 */
public interface GroupMembership {

    /**
     * May this OffsetCommit be accepted?
     *
     * @param groupExists      whether the offsets store knows the group (a durable commit created it
     *                         and no deletion removed it since)
     * @param generationIdOrMemberEpoch -1 for a commit from outside group management
     * @param memberId         "" for a commit from outside group management
     * @param groupInstanceId  null unless static membership (v7+)
     */
    void validateOffsetCommit(String groupId, boolean groupExists, int generationIdOrMemberEpoch, String memberId,
            String groupInstanceId, short apiVersion);

    /**
     * May this OffsetFetch be answered? {@code memberId} is null and {@code memberEpoch} -1 unless
     * a KIP-848 consumer sends them (v9+).
     */
    void validateOffsetFetch(String groupId, boolean groupExists, String memberId, int memberEpoch, short apiVersion);
}
