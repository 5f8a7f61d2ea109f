package io.letterbox.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.metadata.image.BrokerRegistration;
import io.letterbox.metadata.image.ClusterImage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class BrokerHeartbeatsTest {
    private final AtomicLong nowMs = new AtomicLong(1_000);
    private final BrokerHeartbeats heartbeats = new BrokerHeartbeats(9_000, nowMs::get);

    private static final Uuid INCARNATION_1 = Uuid.randomUuid();
    private static final Uuid INCARNATION_2 = Uuid.randomUuid();

    private static ClusterImage cluster(boolean fenced1, boolean fenced2) {
        return cluster(INCARNATION_1, fenced1, fenced2);
    }

    private static ClusterImage cluster(Uuid incarnation1, boolean fenced1, boolean fenced2) {
        return new ClusterImage(Map.of(
                1, new BrokerRegistration(1, incarnation1, List.of(), null, fenced1),
                2, new BrokerRegistration(2, INCARNATION_2, List.of(), null, fenced2)));
    }

    @Test
    void aSilentBrokerIsFencedAfterTheSessionTimeoutAndUnfencedWhenHeardFrom() {
        assertThat(heartbeats.changes(cluster(false, false))).isEmpty(); // registered now
        heartbeats.record(1);
        heartbeats.record(2);
        // Within the session both stay as they are
        nowMs.addAndGet(9_000);
        heartbeats.record(2);
        assertThat(heartbeats.changes(cluster(false, false))).isEmpty();
        // Past it, the broker that stopped heartbeating is to be fenced, the other not
        nowMs.addAndGet(1);
        assertThat(heartbeats.changes(cluster(false, false))).isEqualTo(Map.of(1, true));
        // A heartbeat from the fenced broker unfences it
        heartbeats.record(1);
        assertThat(heartbeats.changes(cluster(true, false))).isEqualTo(Map.of(1, false));
    }

    @Test
    void aNewLeaderGivesEveryBrokerAFullSession() {
        // Given broker 1 last heard from long ago, under another leader
        heartbeats.record(1);
        nowMs.addAndGet(60_000);
        // When this node starts leading, no one is fenced for the gap
        heartbeats.startLeading();
        assertThat(heartbeats.changes(cluster(false, false))).isEmpty();
        nowMs.addAndGet(9_001);
        assertThat(heartbeats.changes(cluster(false, false))).isEqualTo(Map.of(1, true, 2, true));
    }

    @Test
    void aRegistrationWithANewIncarnationCountsAsAHeartbeat() {
        assertThat(heartbeats.changes(cluster(false, false))).isEmpty();
        nowMs.addAndGet(20_000);
        heartbeats.record(2);
        assertThat(heartbeats.changes(cluster(false, false))).isEqualTo(Map.of(1, true));
        // When broker 1 restarts and registers again (which unfences it) before its first heartbeat
        assertThat(heartbeats.changes(cluster(Uuid.randomUuid(), false, false))).isEmpty();
    }

    @Test
    void aBrokerFencedAfterItsLastHeartbeatStaysFenced() {
        // Given broker 1 heard from, then fenced at its controlled shutdown (its heartbeats stopped first)
        heartbeats.record(1);
        heartbeats.record(2);
        nowMs.addAndGet(100);
        // Then its last heartbeat, though within the session, does not unfence it
        assertThat(heartbeats.changes(cluster(true, false))).isEmpty();
        nowMs.addAndGet(1_000);
        assertThat(heartbeats.changes(cluster(true, false))).isEmpty();
        // but one sent after the fencing does
        heartbeats.record(1);
        assertThat(heartbeats.changes(cluster(true, false))).isEqualTo(Map.of(1, false));
    }

    @Test
    void aSilentBrokerIsProbedAfterAThirdOfTheSessionAndFencedAtOnceWhenRefused() {
        assertThat(heartbeats.changes(cluster(false, false))).isEmpty(); // registered now
        heartbeats.record(1);
        heartbeats.record(2);
        nowMs.addAndGet(3_000);
        assertThat(heartbeats.suspects(cluster(false, false))).isEmpty();
        // Past a third of the session, both silent brokers are suspects, probed at most once a second
        nowMs.addAndGet(1);
        heartbeats.record(2);
        assertThat(heartbeats.suspects(cluster(false, false))).isEqualTo(Map.of(1, 4_001L));
        nowMs.addAndGet(999);
        assertThat(heartbeats.suspects(cluster(false, false))).isEmpty();
        // When the probe finds broker 1's process gone, it is fenced long before its session ends
        heartbeats.refused(1, 4_001L);
        assertThat(heartbeats.changes(cluster(false, false))).isEqualTo(Map.of(1, true));
        // and a fenced broker is no suspect
        nowMs.addAndGet(1_000);
        assertThat(heartbeats.suspects(cluster(true, false))).isEmpty();
    }

    @Test
    void aHeartbeatAfterTheProbeBeganOutweighsItsRefusal() {
        assertThat(heartbeats.changes(cluster(false, true))).isEmpty();
        heartbeats.record(1);
        nowMs.addAndGet(3_001);
        assertThat(heartbeats.suspects(cluster(false, true))).containsOnlyKeys(1);
        // When broker 1 is heard from while the probe runs (a restart on another port, a slow network)
        nowMs.addAndGet(10);
        heartbeats.record(1);
        heartbeats.refused(1, 4_001L);
        // Then it is not fenced
        assertThat(heartbeats.changes(cluster(false, true))).isEmpty();
    }

    @Test
    void aNewLeaderSuspectsBrokersSilentSinceItsStart() {
        nowMs.addAndGet(60_000);
        heartbeats.startLeading();
        nowMs.addAndGet(3_000);
        assertThat(heartbeats.suspects(cluster(false, true))).isEmpty();
        nowMs.addAndGet(1);
        assertThat(heartbeats.suspects(cluster(false, true))).isEqualTo(Map.of(1, 64_001L));
    }
}
