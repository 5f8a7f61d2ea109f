package io.letterbox.metadata.controller;

import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.image.PartitionImage;
import io.letterbox.metadata.image.TopicImage;
import io.letterbox.metadata.record.PartitionChangeRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

/**
 * Elections asked for rather than forced by a failure, Kafka's way: a preferred election (ElectLeaders
 * PREFERRED, and the automatic leader rebalance) moves leadership to a partition's first replica when it
 * is live and in the ISR; an unclean election (ElectLeaders UNCLEAN) gives a leaderless partition a leader,
 * from outside the ISR when no ISR member is live, whatever the topic's unclean setting.
 *
 * <p>Every change is conditional on the partition epoch it was decided from. Stateless.
 */
final class LeaderElections {
    private LeaderElections() {
    }

    /**
     * One partition's election; adds its change to {@code changes} and answers NONE, or answers why there
     * is none (ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE, ELIGIBLE_LEADERS_NOT_AVAILABLE).
     */
    static ApiError elect(ElectionType type, TopicImage topic, int index, PartitionImage p, IntPredicate live,
                          List<PartitionChangeRecord> changes) {
        if (type == ElectionType.PREFERRED ? p.leader() == preferred(p) : p.leader() >= 0) {
            return new ApiError(Errors.ELECTION_NOT_NEEDED);
        }
        PartitionChangeRecord change = type == ElectionType.PREFERRED
                ? preferredChange(topic, index, p, live) : uncleanChange(topic, index, p, live);
        if (change == null) {
            return new ApiError(type == ElectionType.PREFERRED
                    ? Errors.PREFERRED_LEADER_NOT_AVAILABLE : Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE);
        }
        changes.add(change);
        return ApiError.NONE;
    }

    /**
     * The preferred elections of the automatic rebalance (Kafka's {@code leader.imbalance.per.broker.percentage}):
     * for each broker whose share of preferred partitions led by another exceeds {@code perBrokerPercentage},
     * every such partition whose preferred replica can lead.
     */
    static List<PartitionChangeRecord> rebalance(MetadataImage image, IntPredicate live, int perBrokerPercentage) {
        Map<Integer, Integer> preferredCount = new HashMap<>();
        Map<Integer, List<PartitionChangeRecord>> movesTo = new HashMap<>();
        Map<Integer, Integer> notLedCount = new HashMap<>();
        for (TopicImage topic : image.topics().byName().values()) {
            for (var e : topic.partitions().entrySet()) {
                PartitionImage p = e.getValue();
                int preferred = preferred(p);
                if (preferred < 0) {
                    continue;
                }
                preferredCount.merge(preferred, 1, Integer::sum);
                if (p.leader() == preferred) {
                    continue;
                }
                notLedCount.merge(preferred, 1, Integer::sum);
                if (live.test(preferred) && PartitionLeadership.contains(p.isr(), preferred)) {
                    movesTo.computeIfAbsent(preferred, b -> new ArrayList<>())
                            .add(leaderChange(topic, e.getKey(), p, preferred));
                }
            }
        }
        List<PartitionChangeRecord> changes = new ArrayList<>();
        movesTo.forEach((broker, moves) -> {
            // Kafka compares the ratio strictly: at exactly the percentage, nothing moves.
            if (notLedCount.get(broker) * 100L > (long) perBrokerPercentage * preferredCount.get(broker)) {
                changes.addAll(moves);
            }
        });
        return changes;
    }

    private static int preferred(PartitionImage p) {
        return p.replicas().length == 0 ? PartitionChangeRecord.NO_LEADER : p.replicas()[0];
    }

    /** The preferred replica if it can lead; else, only when the leader itself cannot, another ISR member. */
    private static PartitionChangeRecord preferredChange(TopicImage topic, int index, PartitionImage p,
                                                         IntPredicate live) {
        IntPredicate canLead = b -> live.test(b) && PartitionLeadership.contains(p.isr(), b);
        if (canLead.test(preferred(p))) {
            return leaderChange(topic, index, p, preferred(p));
        }
        if (p.leader() >= 0 && canLead.test(p.leader())) {
            return null;
        }
        for (int b : p.replicas()) {
            if (canLead.test(b)) {
                return leaderChange(topic, index, p, b);
            }
        }
        return null;
    }

    /** A live ISR member if there is one, else the first live replica, which becomes the whole ISR. */
    private static PartitionChangeRecord uncleanChange(TopicImage topic, int index, PartitionImage p,
                                                       IntPredicate live) {
        for (int b : p.replicas()) {
            if (live.test(b) && PartitionLeadership.contains(p.isr(), b)) {
                return leaderChange(topic, index, p, b);
            }
        }
        for (int b : p.replicas()) {
            if (live.test(b)) {
                return new PartitionChangeRecord(topic.id(), index, null, List.of(b), b, p.partitionEpoch());
            }
        }
        return null;
    }

    private static PartitionChangeRecord leaderChange(TopicImage topic, int index, PartitionImage p, int leader) {
        return new PartitionChangeRecord(topic.id(), index, null, null, leader, p.partitionEpoch());
    }
}
