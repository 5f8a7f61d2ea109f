package io.letterbox.cli.cluster;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import io.letterbox.cli.Signals;
import io.letterbox.cli.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code letterbox cluster start}: a local cluster of N nodes, each both broker and controller,
 * as child processes on loopback. Prints the bootstrap servers and one line per node once all
 * are ready, reports a node that dies, and stops them all (cleanly) on Ctrl-C or SIGTERM.
 *
 * <p>Children are started with {@code $LETTERBOX_LAUNCHER} when set (bin/letterbox sets it to
 * itself, so nodes get the server's JVM settings), else with this JVM's java and class path.
 */
@Command(name = "start", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Start a local cluster: N nodes, each broker and controller, on 127.0.0.1, in the "
                + "foreground until Ctrl-C. Node i serves clients on base-port + i - 1 and the metadata quorum "
                + "on base-port + 10000 + i - 1, with its data in DATA_DIR/node-i and its output in "
                + "DATA_DIR/node-i.log."},
        footer = {"", "Examples:",
                "  letterbox cluster start",
                "  letterbox cluster start --nodes 5 --base-port 29092 --data-dir /tmp/lb-cluster",
                "  letterbox cluster start --override num.partitions=6",
                "", "Then: letterbox cluster describe -b 127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094"})
public final class ClusterStartCommand implements Callable<Integer> {
    static final int MAX_NODES = 9;
    /** The controller port of a node is its client port plus this. */
    static final int CONTROLLER_PORT_OFFSET = 10_000;
    private static final String HOST = "127.0.0.1";
    private static final long READY_TIMEOUT_MS = 180_000;
    private static final long STOP_TIMEOUT_MS = 20_000;

