package io.letterbox.broker.group;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;

/**
 * Every group this broker coordinates, whatever its type: those a coordinator manages
 * ({@link ManagedGroups}: the consumer and classic coordinators) and
 * simple groups, which only the offsets store knows (offsets committed outside group management).
 * Kafka reports a simple group as a classic group in state Empty with no protocol type, and so
 * does this registry.
 *
 * <p>It answers what spans group types: ListGroups, DescribeGroups, DeleteGroups, the offset rules
 * of OffsetDelete and expiry. Thread-safe; it holds no state of its own.
 */
public final class GroupRegistry {

    private static final String EMPTY = "Empty";

    private final GroupMetadataManager offsets;
    private final List<ManagedGroups> coordinators;

    public GroupRegistry(GroupMetadataManager offsets, List<ManagedGroups> coordinators) {
        this.offsets = offsets;
        this.coordinators = List.copyOf(coordinators);
    }

    /** The coordinator managing {@code groupId}, or null for a simple or unknown group. */
    private ManagedGroups ownerOf(String groupId) {
        for (ManagedGroups c : coordinators) {
            if (c.manages(groupId)) {
                return c;
            }
        }
        return null;
    }

    /** Every group of the partitions loaded here. */
    public Set<String> groupIds() {
        Set<String> out = offsets.groupIds();
        for (ManagedGroups c : coordinators) {
            for (String groupId : c.groupIds()) {
                if (offsets.coordinates(groupId)) {
                    out.add(groupId);
                }
            }
        }
        return out;
    }

    /** ListGroups: the groups whose state and type are in the filters (case-insensitive; empty: any). */
    public List<ListedGroup> list(Collection<String> statesFilter, Collection<String> typesFilter) {
        Set<String> states = lowerCase(statesFilter);
        Set<String> types = lowerCase(typesFilter);
        List<ListedGroup> out = new ArrayList<>();
        Set<String> listed = new HashSet<>();
        for (ManagedGroups c : coordinators) {
            for (ListedGroup g : c.list(states)) {
                // An id belongs to its first coordinator; a lingering empty group of another type is not listed.
                if (ownerOf(g.groupId()) == c && listed.add(g.groupId())
                        && (types.isEmpty() || types.contains(c.groupType()))) {
                    out.add(g);
                }
            }
        }
        if ((types.isEmpty() || types.contains(ClassicGroupCoordinator.GROUP_TYPE))
                && (states.isEmpty() || states.contains(EMPTY.toLowerCase(Locale.ROOT)))) {
            for (String groupId : offsets.groupIds()) {
                if (ownerOf(groupId) == null) {
                    out.add(new ListedGroup().setGroupId(groupId).setProtocolType("").setGroupState(EMPTY)
                            .setGroupType(ClassicGroupCoordinator.GROUP_TYPE));
                }
            }
        }
        return out;
    }

    /**
     * DescribeGroups: the group, or null when there is none.
     *
     * @throws org.apache.kafka.common.errors.NotCoordinatorException or COORDINATOR_LOAD_IN_PROGRESS
     */
    public DescribedGroup describe(String groupId) {
        offsets.checkCoordinator(groupId);
        ManagedGroups owner = ownerOf(groupId);
        if (owner != null) {
            return owner.describe(groupId);
        }
        if (offsets.groupExists(groupId)) {
            return new DescribedGroup().setGroupId(groupId).setGroupState(EMPTY).setProtocolType("")
                    .setProtocolData("");
        }
        return null;
    }

    /**
     * What the group's state says about its offsets now (OffsetDelete, expiry).
     *
     * @throws GroupIdNotFoundException when there is no such group
     */
    public OffsetRules offsetRules(String groupId) {
        offsets.checkCoordinator(groupId);
        ManagedGroups owner = ownerOf(groupId);
        OffsetRules rules = owner == null ? null : owner.offsetRules(groupId);
        if (rules != null) {
            return rules;
        }
        if (offsets.groupExists(groupId)) {
            return OffsetRules.SIMPLE;
        }
        throw new GroupIdNotFoundException("Group " + groupId + " does not exist.");
    }

    /**
     * DeleteGroups: removes an empty group and tombstones its offsets and metadata; the future
     * completes once they are durable.
     *
     * @throws org.apache.kafka.common.errors.GroupNotEmptyException when it has members
     * @throws GroupIdNotFoundException when there is no such group
     */
    public CompletableFuture<Void> delete(String groupId, long nowMs) {
        offsets.checkCoordinator(groupId);
        ManagedGroups owner = ownerOf(groupId);
        if (owner != null) {
            return owner.deleteIfEmpty(groupId, () -> offsets.deleteGroup(groupId, nowMs));
        }
        if (!offsets.groupExists(groupId)) {
            throw new GroupIdNotFoundException("Group " + groupId + " does not exist.");
        }
        return offsets.deleteGroup(groupId, nowMs);
    }

    /**
     * Expiry: removes the group if it has neither members nor offsets left, as Kafka's cleanup does.
     *
     * @throws org.apache.kafka.common.errors.GroupNotEmptyException when it has either
     * @throws GroupIdNotFoundException when it is gone already
     */
    public CompletableFuture<Void> deleteIfUnused(String groupId, long nowMs) {
        ManagedGroups owner = ownerOf(groupId);
        if (owner != null) {
            return owner.deleteIfEmpty(groupId, () -> offsets.deleteGroupWithoutOffsets(groupId, nowMs));
        }
        if (!offsets.groupExists(groupId)) {
            throw new GroupIdNotFoundException("Group " + groupId + " does not exist.");
        }
        return offsets.deleteGroupWithoutOffsets(groupId, nowMs);
    }

    private static Set<String> lowerCase(Collection<String> values) {
        return values == null ? new HashSet<>()
                : values.stream().map(v -> v.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    }
}
