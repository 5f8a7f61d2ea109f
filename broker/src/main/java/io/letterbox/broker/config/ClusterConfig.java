package io.letterbox.broker.config;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.common.config.ConfigException;

/**
 * How this node takes part in the cluster, from Kafka's KRaft keys. Immutable.
 *
 * <p>With no {@code controller.quorum.voters} the node is a cluster of one (both roles), as
 * without these keys. With voters, {@code process.roles} says what the node is, as in Kafka:
 * <ul>
 *   <li>{@code controller} (alone or with {@code broker}): one of the voters. The Raft server
 *       binds its controller listener (the first of {@code controller.listener.names}); the
 *       others reach it at its entry in the voters, normally the same address, or one that
 *       forwards to it (a proxy, NAT), as in Kafka. A controller-only node serves no clients: its
 *       listeners are controller listeners.
 *   <li>{@code broker} alone: not a voter; it follows the metadata log and reaches the
 *       controllers at the voters' addresses, so none of its listeners is a controller listener.
 * </ul>
 * Each rule broken is a {@link ConfigException} naming the key.
 *
 * @param broker             whether the node serves clients and holds partitions
 * @param controller         whether the node is a voter of the metadata quorum
 * @param voters             voter node id to "host:port"; empty for a single node
 * @param controllerListener the listener the Raft server binds, or null (a single node: a free
 *                           loopback port; a broker-only node: a port next to its client listener)
 * @param heartbeatIntervalMs how often the broker tells the active controller it is alive
 * @param sessionTimeoutMs   how long the controller waits for a heartbeat before fencing the broker
 */
public record ClusterConfig(boolean broker, boolean controller, Map<Integer, String> voters,
                            Endpoint controllerListener, long heartbeatIntervalMs, long sessionTimeoutMs) {

    public static final String CONTROLLER_QUORUM_VOTERS = "controller.quorum.voters";
    public static final String CONTROLLER_LISTENER_NAMES = "controller.listener.names";
    public static final String BROKER_HEARTBEAT_INTERVAL_MS = "broker.heartbeat.interval.ms";
    public static final String BROKER_SESSION_TIMEOUT_MS = "broker.session.timeout.ms";

    public ClusterConfig {
        voters = Map.copyOf(voters);
    }

    /** Whether this node only votes in the metadata quorum and serves no clients. */
    public boolean controllerOnly() {
        return controller && !broker;
    }

    static ClusterConfig parse(int nodeId, List<String> roles, List<String> voterEntries,
                               List<String> controllerListenerNames, List<Endpoint> listeners,
                               long heartbeatIntervalMs, long sessionTimeoutMs) {
        boolean broker = roles.contains("broker");
        boolean controller = roles.contains("controller");
        String rolesValue = String.join(",", roles);
        if (!broker && !controller) {
            throw new ConfigException(BrokerConfig.PROCESS_ROLES, rolesValue, "must contain broker, controller or both");
        }
        if (heartbeatIntervalMs >= sessionTimeoutMs) {
            throw new ConfigException(BROKER_HEARTBEAT_INTERVAL_MS, heartbeatIntervalMs,
                    "must be less than " + BROKER_SESSION_TIMEOUT_MS + " (" + sessionTimeoutMs + ")");
        }
        Map<Integer, String> voters = parseVoters(voterEntries);
        String votersValue = String.join(",", voterEntries);
        String namesValue = String.join(",", controllerListenerNames);
        if (voters.isEmpty() && !(broker && controller)) {
            throw new ConfigException(CONTROLLER_QUORUM_VOTERS, "", "must list the controllers when process.roles="
                    + rolesValue + " (only a node with both roles may run alone)");
        }
        List<String> names = controllerListenerNames.stream()
                .map(n -> n.trim().toUpperCase(java.util.Locale.ROOT)).toList();
        if (!voters.isEmpty() && names.isEmpty()) {
            throw new ConfigException(CONTROLLER_LISTENER_NAMES, "",
                    "must name the listener the controller quorum uses when controller.quorum.voters is set");
        }
        if (!controller) {
            if (voters.containsKey(nodeId)) {
                throw new ConfigException(CONTROLLER_QUORUM_VOTERS, votersValue, "node.id " + nodeId
                        + " is a voter, so process.roles must contain controller (it is " + rolesValue + ")");
            }
            listeners.stream().filter(e -> names.contains(e.listenerName())).findFirst().ifPresent(e -> {
                throw new ConfigException(CONTROLLER_LISTENER_NAMES, namesValue, "listener " + e.listenerName()
                        + " must not be among listeners when process.roles=broker: brokers reach the controllers"
                        + " at the addresses in controller.quorum.voters");
            });
            return new ClusterConfig(true, false, voters, null, heartbeatIntervalMs, sessionTimeoutMs);
        }
        Endpoint controllerEndpoint = null;
        if (!names.isEmpty()) {
            String name = names.get(0);
            controllerEndpoint = listeners.stream().filter(e -> e.listenerName().equals(name)).findFirst()
                    .orElseThrow(() -> new ConfigException(CONTROLLER_LISTENER_NAMES, namesValue,
                            "listener " + name + " is not among listeners"));
        }
        if (!broker) {
            listeners.stream().filter(e -> !names.contains(e.listenerName())).findFirst().ifPresent(e -> {
                throw new ConfigException(BrokerConfig.LISTENERS, e.listenerName(), "a node with "
                        + "process.roles=controller serves no clients: listeners must only contain the controller"
                        + " listeners of controller.listener.names (" + namesValue + ")");
            });
        }
        if (!voters.isEmpty() && !voters.containsKey(nodeId)) {
            throw new ConfigException(CONTROLLER_QUORUM_VOTERS, votersValue, "node.id " + nodeId
                    + " is not a voter, so process.roles must not contain controller (it is " + rolesValue + ")");
        }
        return new ClusterConfig(broker, controller, voters, controllerEndpoint, heartbeatIntervalMs,
                sessionTimeoutMs);
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
