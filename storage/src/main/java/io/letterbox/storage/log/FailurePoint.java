package io.letterbox.storage.log;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Named places in storage where a test can make the next disk operation fail, to prove that the fault
 * is reported (as {@link org.apache.kafka.common.errors.KafkaStorageException}) and nothing acknowledged
 * is lost. Unarmed points cost one map lookup.
 *
 * <p>Thread-safety: arming and firing are thread-safe; points are JVM-wide, so tests that arm them must
 * not run in parallel with other storage tests and must {@link #disarmAll()} afterwards.
 */
public enum FailurePoint {
    /** Before the bytes of an append are written. */
    APPEND,
    /** Before a segment's data is fsynced. */
    FSYNC,
    /** Before a new segment is created. */
    ROLL,
    /** Before a segment is truncated. */
    TRUNCATE;

    /** What an armed point throws: the operating system's text decides how storage reacts (see StorageFaults). */
    private record Armed(int times, String message) {
    }

    private static final Map<FailurePoint, Armed> ARMED = new ConcurrentHashMap<>();

    /** Makes the next {@code times} passes through this point throw an I/O error (the disk is failing). */
    public void arm(int times) {
        ARMED.put(this, new Armed(times, "Input/output error (injected at " + name() + ")"));
    }

    /** Makes the next {@code times} passes through this point fail as a full disk does. */
    public void armDiskFull(int times) {
        ARMED.put(this, new Armed(times, "No space left on device (injected at " + name() + ")"));
    }

    public void disarm() {
        ARMED.remove(this);
    }

    public static void disarmAll() {
        ARMED.clear();
    }

    /** Whether the next pass through this point fails. */
    boolean armed() {
        return ARMED.containsKey(this);
    }

    /** Throws if armed (and counts the pass down). */
    void check() throws IOException {
        if (ARMED.isEmpty()) {
            return;
        }
        Armed[] fired = new Armed[1];
        ARMED.computeIfPresent(this, (k, v) -> {
            fired[0] = v;
            return v.times() <= 1 ? null : new Armed(v.times() - 1, v.message());
        });
        if (fired[0] != null) {
            throw new IOException(fired[0].message());
        }
    }
}
