package io.letterbox.metadata.controller;

import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.image.PartitionImage;
import io.letterbox.metadata.image.TopicImage;
import io.letterbox.metadata.record.PartitionChangeRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

/**
 * Decides leaders and ISRs from broker liveness, Kafka's way: an unavailable broker leaves every ISR
 * unless it is the last member (the last members hold every acknowledged record, so they stay to be
 * elected when they return); a partition whose leader is unavailable gets the first available ISR
 * member in replica order; with none it has no leader (-1), unless unclean election is enabled for its
 * topic, which then takes the first available replica and makes it the whole ISR.
 *
 * <p>Every change is conditional on the partition epoch it was decided from
 * ({@link PartitionChangeRecord#expectedPartitionEpoch()}). Stateless.
 */
final class PartitionLeadership {
    private PartitionLeadership() {
    }

    /**
     * The changes that bring every partition of {@code image} in line with {@code available}.
     *
     * @param keepWhenLeaderless leave a partition alone when the change would leave it without a
     *                           leader (a restarted broker stays leader where no one can take over)
     */
    static List<PartitionChangeRecord> changes(MetadataImage image, IntPredicate available,
                                               Predicate<TopicImage> uncleanAllowed, boolean keepWhenLeaderless) {
        List<PartitionChangeRecord> changes = new ArrayList<>();
        for (TopicImage topic : image.topics().byName().values()) {
            for (var e : topic.partitions().entrySet()) {
                PartitionChangeRecord change = change(topic, e.getKey(), e.getValue(), available, uncleanAllowed,
                        keepWhenLeaderless);
                if (change != null) {
                    changes.add(change);
                }
            }
        }
        return changes;
    }

    private static PartitionChangeRecord change(TopicImage topic, int index, PartitionImage p, IntPredicate available,
                                                Predicate<TopicImage> uncleanAllowed, boolean keepWhenLeaderless) {
        List<Integer> isr = new ArrayList<>(p.isr().length);
        for (int b : p.isr()) {
            if (available.test(b)) {
                isr.add(b);
            }
        }
        if (isr.isEmpty()) {
            isr = toList(p.isr());
        }
        int leader;
        if (p.leader() >= 0 && available.test(p.leader()) && isr.contains(p.leader())) {
            leader = p.leader();
        } else {
            leader = firstReplica(p, b -> available.test(b) && contains(p.isr(), b));
            if (leader < 0 && uncleanAllowed.test(topic)) {
                leader = firstReplica(p, available);
                if (leader >= 0) {
                    isr = List.of(leader);
                }
            }
        }
        if (leader < 0 && keepWhenLeaderless) {
            return null;
        }
        boolean isrChanged = !isr.equals(toList(p.isr()));
        if (!isrChanged && leader == p.leader()) {
            return null;
        }
        return new PartitionChangeRecord(topic.id(), index, null, isrChanged ? isr : null,
                leader == p.leader() ? PartitionChangeRecord.NO_LEADER_CHANGE : leader, p.partitionEpoch());
    }

    private static int firstReplica(PartitionImage p, IntPredicate eligible) {
        for (int b : p.replicas()) {
            if (eligible.test(b)) {
                return b;
            }
        }
        return PartitionChangeRecord.NO_LEADER;
    }

    static boolean contains(int[] brokers, int id) {
        for (int b : brokers) {
            if (b == id) {
                return true;
            }
        }
        return false;
    }

    static List<Integer> toList(int[] brokers) {
        List<Integer> list = new ArrayList<>(brokers.length);
        for (int b : brokers) {
            list.add(b);
        }
        return list;
    }
}
