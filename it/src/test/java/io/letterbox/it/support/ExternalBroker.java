package io.letterbox.it.support;

import java.nio.file.Path;

/**
 * A broker this test run does not own, named by {@code -Dit.bootstrap=host:port}: Letterbox run by
 * hand, or Apache Kafka as the reference peer. It can be neither killed nor restarted, and tests
 * on it use fresh topic names because the broker keeps what earlier runs left.
 */
public final class ExternalBroker implements TestBroker {

    private final String bootstrap;

    public ExternalBroker(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    @Override
    public String bootstrap() {
        return bootstrap;
    }

    @Override
    public Path dataDir() {
        throw new UnsupportedOperationException("the data directory of an external broker is unknown");
    }

    @Override
    public boolean canKill() {
        return false;
    }

    @Override
    public boolean canRestart() {
        return false;
    }

    @Override
    public void start() {
        // Running already, by definition.
    }

    @Override
    public void stop() {
        throw new UnsupportedOperationException("an external broker cannot be stopped by the tests");
    }

    @Override
    public void kill() {
        throw new UnsupportedOperationException("an external broker cannot be killed by the tests");
    }

    @Override
    public void close() {
        // Not ours.
    }

    @Override
    public String toString() {
        return "external broker at " + bootstrap;
    }
}
