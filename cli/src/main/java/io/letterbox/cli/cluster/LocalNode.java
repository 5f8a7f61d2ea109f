package io.letterbox.cli.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One node of a local cluster: a {@code letterbox server start} child process with both roles,
 * its output appended to a log file. Ready means its banner ({@code started on host:port}) is in
 * that file. Not thread-safe: the supervisor drives it from one thread, and the stop from the
 * signal handler once that thread only watches.
 */
final class LocalNode {
    private final int id;
    private final String clientAddress;
    private final String controllerAddress;
    private final Path dataDir;
    private final Path logFile;
    private Process process;

    LocalNode(int id, String clientAddress, String controllerAddress, Path dataDir, Path logFile) {
        this.id = id;
        this.clientAddress = clientAddress;
        this.controllerAddress = controllerAddress;
        this.dataDir = dataDir;
        this.logFile = logFile;
    }

    int id() {
        return id;
    }

    String clientAddress() {
        return clientAddress;
    }

    String controllerAddress() {
        return controllerAddress;
    }

    Path logFile() {
        return logFile;
    }

    /** The {@code --override} settings that make this node one of {@code voters}. */
    Map<String, String> settings(String voters) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("node.id", String.valueOf(id));
        settings.put("process.roles", "broker,controller");
        settings.put("listeners", "PLAINTEXT://" + clientAddress + ",CONTROLLER://" + controllerAddress);
        settings.put("advertised.listeners", "PLAINTEXT://" + clientAddress);
        settings.put("controller.listener.names", "CONTROLLER");
        settings.put("controller.quorum.voters", voters);
        settings.put("log.dirs", dataDir.toString());
        return settings;
    }

    /** Starts the child: {@code launcher server start --override ...}, output appended to the log file. */
    void start(List<String> launcher, Map<String, String> settings) throws IOException {
        Files.createDirectories(dataDir);
        List<String> cmd = new ArrayList<>(launcher);
        cmd.add("server");
        cmd.add("start");
        settings.forEach((k, v) -> {
            cmd.add("--override");
            cmd.add(k + "=" + v);
        });
        Files.writeString(logFile, "# " + String.join(" ", cmd) + System.lineSeparator(), StandardCharsets.UTF_8);
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
    }

    boolean isReady() throws IOException {
        String marker = "started on " + clientAddress;
        return output().lines().anyMatch(l -> !l.startsWith("# ") && l.contains(marker));
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    int exitCode() {
        return process.exitValue();
    }

    /** The last line the node printed (its reason, when it refused to start), or empty. */
    Optional<String> lastLine() {
        try {
            List<String> lines = output().lines().filter(l -> !l.isBlank() && !l.startsWith("# ")).toList();
            return lines.isEmpty() ? Optional.empty() : Optional.of(lines.get(lines.size() - 1));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private String output() throws IOException {
        return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
    }

    /** Asks the node to stop (SIGTERM: its clean shutdown). */
    void requestStop() {
        if (isAlive()) {
            process.destroy();
        }
    }

    /** Waits up to {@code timeoutMs} for the exit, then kills; true when it stopped by itself. */
    boolean awaitStop(long timeoutMs) throws InterruptedException {
        if (process == null) {
            return true;
        }
        if (process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
            return true;
        }
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        return false;
    }
}
