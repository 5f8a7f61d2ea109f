package io.letterbox.it.support;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code letterbox} command as a user runs it: a child JVM {@code java -cp <test class path>
 * io.letterbox.cli.Letterbox args...} with the client JVM flags of {@code bin/letterbox}, its
 * stdin fed from a string, its stdout and stderr captured to files under {@code target/it-logs/}
 * (no pipe to fill up). Every run is bounded by a timeout, after which the child is killed and
 * the test fails. Thread-safe: runs share nothing but the log directory.
 */
public final class LetterboxCli {

    /** The longest one command may take; a command that hangs fails its test instead. */
    public static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static final Path ARCHIVE = ItSupport.targetDir().resolve("it-tmp").resolve("letterbox-cli.jsa");
    private static final String JARS_ONLY = jarsOnly();
    private static boolean archiveWritten;
    private static final java.util.Set<Process> LEFT_RUNNING = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LEFT_RUNNING.forEach(Process::destroyForcibly),
                "kill-leftover-cli"));
    }

    private LetterboxCli() {
    }

    /** What a finished command printed and returned. */
    public record Result(int exitCode, String out, String err, List<String> command) {

        /** For assertion messages: the command line, exit code and both streams. */
        public String describe() {
            return String.join(" ", command.subList(command.indexOf(BrokerProcess.MAIN_CLASS), command.size()))
                    + " -> exit " + exitCode + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
        }
    }

    /** The child's command line: java, the client flags, the class path, the main class and {@code args}. */
    public static List<String> command(List<String> args) {
        return command(args, List.of("-XX:SharedArchiveFile=" + ARCHIVE));
    }

    private static List<String> command(List<String> args, List<String> archiveFlags) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Xms32m", "-Xmx256m"));
        cmd.addAll(ItSupport.launcherJdkFlags());
        if (JARS_ONLY != null) {
            cmd.addAll(archiveFlags);
            // The JVM's notes about the archive (classes it skips) would mix with the command's output.
            cmd.add("-Xlog:disable");
        }
        cmd.addAll(List.of("-cp", JARS_ONLY != null ? JARS_ONLY : BrokerProcess.testClassPath(), BrokerProcess.MAIN_CLASS));
        cmd.addAll(args);
        return cmd;
    }

    /**
     * The jars of the test class path, when letterbox-cli is one of them: what an installed
     * {@code letterbox} has, and what class-data sharing needs (it refuses class directories).
     * Null when the command is only in a class directory; then it runs without an archive.
     */
    private static String jarsOnly() {
        List<String> jars = new ArrayList<>();
        for (String entry : BrokerProcess.testClassPath().split(File.pathSeparator)) {
            if (entry.endsWith(".jar") && Files.isRegularFile(Path.of(entry))) {
                jars.add(entry);
            }
        }
        boolean hasCli = jars.stream().anyMatch(j -> Path.of(j).getFileName().toString().startsWith("letterbox-cli"));
        return hasCli ? String.join(File.pathSeparator, jars) : null;
    }

    /** A command left running (a consumer until Ctrl-C): its process and its output files. */
    public record Running(Process process, Path outFile, Path errFile) {

        public String out() {
            return read(outFile);
        }

        public String err() {
            return read(errFile);
        }

        private static String read(Path file) {
            try {
                return Files.readString(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Starts the command without waiting for it; the caller stops it (the harness kills leftovers at exit). */
    public static Running start(String... args) {
        Path dir = ItSupport.targetDir().resolve("it-logs");
        try {
            Files.createDirectories(dir);
            Path out = Files.createTempFile(dir, "cli-", ".out");
            Path err = Files.createTempFile(dir, "cli-", ".err");
            Process p = new ProcessBuilder(command(List.of(args))).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).start();
            p.getOutputStream().close();
            LEFT_RUNNING.add(p);
            return new Running(p, out, err);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start letterbox", e);
        }
    }

    public static Result run(String... args) {
        return runWithInput(null, args);
    }

    /** Runs the command with {@code stdin} as its standard input (none: an empty input). */
    public static Result runWithInput(String stdin, String... args) {
        // Class-data sharing, as bin/letterbox does on newer JDKs: the first command of a test run
        // writes an archive of the classes it loaded (the others wait for it), and later commands
        // map it, which about halves their start-up.
        synchronized (ARCHIVE) {
            if (!archiveWritten) {
                archiveWritten = true;
                try {
                    Files.createDirectories(ARCHIVE.getParent());
                    Files.deleteIfExists(ARCHIVE); // an archive of an earlier build does not match this class path
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return runCommand(command(List.of(args), List.of("-XX:ArchiveClassesAtExit=" + ARCHIVE)), stdin, args);
            }
        }
        return runCommand(command(List.of(args)), stdin, args);
    }

    private static Result runCommand(List<String> cmd, String stdin, String... args) {
        Path dir = ItSupport.targetDir().resolve("it-logs");
        try {
            Files.createDirectories(dir);
            Path out = Files.createTempFile(dir, "cli-", ".out");
            Path err = Files.createTempFile(dir, "cli-", ".err");
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("letterbox " + String.join(" ", args) + " did not finish in " + TIMEOUT
                        + "; stdout:\n" + Files.readString(out) + "\nstderr:\n" + Files.readString(err));
            }
            Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err), cmd);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while letterbox ran", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run letterbox", e);
        }
    }
}
