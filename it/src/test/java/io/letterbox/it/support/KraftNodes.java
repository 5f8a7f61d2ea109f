package io.letterbox.it.support;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntUnaryOperator;
import java.util.stream.Collectors;

/**
 * Builders for nodes configured with Kafka's KRaft keys on loopback: one client port and one
 * controller port per node, the voters line, and the listeners each role needs (a controller
 * alone has only its CONTROLLER listener; a broker alone has no CONTROLLER listener).
 */
public final class KraftNodes {
    public static final String COMBINED = "broker,controller";
    public static final String CONTROLLER = "controller";
    public static final String BROKER = "broker";

    private final int[] clientPorts;
    private final int[] controllerPorts;
    private final List<Integer> voterIds;

    /** Free ports for nodes 1..{@code nodes}; the ids in {@code voterIds} are the voters. */
    public KraftNodes(int nodes, List<Integer> voterIds) {
        this.clientPorts = new int[nodes + 1];
        this.controllerPorts = new int[nodes + 1];
        for (int id = 1; id <= nodes; id++) {
            clientPorts[id] = ItSupport.freePort();
            controllerPorts[id] = ItSupport.freePort();
        }
        this.voterIds = List.copyOf(voterIds);
    }

    /** {@code controller.quorum.voters}: {@code id@127.0.0.1:port,...}. */
    public String voters() {
        return votersAt(this::controllerPort);
    }

    /** The voters line with each voter reached at {@code port(id)}, e.g. a proxy in front of it. */
    public String votersAt(IntUnaryOperator port) {
        return voterIds.stream().map(id -> id + "@127.0.0.1:" + port.applyAsInt(id)).collect(Collectors.joining(","));
    }

    public int clientPort(int id) {
        return clientPorts[id];
    }

    public int controllerPort(int id) {
        return controllerPorts[id];
    }

    /**
     * Node {@code id} with {@code process.roles=roles}; its banner port is the client port, or the
     * controller port for a controller alone. Heartbeats every second, fenced after four.
     */
    public BrokerProcess.Builder node(String name, int id, String roles) {
        return node(name, id, roles, voters());
    }

    /** As {@link #node(String, int, String)}, with another voters line (see {@link #votersAt}). */
    public BrokerProcess.Builder node(String name, int id, String roles, String voters) {
        String client = "PLAINTEXT://127.0.0.1:" + clientPorts[id];
        String controller = "CONTROLLER://127.0.0.1:" + controllerPorts[id];
        String listeners = switch (roles) {
            case COMBINED -> client + "," + controller;
            case CONTROLLER -> controller;
            case BROKER -> client;
            default -> throw new IllegalArgumentException("roles " + roles);
        };
        BrokerProcess.Builder b = BrokerProcess.builder(name)
                .port(roles.equals(CONTROLLER) ? controllerPorts[id] : clientPorts[id])
                .override("node.id", String.valueOf(id))
                .override("process.roles", roles)
                .override("listeners", listeners)
                .override("controller.listener.names", "CONTROLLER")
                .override("controller.quorum.voters", voters)
                .override("broker.heartbeat.interval.ms", "1000")
                .override("broker.session.timeout.ms", "4000")
                .override("offsets.topic.num.partitions", "3");
        if (!roles.equals(CONTROLLER)) {
            b.override("advertised.listeners", client);
        }
        return b;
    }

    /** Starts the given nodes together: each voter's start waits for a quorum. */
    public static void startTogether(List<BrokerProcess> nodes) {
        CompletableFuture.allOf(nodes.stream().map(n -> ItSupport.asyncRun(n::start))
                .toArray(CompletableFuture[]::new)).join();
    }
}