    @Spec
    CommandSpec spec;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "3",
            description = "How many nodes, 1 to " + MAX_NODES + " (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--base-port", paramLabel = "PORT", defaultValue = "9092",
            description = "Client port of node 1; node i uses PORT + i - 1, and PORT + 10000 + i - 1 for the "
                    + "quorum (default: ${DEFAULT-VALUE}).")
    int basePort;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
            description = "Where the nodes keep their data and logs (default: ./${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--override", paramLabel = "key=value",
            description = "One broker setting for every node (as server start --override). Repeatable.")
    List<String> overrides = new ArrayList<>();

    private final AtomicBoolean stopping = new AtomicBoolean();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        validate();
        List<LocalNode> cluster = new ArrayList<>();
        for (int id = 1; id <= nodes; id++) {
            int client = basePort + id - 1;
            cluster.add(new LocalNode(id, HOST + ":" + client, HOST + ":" + (client + CONTROLLER_PORT_OFFSET),
                    dataDir.resolve("node-" + id).toAbsolutePath(), dataDir.resolve("node-" + id + ".log")
                            .toAbsolutePath()));
        }
        String busy = busyPort(cluster);
        if (busy != null) {
            err.println("letterbox: " + busy + " is in use; pick other ports with --base-port");
            return 1;
        }
        String voters = cluster.stream().map(n -> n.id() + "@" + n.controllerAddress())
                .collect(Collectors.joining(","));
        Map<String, String> extra = parseOverrides();
        Signals.onTerminate(() -> stopAll(cluster, out));
        for (LocalNode node : cluster) {
            Map<String, String> settings = new LinkedHashMap<>(node.settings(voters));
            settings.putAll(extra);
            node.start(launcher(), settings);
        }
        String failure = awaitReady(cluster);
        if (failure != null) {
            err.println("letterbox: " + failure);
            err.flush();
            stopAll(cluster, out);
            return 1;
        }
        out.println("Bootstrap servers: " + cluster.stream().map(LocalNode::clientAddress)
                .collect(Collectors.joining(",")));
        for (LocalNode node : cluster) {
            out.printf("node %d ready: clients %s, controller %s, pid %d, log %s%n", node.id(), node.clientAddress(),
                    node.controllerAddress(), node.pid(), node.logFile());
        }
        out.println("Press Ctrl-C to stop all nodes.");
        out.flush();
        return watch(cluster, err);
    }

    private void validate() {
        if (nodes < 1 || nodes > MAX_NODES) {
            throw new ParameterException(spec.commandLine(), "--nodes must be 1 to " + MAX_NODES + ", not " + nodes);
        }
        int highest = basePort + nodes - 1 + CONTROLLER_PORT_OFFSET;
        if (basePort < 1 || highest > 65535) {
            throw new ParameterException(spec.commandLine(), "--base-port " + basePort + " leaves no room for "
                    + nodes + " nodes (their quorum ports go up to " + highest + ")");
        }
    }

    private Map<String, String> parseOverrides() {
        Map<String, String> extra = new LinkedHashMap<>();
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new ParameterException(spec.commandLine(), "--override takes key=value, not '" + o + "'");
            }
            extra.put(o.substring(0, eq).trim(), o.substring(eq + 1).trim());
        }
        return extra;
    }

    /** The first port a node needs that something else holds, described, or null when all are free. */
    private static String busyPort(List<LocalNode> cluster) {
        for (LocalNode node : cluster) {
            for (String address : List.of(node.clientAddress(), node.controllerAddress())) {
                int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
                try (ServerSocket s = new ServerSocket()) {
                    s.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
                } catch (IOException e) {
                    return "port " + port + " (node " + node.id() + ")";
                }
            }
        }
        return null;
    }

    private static List<String> launcher() {
        String script = System.getenv("LETTERBOX_LAUNCHER");
        if (script != null && !script.isBlank()) {
            return List.of(script);
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String heap = System.getenv().getOrDefault("LETTERBOX_HEAP_OPTS", "-Xms64m -Xmx512m");
        cmd.addAll(List.of(heap.trim().split("\\s+")));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.letterbox.cli.Letterbox");
        return cmd;
    }

    /** Waits for every banner; the reason it failed (a node that exited, or too slow), or null. */
    private String awaitReady(List<LocalNode> cluster) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT_MS * 1_000_000;
        List<LocalNode> waiting = new ArrayList<>(cluster);
        while (!waiting.isEmpty()) {
            for (LocalNode node : List.copyOf(waiting)) {
                if (node.isReady()) {
                    waiting.remove(node);
                } else if (!node.isAlive()) {
                    return "node " + node.id() + " exited with code " + node.exitCode() + " before it was ready: "
                            + node.lastLine().orElse("no output") + " (log " + node.logFile() + ")";
                }
            }
            if (System.nanoTime() > deadline) {
                return "node " + waiting.get(0).id() + " was not ready within " + READY_TIMEOUT_MS / 1000
                        + " s (log " + waiting.get(0).logFile() + ")";
            }
            Thread.sleep(100);
        }
        return null;
    }

    /** Reports each node that exits by itself; returns 1 once none is left (a stop never returns). */
    private int watch(List<LocalNode> cluster, PrintWriter err) throws InterruptedException {
        List<LocalNode> running = new ArrayList<>(cluster);
        while (!running.isEmpty()) {
            Thread.sleep(200);
            for (LocalNode node : List.copyOf(running)) {
                if (!node.isAlive() && !stopping.get()) {
                    running.remove(node);
                    err.println("letterbox: node " + node.id() + " (pid " + node.pid() + ") exited with code "
                            + node.exitCode() + ": " + node.lastLine().orElse("no output") + " (log "
                            + node.logFile() + ")");
                    err.flush();
                }
            }
        }
        err.println("letterbox: every node has exited");
        err.flush();
        return 1;
    }

    /** SIGTERM to every running node at once, then waits for each (killing one that hangs). Once. */
    private void stopAll(List<LocalNode> cluster, PrintWriter out) {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        List<LocalNode> running = cluster.stream().filter(LocalNode::isAlive).toList();
        running.forEach(LocalNode::requestStop);
        int clean = 0;
        for (LocalNode node : running) {
            try {
                if (node.awaitStop(STOP_TIMEOUT_MS)) {
                    clean++;
                } else {
                    out.println("node " + node.id() + " did not stop within " + STOP_TIMEOUT_MS / 1000
                            + " s and was killed");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        out.println("Stopped " + clean + " of " + running.size() + " running node(s) cleanly.");
        out.flush();
    }
}
