package io.letterbox.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Durations of the steps of one broker start, for the one start-up line {@link Broker#start} logs:
 * each {@link #end} closes the phase that began at the previous one. When given the process's launch
 * time (that of {@code bin/letterbox}, which execs the JVM), a first phase "jvm and options" shows
 * what ran before {@link Broker#start}: the launcher, the JVM, class loading, the command line.
 *
 * <p>Not thread-safe: the starting thread only.
 */
final class StartupPhases {

    private final long launchedAtMillis;
    private final long startNanos;
    private final long jvmMillis;
    private final List<String> ended = new ArrayList<>();
    private long lastNanos;

    /** Starts timing now; {@code launchedAtMillis}: the process's launch (ms since the epoch), or -1 to leave out. */
    StartupPhases(long launchedAtMillis) {
        this.launchedAtMillis = launchedAtMillis;
        this.startNanos = System.nanoTime();
        this.lastNanos = startNanos;
        this.jvmMillis = launchedAtMillis < 0 ? -1 : Math.max(0, System.currentTimeMillis() - launchedAtMillis);
    }

    /** Ends the current phase under {@code name} and starts the next one. */
    void end(String name) {
        long now = System.nanoTime();
        ended.add(name + " " + TimeUnit.NANOSECONDS.toMillis(now - lastNanos));
        lastNanos = now;
    }

    /** Milliseconds from the process's launch (or, without it, from this object's creation) until now. */
    long totalMillis() {
        long sinceStart = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        return launchedAtMillis < 0 ? sinceStart : jvmMillis + sinceStart;
    }

    /** {@code "jvm 812, config 3, logs 1317, ..."} in milliseconds, in the order the phases ran. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        if (jvmMillis >= 0) {
            s.append("jvm and options ").append(jvmMillis);
        }
        for (String phase : ended) {
            s.append(s.length() == 0 ? "" : ", ").append(phase);
        }
        return s.toString();
    }
}
