package io.letterbox.metadata.controller;

import io.letterbox.metadata.image.PartitionImage;
import io.letterbox.metadata.record.PartitionChangeRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import org.apache.kafka.common.Uuid;

/**
 * Partition reassignment, Kafka's model (KIP-455). Starting one makes the replicas the target followed by
 * the members being removed, so the new ones (adding) follow the leader and join the ISR as they catch up;
 * once every target replica is in the ISR the reassignment completes: the replicas become the target, the
 * removed members leave the ISR, and leadership moves if the leader was removed. Cancelling drops the
 * members being added and goes back to the original replicas.
 *
 * <p>Every change is conditional on the partition epoch it was decided from. Stateless.
 */
final class Reassignments {
    private Reassignments() {
    }

    /** The change that starts (or retargets) a reassignment to {@code target}; null when nothing changes. */
    static PartitionChangeRecord start(Uuid topicId, int index, PartitionImage p, List<Integer> target,
                                       IntPredicate live) {
        List<Integer> current = PartitionLeadership.toList(p.replicas());
        if (!p.reassigning() && current.equals(target)) {
            return null;
        }
        List<Integer> adding = minus(target, current);
        List<Integer> removing = minus(current, target);
        List<Integer> replicas = new ArrayList<>(target);
        replicas.addAll(removing);
        return change(topicId, index, p, replicas, PartitionLeadership.toList(p.isr()), adding, removing, live);
    }

    /** The change that cancels the reassignment in progress, back to the original replicas. */
    static PartitionChangeRecord cancel(Uuid topicId, int index, PartitionImage p, IntPredicate live) {
        List<Integer> original = minus(PartitionLeadership.toList(p.replicas()), PartitionLeadership.toList(p.addingReplicas()));
        List<Integer> isr = retain(PartitionLeadership.toList(p.isr()), original);
        if (isr.isEmpty()) {
            // Only new members were in sync: the original replicas are all there is to go back to (Kafka does so too).
            isr = original;
        }
        return change(topicId, index, p, original, isr, List.of(), List.of(), live);
    }

    /**
     * The change a leader's ISR request makes: the new ISR, and the completion of the reassignment in
     * progress when that ISR holds every target replica.
     */
    static PartitionChangeRecord isrChange(Uuid topicId, int index, PartitionImage p, List<Integer> isr,
                                           IntPredicate live) {
        if (!p.reassigning()) {
            return new PartitionChangeRecord(topicId, index, null, isr, PartitionChangeRecord.NO_LEADER_CHANGE,
                    p.partitionEpoch());
        }
        return change(topicId, index, p, PartitionLeadership.toList(p.replicas()), isr, PartitionLeadership.toList(p.addingReplicas()),
                PartitionLeadership.toList(p.removingReplicas()), live);
    }

    /** Completes the reassignment when every target replica is in {@code isr}, and keeps a valid leader. */
    private static PartitionChangeRecord change(Uuid topicId, int index, PartitionImage p, List<Integer> replicas,
                                                List<Integer> isr, List<Integer> adding, List<Integer> removing,
                                                IntPredicate live) {
        List<Integer> target = minus(replicas, removing);
        if ((!adding.isEmpty() || !removing.isEmpty()) && isr.containsAll(target)) {
            replicas = target;
            isr = retain(isr, target);
            adding = List.of();
            removing = List.of();
        }
        int leader = PartitionChangeRecord.NO_LEADER_CHANGE;
        if (!(isr.contains(p.leader()) && replicas.contains(p.leader()))) {
            leader = PartitionChangeRecord.NO_LEADER;
            for (int b : replicas) {
                if (isr.contains(b) && live.test(b)) {
                    leader = b;
                    break;
                }
            }
        }
        return new PartitionChangeRecord(topicId, index, replicas, isr, leader, p.partitionEpoch(), adding, removing);
    }

    private static List<Integer> minus(List<Integer> from, List<Integer> without) {
        List<Integer> out = new ArrayList<>(from);
        out.removeAll(without);
        return out;
    }

    private static List<Integer> retain(List<Integer> from, List<Integer> only) {
        List<Integer> out = new ArrayList<>(from);
        out.retainAll(only);
        return out;
    }
}
