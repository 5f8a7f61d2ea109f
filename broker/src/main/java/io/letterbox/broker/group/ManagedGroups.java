package io.letterbox.broker.group;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;

/**
 * The groups one coordinator manages, as the admin APIs and offset expiry see them: the seam
 * between the offsets side ({@link GroupRegistry}) and the coordinator of each group type. The
 * classic and the KIP-848 consumer group coordinators implement it and sit in the registry's
 * list, so that DeleteGroups, OffsetDelete, ListGroups, DescribeGroups and expiry treat the
 * groups of both alike.
 *
 * <p>A group id belongs to at most one coordinator. Implementations are thread-safe and answer
 * from memory without blocking.
 */
public interface ManagedGroups {

    /** The group type ListGroups v5 reports for these groups ({@code classic}, {@code consumer}). */
    String groupType();

    /** Whether it manages {@code groupId} now. */
    boolean manages(String groupId);

    /** The ids of every group it manages now. */
    Collection<String> groupIds();

    /** ListGroups: its groups whose state, in lower case, is in {@code states} (empty: any). */
    List<ListedGroup> list(Set<String> states);

    /**
     * DescribeGroups (the classic API): the group, or null when it does not manage it. A group this
     * API does not describe (a consumer group) is Dead with no error code and a message saying why.
     */
    DescribedGroup describe(String groupId);

    /** What the group's state says about its offsets now, or null when it does not manage it. */
    OffsetRules offsetRules(String groupId);

    /**
     * Removes {@code groupId} if it has no members. {@code writeTombstones} runs first, while no
     * member can join, and appends the tombstones of the group's records; if it throws, the group
     * stays as it was and the exception propagates.
     *
     * @return what {@code writeTombstones} returned
     * @throws org.apache.kafka.common.errors.GroupNotEmptyException when the group has members
     * @throws org.apache.kafka.common.errors.GroupIdNotFoundException when it does not manage the group
     */
    <T> T deleteIfEmpty(String groupId, Supplier<T> writeTombstones);
}
