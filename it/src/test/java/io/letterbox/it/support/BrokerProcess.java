package io.letterbox.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A Letterbox broker in a child JVM: {@code java -cp <this JVM's test class path>
 * io.letterbox.cli.Letterbox server start [args] --override key=value...}. It is the only harness
 * class that knows the command line, so the tests compile without any broker class.
 *
 * <p>{@code -Dit.broker.cmd=PATH} replaces {@code java ... io.letterbox.cli.Letterbox} with another
 * launcher taking the same arguments; {@code src/test/scripts/kafka-as-letterbox} runs Apache Kafka
 * that way, to check the fault tests themselves against the reference broker.
 *
 * <p>Ready means: a line on stdout that contains {@code started} and {@code :<port>} (the banner).
 * The child's stdout and stderr go to one file per start under {@code target/it-logs/}, named
 * after the broker, for diagnosis; failures quote its tail. {@link #stop()} sends SIGTERM,
 * {@link #kill()} SIGKILL; {@link #start()} again reuses the port and the data directory.
 * A JVM shutdown hook kills children that a crashed test left behind.
 *
 * <p>Not thread-safe: one test thread drives it.
 */
public final class BrokerProcess implements TestBroker {

    public static final String MAIN_CLASS = "io.letterbox.cli.Letterbox";
    /** How long a start may take before the test fails; a cold JVM on 2 busy cores is slow. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(45);
    /** How long the harness waits after SIGTERM before it kills; LifecycleIT asserts the 5 s promise. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "kill-leftover-brokers"));
    }

    private final String name;
    private final int port;
    private final Path dataDir;
    private final Map<String, String> overrides;
    private final List<String> leadingArgs;
    private final String launcher;
    private final Duration startTimeout;
    private Process process;
    private Path logFile;
    private int starts;

    private BrokerProcess(Builder b) {
        this.name = b.name;
        this.port = b.port;
        this.dataDir = b.dataDir;
        this.overrides = new LinkedHashMap<>(b.overrides);
        this.leadingArgs = List.copyOf(b.leadingArgs);
        this.launcher = b.launcher != null ? b.launcher : System.getProperty("it.broker.cmd");
        this.startTimeout = b.startTimeout;
    }

    /**
     * A broker named {@code name} (used for log file names) on a free loopback port with a fresh
     * data directory and the overrides {@code listeners}, {@code log.dirs} and {@code node.id=1}.
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Builds and starts a broker with the default overrides plus {@code extra}. */
    public static BrokerProcess start(String name, Map<String, String> extra) {
        Builder b = builder(name);
        extra.forEach(b::override);
        BrokerProcess broker = b.build();
        broker.start();
        return broker;
    }

    public int port() {
        return port;
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
        return true;
    }

    @Override
    public boolean canRestart() {
        return true;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return requireProcess().pid();
    }

    /** The output file of the latest start. */
    public Path logFile() {
        return logFile;
    }

    /** The output of the latest start so far. */
    public String output() {
        try {
            return logFile == null || !Files.exists(logFile) ? "" : Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The command line of the next start; visible for the diagnosis messages. */
    public List<String> command() {
        List<String> cmd = new ArrayList<>();
        if (launcher != null && !launcher.isBlank()) {
            // Another launcher with the same command line, e.g. src/test/scripts/kafka-as-letterbox
            cmd.add(launcher);
            addServerArgs(cmd);
            return cmd;
        }
        cmd.add(javaBinary());
        cmd.add("-Xms64m");
        cmd.add("-Xmx512m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.addAll(ItSupport.launcherJdkFlags());
        String leak = System.getProperty("io.netty.leakDetection.level");
        if (leak != null) {
            cmd.add("-Dio.netty.leakDetection.level=" + leak);
        }
        cmd.add("-cp");
        cmd.add(testClassPath());
        cmd.add(MAIN_CLASS);
        addServerArgs(cmd);
        return cmd;
    }

    private void addServerArgs(List<String> cmd) {
        cmd.add("server");
        cmd.add("start");
        cmd.addAll(leadingArgs);
        overrides.forEach((k, v) -> {
            cmd.add("--override");
            cmd.add(k + "=" + v);
        });
    }

    /** Starts the child and waits for its banner; fails with the output's tail if it exits or hangs. */
    @Override
    public void start() {
        if (isAlive()) {
            throw new IllegalStateException(name + " is already running");
        }
        launch();
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (bannerLine().isPresent()) {
                return;
            }
            if (!process.isAlive()) {
                LIVE.remove(process);
                throw new AssertionError(name + " exited with " + process.exitValue()
                        + " before printing its banner; output " + logFile + ":\n" + tail());
            }
            sleep(50);
        }
        process.destroyForcibly();
        LIVE.remove(process);
        throw new AssertionError(name + " printed no banner within " + startTimeout + "; output " + logFile + ":\n"
                + tail());
    }

    /**
     * Starts the child expecting it to refuse: waits until it exits (or prints its banner, which
     * counts as started), at most {@code timeout}; a child still running then is killed.
     */
    public Outcome startExpectingExit(Duration timeout) {
        launch();
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (process.waitFor(50, TimeUnit.MILLISECONDS)) {
                    LIVE.remove(process);
                    return new Outcome(false, process.exitValue(), output());
                }
                if (bannerLine().isPresent()) {
                    kill();
                    return new Outcome(true, null, output());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kill();
        return new Outcome(false, null, output());
    }

    /** What a child that was expected to refuse did: exit code null when it did not exit by itself. */
    public record Outcome(boolean started, Integer exitCode, String output) {
    }

    /** SIGTERM and wait up to {@link #STOP_TIMEOUT}; SIGKILL after that. */
    @Override
    public void stop() {
        stopAndWait(STOP_TIMEOUT);
    }

    /**
     * SIGTERM, then waits up to {@code timeout} for the exit. Returns the exit code, or empty if the
     * child was still running then (it is killed so that nothing leaks past the test).
     */
    public Optional<Integer> stopAndWait(Duration timeout) {
        if (!isAlive()) {
            return Optional.ofNullable(process == null ? null : process.exitValue());
        }
        process.destroy(); // SIGTERM on Unix
        try {
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LIVE.remove(process);
                checkNoLeaks();
                return Optional.of(process.exitValue());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kill();
        return Optional.empty();
    }

    /** SIGKILL and wait for the process to be gone. */
    @Override
    public void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly(); // SIGKILL on Unix
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                throw new AssertionError(name + " (pid " + process.pid() + ") survived SIGKILL for 20 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LIVE.remove(process);
    }

    /** Stops the child (SIGTERM, then SIGKILL) and deletes the data directory unless -Dit.keepData. */
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
        return name + "@" + bootstrap() + " (data " + dataDir + ", log " + logFile + ")";
    }

    private void launch() {
        starts++;
        logFile = ItSupport.targetDir().resolve("it-logs").resolve(name + "-" + port + "-start" + starts + ".log");
        List<String> cmd = command();
        try {
            Files.createDirectories(logFile.getParent());
            Files.writeString(logFile, "# " + String.join(" ", cmd).replace(testClassPath(), "<test class path>")
                    + System.lineSeparator() + "# test class path: " + testClassPath() + System.lineSeparator());
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            process = pb.start();
            LIVE.add(process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch " + name, e);
        }
    }

    private Optional<String> bannerLine() {
        String marker = ":" + port;
        return output().lines()
                .filter(l -> !l.startsWith("# "))
                .filter(l -> l.contains("started") && l.contains(marker))
                .findFirst();
    }

    /** The banner line of the latest start, if it was printed. */
    public Optional<String> banner() {
        return bannerLine();
    }

    private void checkNoLeaks() {
        String out = output();
        if (out.contains("LEAK:")) {
            throw new AssertionError("Netty reported a leaked buffer in " + name + "; see " + logFile);
        }
    }

    private String tail() {
        List<String> lines = output().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private Process requireProcess() {
        return Objects.requireNonNull(process, () -> name + " was never started");
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The class path of the tests, which holds the broker through letterbox-cli. Surefire and
     * failsafe may start this JVM from a manifest-only jar; they then publish the real path in
     * {@code surefire.test.class.path}.
     */
    static String testClassPath() {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        return cp;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Port, data directory and overrides of a broker; nothing starts until {@link BrokerProcess#start()}. */
    public static final class Builder {
        private final String name;
        private int port;
        private Path dataDir;
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private final List<String> leadingArgs = new ArrayList<>();
        private final Set<String> removed = new java.util.HashSet<>();
        private String launcher;
        private Duration startTimeout = START_TIMEOUT;

        private Builder(String name) {
            this.name = name;
        }

        /** Default: a free loopback port. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Default: a fresh temporary directory. Two builders given one directory share it. */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        /** Adds or replaces {@code --override key=value}. */
        public Builder override(String key, String value) {
            overrides.put(key, value);
            return this;
        }

        /** Drops one of the default overrides ({@code listeners}, {@code log.dirs}, {@code node.id}). */
        public Builder without(String key) {
            removed.add(key);
            return this;
        }

        /** Another launcher with Letterbox's command line (default: {@code -Dit.broker.cmd}, else java ... Letterbox). */
        public Builder launcher(String path) {
            this.launcher = path;
            return this;
        }

        /** Default: {@link #START_TIMEOUT}; a start that recovers gigabytes may need longer. */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        /** Arguments placed right after {@code server start}, e.g. a properties file. */
        public Builder args(String... args) {
            leadingArgs.addAll(List.of(args));
            return this;
        }

        public BrokerProcess build() {
            if (port == 0) {
                port = ItSupport.freePort();
            }
            if (dataDir == null) {
                dataDir = ItSupport.tempDir(name);
            }
            Map<String, String> all = new LinkedHashMap<>();
            all.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
            all.put("log.dirs", dataDir.toString());
            all.put("node.id", "1");
            all.keySet().removeAll(removed);
            all.putAll(overrides);
            overrides.clear();
            overrides.putAll(all);
            return new BrokerProcess(this);
        }

    }
}
