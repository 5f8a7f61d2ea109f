package io.letterbox.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import io.letterbox.broker.Broker;
import io.letterbox.broker.config.BrokerConfig;
import io.letterbox.storage.log.LogManager;

/**
 * A short broker life on a temporary directory, run by {@code bin/letterbox} once per build under
 * the JVM's class-data recording ({@code -XX:AOTCacheOutput} or {@code -XX:ArchiveClassesAtExit}),
 * so that later server starts map the classes a start needs instead of loading them: the command
 * line parsed as {@code letterbox server start} parses it, a first start, a topic created and
 * written, a clean restart, a restart after an unclean stop (the recovery path), and the end offsets
 * read back, as a client does after a restart. Exits 0 when done.
 *
 * <p>The clients run in child JVMs ({@link TrainingClient}): a class in the archive is loaded at
 * every start whether used or not, so the archive holds the broker's classes only.
 */
public final class StartupTraining {

    private StartupTraining() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("letterbox-training-");
        try {
            int port = freePort();
            ServerMain.parsePlain(new String[] {"server", "start", "--override", "log.dirs=" + dir});
            ManagementFactory.getRuntimeMXBean().getStartTime();
            BrokerConfig config = BrokerConfig.parse(Map.of(
                    "listeners", "PLAINTEXT://127.0.0.1:" + port,
                    "log.dirs", dir.toString()));
            String bootstrap = "127.0.0.1:" + port;
            try (Broker broker = Broker.start(config)) {
                client("produce", bootstrap);
            }
            try (Broker broker = Broker.start(config)) {
                client("end-offsets", bootstrap);
            }
            // As if the process had been killed: the next start recovers the logs.
            Files.delete(dir.resolve(LogManager.CLEAN_SHUTDOWN_FILE));
            try (Broker broker = Broker.start(config)) {
                client("end-offsets", bootstrap);
            }
        } finally {
            deleteRecursively(dir);
        }
        System.exit(0);
    }

    /** Runs {@link TrainingClient} in a child JVM of the same Java, without the recording flags. */
    private static void client(String action, String bootstrap) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), "io.letterbox.cli.TrainingClient", action, bootstrap)
                .inheritIO().start();
        if (!child.waitFor(60, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new IllegalStateException("training client '" + action + "' did not finish within 60 s");
        }
        if (child.exitValue() != 0) {
            throw new IllegalStateException("training client '" + action + "' exited with " + child.exitValue());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
