package io.letterbox.broker.group.consumer;

import org.apache.kafka.common.Uuid;

/**
 * Where one member stands on its way to the group's target assignment (KIP-848's incremental
 * reconciliation), and the step that moves it on. Immutable.
 *
 * <p>A member at the target epoch with all of its target is {@link State#STABLE}. When the target
 * moves, the member first gives up what it must lose: it stays at its epoch with the partitions
 * it keeps, the others pending revocation ({@link State#UNREVOKED_PARTITIONS}), until a heartbeat
 * reports it no longer owns any of them. Only then does it reach the target epoch and get new
 * partitions, and only those no other member still owns; the rest it waits for
 * ({@link State#UNRELEASED_PARTITIONS}), retried at each heartbeat. So no partition is ever
 * assigned to two members at once.
 *
 * @param epoch              the member epoch
 * @param previousEpoch      the epoch before the last change, accepted from a member that missed
 *                           the answer that moved it on
 * @param assigned           what the member may consume now
 * @param pendingRevocation  what it must give up before moving on; still owned by it until then
 */
public record MemberAssignment(int epoch, int previousEpoch, State state, Assignment assigned,
        Assignment pendingRevocation) {

    /** Kafka's member states. */
    public enum State {
        STABLE, UNREVOKED_PARTITIONS, UNRELEASED_PARTITIONS
    }

    /** Who owns a partition now (assigned or pending revocation): a member id, or null. */
    @FunctionalInterface
    public interface Owners {
        String ownerOf(Uuid topicId, int partition);
    }

    /** A member that just joined: epoch 0, nothing assigned. */
    public static final MemberAssignment NEW = new MemberAssignment(0, -1, State.STABLE, Assignment.EMPTY,
            Assignment.EMPTY);

    /** Everything this member owns: assigned and pending revocation. */
    public Assignment owned() {
        return assigned.plus(pendingRevocation);
    }

    /**
     * The member's next state after a heartbeat.
     *
     * @param memberId    the member's id, to recognise its own partitions in {@code owners}
     * @param targetEpoch the epoch of the group's target assignment
     * @param target      this member's part of it
     * @param reported    what the heartbeat says the member owns, null when it did not say
     * @param owners      the current owners of partitions, this member included
     */
    public MemberAssignment reconcile(String memberId, int targetEpoch, Assignment target, Assignment reported,
            Owners owners) {
        return switch (state) {
            case STABLE -> epoch == targetEpoch ? this : moveTowards(memberId, targetEpoch, target, owners);
            case UNREVOKED_PARTITIONS -> reported == null || reported.overlaps(pendingRevocation)
                    ? this : moveTowards(memberId, targetEpoch, target, owners);
            case UNRELEASED_PARTITIONS -> moveTowards(memberId, targetEpoch, target, owners);
        };
    }

    private MemberAssignment moveTowards(String memberId, int targetEpoch, Assignment target, Owners owners) {
        Assignment revoke = assigned.minus(target);
        if (!revoke.isEmpty()) {
            return new MemberAssignment(epoch, previousEpoch, State.UNREVOKED_PARTITIONS, assigned.intersect(target),
                    revoke);
        }
        Assignment wanted = target.minus(assigned);
        Assignment free = wanted.filter((topicId, p) -> {
            String owner = owners.ownerOf(topicId, p);
            return owner == null || owner.equals(memberId);
        });
        State next = free.size() == wanted.size() ? State.STABLE : State.UNRELEASED_PARTITIONS;
        int previous = targetEpoch == epoch ? previousEpoch : epoch;
        return new MemberAssignment(targetEpoch, previous, next, assigned.plus(free), Assignment.EMPTY);
    }
}
