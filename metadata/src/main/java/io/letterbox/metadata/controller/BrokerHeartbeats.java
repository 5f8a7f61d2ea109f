package io.letterbox.metadata.controller;

import io.letterbox.metadata.image.BrokerRegistration;
import io.letterbox.metadata.image.ClusterImage;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The active controller's view of broker liveness: when each broker last heartbeated. A broker
 * silent for longer than the session timeout should be fenced; a fenced one heard from within
 * it should be unfenced; a registration with a new incarnation counts as a heartbeat. Kept in
 * memory on the leader only: a new leader starts every broker's session at its own start, so no
 * broker is fenced for the election's gap.
 *
 * <p>Crashed brokers go sooner: a broker silent for a third of the session is a {@link #suspects
 * suspect}, whose process the caller probes ({@link BrokerProbe}). One that {@link #refused}
 * the probe, and has not been heard from since it began, should be fenced at once.
 *
 * <p>Thread-safe: heartbeats arrive on Ratis threads, {@link #changes} runs on a timer.
 */
public final class BrokerHeartbeats {
    private static final long PROBE_INTERVAL_MS = 1_000;

    private final long sessionTimeoutMs;
    private final LongSupplier clockMs;
    private final Map<Integer, Long> lastSeenMs = new ConcurrentHashMap<>();
    /** The incarnation each broker last registered with, as this controller saw it. */
    private final Map<Integer, Uuid> incarnations = new ConcurrentHashMap<>();
    /** When this controller first saw each fenced broker fenced. */
    private final Map<Integer, Long> fencedSeenMs = new ConcurrentHashMap<>();
    /** When this controller last began probing each suspect. */
    private final Map<Integer, Long> probedMs = new ConcurrentHashMap<>();
    /** When the probe that found each broker's process gone began. */
    private final Map<Integer, Long> refusedMs = new ConcurrentHashMap<>();
    private volatile long leadingSinceMs;

    /** @param clockMs a monotonic clock in milliseconds */
    public BrokerHeartbeats(long sessionTimeoutMs, LongSupplier clockMs) {
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.clockMs = clockMs;
        this.leadingSinceMs = clockMs.getAsLong();
    }

    public void record(int brokerId) {
        lastSeenMs.put(brokerId, clockMs.getAsLong());
    }

    /** This node just became the active controller: every session restarts now. */
    public void startLeading() {
        leadingSinceMs = clockMs.getAsLong();
        probedMs.clear();
        refusedMs.clear();
    }

    /**
     * The unfenced brokers silent for a third of the session, each with the time its probe begins
     * (now), at most one probe per broker per {@value #PROBE_INTERVAL_MS} ms.
     */
    public Map<Integer, Long> suspects(ClusterImage cluster) {
        long now = clockMs.getAsLong();
        Map<Integer, Long> suspects = new TreeMap<>();
        for (BrokerRegistration b : cluster.brokers().values()) {
            long heard = Math.max(leadingSinceMs, lastSeenMs.getOrDefault(b.id(), Long.MIN_VALUE));
            Long probed = probedMs.get(b.id());
            if (!b.fenced() && now - heard > suspectAfterMs()
                    && (probed == null || now - probed >= PROBE_INTERVAL_MS)) {
                probedMs.put(b.id(), now);
                suspects.put(b.id(), now);
            }
        }
        return suspects;
    }

    /** How long a broker is silent before it is a suspect: a third of the session. */
    public long suspectAfterMs() {
        return sessionTimeoutMs / 3;
    }

    /** The probe that began at {@code probeStartMs} found no process where broker {@code brokerId} should be. */
    public void refused(int brokerId, long probeStartMs) {
        refusedMs.merge(brokerId, probeStartMs, Math::max);
    }

    /** The brokers whose fenced state should change, broker id to the state it should have. */
    public Map<Integer, Boolean> changes(ClusterImage cluster) {
        long now = clockMs.getAsLong();
        Map<Integer, Boolean> changes = new TreeMap<>();
        for (BrokerRegistration b : cluster.brokers().values()) {
            if (!b.incarnationId().equals(incarnations.put(b.id(), b.incarnationId())) && !b.fenced()) {
                // A (re-)registration (which unfences) is a sign of life: its first heartbeat may still be on the way.
                lastSeenMs.merge(b.id(), now, Math::max);
            }
            long heard = lastSeenMs.getOrDefault(b.id(), Long.MIN_VALUE);
            if (b.fenced()) {
                refusedMs.remove(b.id());
                // Only a heartbeat sent after the fencing unfences: a broker fenced at its controlled
                // shutdown stays fenced, and a new controller does not revive the dead.
                long fencedSince = fencedSeenMs.computeIfAbsent(b.id(), id -> now);
                if (heard >= fencedSince && now - heard <= sessionTimeoutMs) {
                    changes.put(b.id(), false);
                }
            } else {
                fencedSeenMs.remove(b.id());
                long refused = refusedMs.getOrDefault(b.id(), Long.MIN_VALUE);
                if (heard >= refused) {
                    refusedMs.remove(b.id()); // heard from since: whatever refused was not this broker
                }
                if (now - Math.max(leadingSinceMs, heard) > sessionTimeoutMs || heard < refused) {
                    changes.put(b.id(), true);
                }
            }
        }
        return changes;
    }
}
