package io.letterbox.broker.handler;

import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.UnknownLeaderEpochException;

/** The client's view of a partition's leader epoch, checked against ours (KIP-320). */
final class LeaderEpochs {

    private LeaderEpochs() {
    }

    /** A request without an epoch (-1) is not checked. */
    static void check(int requested, int current) {
        if (requested < 0 || requested == current) {
            return;
        }
        if (requested < current) {
            throw new FencedLeaderEpochException("leader epoch " + requested + " is older than " + current);
        }
        throw new UnknownLeaderEpochException("leader epoch " + requested + " is newer than " + current);
    }
}
