package io.letterbox.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;

import io.letterbox.broker.Broker;
import io.letterbox.broker.ControllerNode;
import io.letterbox.broker.config.BrokerConfig;
import io.letterbox.storage.log.LogDirLockedException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code letterbox server start [server.properties] [--override key=value]...}: starts a node in
 * the foreground (a broker, or with {@code process.roles=controller} a controller alone) and runs
 * until SIGTERM or Ctrl-C, which shut it down cleanly (exit 0).
 */
@Command(name = "start", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Start a broker in the foreground. With no file it runs a single node on "
                + "localhost:9092 with its data in ./data.", "",
                "Settings use Apache Kafka's key names (listeners, log.dirs, num.partitions, "
                        + "log.segment.bytes, message.max.bytes, log.flush.on.ack, ...).", "",
                "In a cluster (controller.quorum.voters), process.roles=controller runs a metadata voter "
                        + "that serves no clients and process.roles=broker a broker that does not vote; "
                        + "see README, Cluster."},
        footer = {"", "Examples:",
                "  letterbox server start",
                "  letterbox server start config/server.properties",
                "  letterbox server start --override listeners=PLAINTEXT://127.0.0.1:19092 --override log.dirs=/tmp/lb"})
public final class ServerStartCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "server.properties",
            description = "A properties file with broker settings.")
    Path propertiesFile;

    @Option(names = "--override", paramLabel = "key=value",
            description = "Set one broker setting; wins over the file. Repeatable.")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        return run(spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /** Starts the node and blocks until it is stopped; returns the exit code. */
    int run(PrintWriter out, PrintWriter err) throws InterruptedException {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        Map<String, String> props;
        BrokerConfig config;
        try {
            props = settings();
            config = BrokerConfig.parse(props);
        } catch (ConfigException | IllegalArgumentException | IOException e) {
            err.println("letterbox: invalid configuration: " + e.getMessage());
            return 2;
        }
        AutoCloseable node;
        String address;
        try {
            if (config.cluster().controllerOnly()) {
                ControllerNode controller = ControllerNode.start(config);
                node = controller;
                address = controller.rpcAddress().getHostString() + ":" + controller.rpcAddress().getPort();
            } else {
                Broker broker = Broker.start(config);
                node = broker;
                address = config.advertisedListeners().get(0).host() + ":" + broker.port();
            }
        } catch (LogDirLockedException e) {
            err.println("letterbox: " + e.getMessage());
            return 1;
        } catch (KafkaException | IllegalStateException | java.io.UncheckedIOException e) {
            err.println("letterbox: could not start: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runnable stop = () -> {
            try {
                node.close();
            } catch (Exception e) {
                err.println("letterbox: stopping failed: " + e);
                err.flush();
            } finally {
                stopped.countDown();
            }
        };
        Signals.onTerminate(stop);
        out.printf("Letterbox %s %sstarted on %s, data in %s (%d ms)%n", Version.current(),
                config.cluster().controllerOnly() ? "controller " : "", address,
                String.join(",", config.logDirs().stream().map(Path::toString).toList()),
                System.currentTimeMillis() - jvmStart);
        out.flush();
        stopped.await();
        return 0;
    }

    private Map<String, String> settings() throws IOException {
        Map<String, String> props = new LinkedHashMap<>();
        if (propertiesFile != null) {
            if (!Files.isRegularFile(propertiesFile)) {
                throw new IOException("no such file: " + propertiesFile);
            }
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(propertiesFile)) {
                p.load(in);
            }
            p.stringPropertyNames().forEach(k -> props.put(k.trim(), p.getProperty(k).trim()));
        }
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--override takes key=value, not '" + o + "'");
            }
            props.put(o.substring(0, eq).trim(), o.substring(eq + 1).trim());
        }
        return props;
    }
}
