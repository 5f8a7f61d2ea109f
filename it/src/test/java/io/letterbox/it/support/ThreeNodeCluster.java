package io.letterbox.it.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Three child-process nodes, each broker and controller (a KRaft-style combined node), node ids 1..3 on
 * free loopback ports, started together (each start waits for a metadata quorum).
 */
public final class ThreeNodeCluster implements AutoCloseable {
    private final List<BrokerProcess> nodes = new ArrayList<>();
    private final String voters;

    /** @param overrides applied to every node, after the cluster keys */
    public ThreeNodeCluster(String name, Map<String, String> overrides) {
        this(name, id -> overrides);
    }

    /** @param overrides by node id: applied to that node, after the cluster keys */
    public ThreeNodeCluster(String name, IntFunction<Map<String, String>> overrides) {
        int[] clientPorts = new int[3];
        int[] controllerPorts = new int[3];
        for (int i = 0; i < 3; i++) {
            clientPorts[i] = ItSupport.freePort();
            controllerPorts[i] = ItSupport.freePort();
        }
        voters = IntStream.range(0, 3).mapToObj(i -> (i + 1) + "@127.0.0.1:" + controllerPorts[i])
                .collect(Collectors.joining(","));
        for (int i = 0; i < 3; i++) {
            BrokerProcess.Builder b = BrokerProcess.builder(name + "-node" + (i + 1))
                    .port(clientPorts[i])
                    .override("node.id", String.valueOf(i + 1))
                    .override("process.roles", "broker,controller")
                    .override("listeners", "PLAINTEXT://127.0.0.1:" + clientPorts[i]
                            + ",CONTROLLER://127.0.0.1:" + controllerPorts[i])
                    .override("advertised.listeners", "PLAINTEXT://127.0.0.1:" + clientPorts[i])
                    .override("controller.listener.names", "CONTROLLER")
                    .override("controller.quorum.voters", voters);
            overrides.apply(i + 1).forEach(b::override);
            nodes.add(b.build());
        }
    }

    public ThreeNodeCluster start() {
        CompletableFuture.allOf(nodes.stream().map(n -> ItSupport.asyncRun(n::start))
                .toArray(CompletableFuture[]::new)).join();
        return this;
    }

    /** The node with this id (1..3). */
    public BrokerProcess node(int id) {
        return nodes.get(id - 1);
    }

    public List<BrokerProcess> nodes() {
        return nodes;
    }

    /** {@code controller.quorum.voters} of this cluster. */
    public String voters() {
        return voters;
    }

    /** The bootstrap servers of the nodes running now. */
    public String bootstrap() {
        return nodes.stream().filter(BrokerProcess::isAlive).map(BrokerProcess::bootstrap)
                .collect(Collectors.joining(","));
    }

    @Override
    public void close() {
        nodes.forEach(BrokerProcess::close);
    }
}
