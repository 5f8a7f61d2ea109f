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

    private static final Map<FailurePoint, Integer> ARMED = new ConcurrentHashMap<>();

    /** Makes the next {@code times} passes through this point throw an IOException. */
    public void arm(int times) {
        ARMED.put(this, times);
    }

    public void disarm() {
        ARMED.remove(this);
    }

    public static void disarmAll() {
        ARMED.clear();
    }

    /** Throws if armed (and counts the pass down). */
    void check() throws IOException {
        if (ARMED.isEmpty()) {
            return;
        }
        Integer left = ARMED.computeIfPresent(this, (k, v) -> v - 1);
        if (left != null) {
            if (left <= 0) {
                ARMED.remove(this);
            }
            if (left >= 0) {
                throw new IOException("Injected failure at " + name());
            }
        }
    }
}
