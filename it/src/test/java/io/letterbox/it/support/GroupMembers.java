package io.letterbox.it.support;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import io.letterbox.it.support.GroupMemberProcess.Processed;

/** What a set of {@link GroupMemberProcess}es reported, taken together. */
public final class GroupMembers {

    private GroupMembers() {
    }

    /** Whether the members own partitions 0..partitions-1 between them, each exactly once. */
    public static boolean ownDisjointAll(List<GroupMemberProcess> members, int partitions) {
        Set<Integer> seen = new HashSet<>();
        for (GroupMemberProcess m : members) {
            for (int p : m.assignment()) {
                if (!seen.add(p)) {
                    return false;
                }
            }
        }
        return seen.size() == partitions;
    }

    /** Whether some member processed a record of {@code partition} after {@code afterNanos}. */
    public static boolean consumedAfter(List<GroupMemberProcess> members, int partition, long afterNanos) {
        return members.stream().flatMap(m -> m.processed().stream())
                .anyMatch(r -> r.partition() == partition && r.atNanos() > afterNanos);
    }

    /** When the last of {@code partitions} had its first record processed after {@code afterNanos}. */
    public static long latestFirstRecord(List<GroupMemberProcess> members, Set<Integer> partitions, long afterNanos) {
        long latest = afterNanos;
        for (int p : partitions) {
            long first = Long.MAX_VALUE;
            for (GroupMemberProcess m : members) {
                for (Processed r : m.processed()) {
                    if (r.partition() == p && r.atNanos() > afterNanos) {
                        first = Math.min(first, r.atNanos());
                        break;
                    }
                }
            }
            latest = Math.max(latest, first);
        }
        return latest;
    }

    /** Whether every offset below {@code perPartition} of every partition was processed by some member. */
    public static boolean processedEverything(List<GroupMemberProcess> members, int partitions, int perPartition) {
        List<Set<Long>> offsets = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            offsets.add(new TreeSet<>());
        }
        for (GroupMemberProcess m : members) {
            for (Processed r : m.processed()) {
                offsets.get(r.partition()).add(r.offset());
            }
        }
        return offsets.stream().allMatch(s -> s.size() == perPartition);
    }
}
