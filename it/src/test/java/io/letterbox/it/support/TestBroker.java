package io.letterbox.it.support;

import java.nio.file.Path;

/**
 * A broker that a test talks to through its bootstrap address. Three kinds exist: a child process
 * ({@link BrokerProcess}, the default), the broker in this JVM ({@link InProcessBroker},
 * {@code -Dit.broker=in-process}) and a broker someone else runs ({@link ExternalBroker},
 * {@code -Dit.bootstrap=host:port}). Tests that need a fault the kind cannot produce call
 * {@link #assumeCanKill()} or {@link #assumeCanRestart()} and are skipped, with the reason.
 *
 * <p>Not thread-safe: one test thread drives a broker's life cycle.
 */
public interface TestBroker extends AutoCloseable {

    /** {@code host:port} for {@code bootstrap.servers}. */
    String bootstrap();

    /** The broker's {@code log.dirs}; only for kinds that own their data directory. */
    Path dataDir();

    /** Whether {@link #kill()} can crash the broker without a clean shutdown. */
    boolean canKill();

    /** Whether {@link #stop()} and {@link #start()} are available. */
    boolean canRestart();

    /** Starts the broker (again, on the same port and data directory) and waits until it is ready. */
    void start();

    /** Clean shutdown: SIGTERM or close(), waits until it has finished. */
    void stop();

    /** Crash: SIGKILL, nothing flushed by the broker itself. */
    void kill();

    /** {@link #stop()} then {@link #start()}. */
    default void restart() {
        stop();
        start();
    }

    /** {@link #kill()} then {@link #start()}. */
    default void killAndRestart() {
        kill();
        start();
    }

    default void assumeCanKill() {
        org.junit.jupiter.api.Assumptions.assumeTrue(canKill(),
                "needs a broker this test can kill -9: run without -Dit.bootstrap and -Dit.broker=in-process");
    }

    default void assumeCanRestart() {
        org.junit.jupiter.api.Assumptions.assumeTrue(canRestart(),
                "needs a broker this test can restart: run without -Dit.bootstrap");
    }

    /** Stops the broker if it runs; never throws for a broker that is already down. */
    @Override
    void close();
}
