package io.letterbox.it.support;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The broker inside the test JVM ({@code -Dit.broker=in-process}), for debugging with breakpoints.
 * The only class that knows the in-process API, called by reflection so that the tests compile
 * before the broker exists:
 * {@code io.letterbox.broker.config.BrokerConfig.parse(Map<String,String>)} and
 * {@code io.letterbox.broker.Broker.start(BrokerConfig)} returning a broker with {@code port()} and
 * {@code close()}. It cannot be killed; {@link #stop()} is {@code close()}.
 */
public final class InProcessBroker implements TestBroker {

    private static final String CONFIG_CLASS = "io.letterbox.broker.config.BrokerConfig";
    private static final String BROKER_CLASS = "io.letterbox.broker.Broker";

    private final Map<String, String> props;
    private final int port;
    private final Path dataDir;
    private Object broker;

    public InProcessBroker(String name, Map<String, String> overrides) {
        this.port = ItSupport.freePort();
        this.dataDir = ItSupport.tempDir(name);
        this.props = new LinkedHashMap<>();
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
        props.put("log.dirs", dataDir.toString());
        props.put("node.id", "1");
        props.putAll(overrides);
    }

    @Override
    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    @Override
    public Path dataDir() {
        return dataDir;
    }

    @Override
    public boolean canKill() {
        return false;
    }

    @Override
    public boolean canRestart() {
        return true;
    }

    @Override
    public void start() {
        try {
            Class<?> configClass = Class.forName(CONFIG_CLASS);
            Object config = configClass.getMethod("parse", Map.class).invoke(null, props);
            Class<?> brokerClass = Class.forName(BROKER_CLASS);
            broker = brokerClass.getMethod("start", configClass).invoke(null, config);
            int actual = (int) brokerClass.getMethod("port").invoke(broker);
            if (actual != port) {
                throw new AssertionError("broker listens on " + actual + ", configured " + port);
            }
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("in-process broker failed to start", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the in-process broker API is not there (" + e + "); "
                    + "run without -Dit.broker=in-process to use a child process", e);
        }
    }

    @Override
    public void stop() {
        if (broker == null) {
            return;
        }
        try {
            Method close = broker.getClass().getMethod("close");
            close.invoke(broker);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("in-process broker failed to close", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        } finally {
            broker = null;
        }
    }

    @Override
    public void kill() {
        throw new UnsupportedOperationException("an in-process broker cannot be killed; use a child process");
    }

    @Override
    public void close() {
        try {
            stop();
        } finally {
            if (!Boolean.getBoolean("it.keepData")) {
                ItSupport.deleteRecursively(dataDir);
            }
        }
    }

    @Override
    public String toString() {
        return "in-process broker at " + bootstrap() + " (data " + dataDir + ")";
    }
}
