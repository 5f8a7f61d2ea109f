package io.letterbox.broker.config;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.common.config.ConfigException;

/**
 * How this node takes part in the metadata quorum, from Kafka's KRaft keys. Immutable.
 *
 * <p>With no {@code controller.quorum.voters} the node is a cluster of one, as without these
 * keys. With voters, this node must be one of them, and its entry must be exactly the address of
 * its controller listener (the first of {@code controller.listener.names}): the Raft server binds
 * that address, and the other voters reach it there. Each rule broken is a {@link ConfigException}
 * naming the key.
 *
 * @param voters             voter node id to "host:port"; empty for a single node
 * @param controllerListener the listener the Raft server binds, or null (a free loopback port)
 * @param heartbeatIntervalMs how often the broker tells the active controller it is alive
 * @param sessionTimeoutMs   how long the controller waits for a heartbeat before fencing the broker
 */
public record ClusterConfig(Map<Integer, String> voters, Endpoint controllerListener, long heartbeatIntervalMs,
                            long sessionTimeoutMs) {

    public static final String CONTROLLER_QUORUM_VOTERS = "controller.quorum.voters";
    public static final String CONTROLLER_LISTENER_NAMES = "controller.listener.names";
    public static final String BROKER_HEARTBEAT_INTERVAL_MS = "broker.heartbeat.interval.ms";
    public static final String BROKER_SESSION_TIMEOUT_MS = "broker.session.timeout.ms";

    public ClusterConfig {
        voters = Map.copyOf(voters);
    }

    static ClusterConfig parse(int nodeId, List<String> roles, List<String> voterEntries,
                               List<String> controllerListenerNames, List<Endpoint> listeners,
                               long heartbeatIntervalMs, long sessionTimeoutMs) {
        if (!roles.contains("controller")) {
            throw new ConfigException(BrokerConfig.PROCESS_ROLES, String.join(",", roles),
                    "process.roles=broker without controller is not supported yet");
        }
        if (!roles.contains("broker")) {
            throw new ConfigException(BrokerConfig.PROCESS_ROLES, String.join(",", roles),
                    "process.roles=controller without broker is not supported yet");
        }
        if (heartbeatIntervalMs >= sessionTimeoutMs) {
            throw new ConfigException(BROKER_HEARTBEAT_INTERVAL_MS, heartbeatIntervalMs,
                    "must be less than " + BROKER_SESSION_TIMEOUT_MS + " (" + sessionTimeoutMs + ")");
        }
        Endpoint controller = null;
        if (!controllerListenerNames.isEmpty()) {
            String name = controllerListenerNames.get(0).trim().toUpperCase(java.util.Locale.ROOT);
            controller = listeners.stream().filter(e -> e.listenerName().equals(name)).findFirst()
                    .orElseThrow(() -> new ConfigException(CONTROLLER_LISTENER_NAMES, String.join(",",
                            controllerListenerNames), "listener " + name + " is not among listeners"));
        }
        Map<Integer, String> voters = parseVoters(voterEntries);
        if (!voters.isEmpty()) {
            if (controller == null) {
                throw new ConfigException(CONTROLLER_LISTENER_NAMES, "",
                        "must name the listener the controller quorum uses when controller.quorum.voters is set");
            }
            String own = voters.get(nodeId);
            if (own == null) {
                throw new ConfigException(CONTROLLER_QUORUM_VOTERS, String.join(",", voterEntries), "node.id "
                        + nodeId + " is not a voter; brokers that are not controllers are not supported yet");
            }
            String listening = controller.host() + ":" + controller.port();
            if (!own.equals(listening)) {
                throw new ConfigException(CONTROLLER_QUORUM_VOTERS, String.join(",", voterEntries), "the entry of node "
                        + nodeId + " (" + own + ") must equal its " + controller.listenerName() + " listener ("
                        + listening + ")");
            }
        }
        return new ClusterConfig(voters, controller, heartbeatIntervalMs, sessionTimeoutMs);
    }

    private static Map<Integer, String> parseVoters(List<String> entries) {
        Map<Integer, String> voters = new TreeMap<>();
        for (String raw : entries) {
            String entry = raw.trim();
            int at = entry.indexOf('@');
            int colon = entry.lastIndexOf(':');
            int id;
            try {
                id = at > 0 && colon > at + 1 ? Integer.parseInt(entry.substring(0, at)) : -1;
                Integer.parseInt(entry.substring(colon + 1));
            } catch (NumberFormatException e) {
                id = -1;
            }
            if (id < 0) {
                throw new ConfigException(CONTROLLER_QUORUM_VOTERS, String.join(",", entries),
                        "each voter must look like id@host:port, got " + entry);
            }
            if (voters.put(id, entry.substring(at + 1)) != null) {
                throw new ConfigException(CONTROLLER_QUORUM_VOTERS, String.join(",", entries),
                        "voter " + id + " appears twice");
            }
        }
        return voters;
    }
}
