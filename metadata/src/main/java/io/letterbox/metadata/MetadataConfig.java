package io.letterbox.metadata;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How to run one metadata node. Immutable.
 *
 * @param nodeId                   this node's id (also its Raft peer id)
 * @param dir                      data directory; the Raft log and snapshots live in {@code dir/ratis}
 * @param rpcHost                  address the Raft RPC server binds (e.g. 127.0.0.1)
 * @param rpcPort                  Raft RPC port; 0 picks a free one at each start (on a voter: the
 *                                 port of its own entry in {@code voters}, which may otherwise name
 *                                 a proxy that forwards to this port)
 * @param defaultNumPartitions     partitions of a topic created with numPartitions = -1
 * @param defaultReplicationFactor replicas of a topic created with replicationFactor = -1
 * @param validator                checks topic and broker config overrides
 * @param voters                   the voters of the metadata quorum, node id to "host:port"; empty
 *                                 means a single-node quorum made of this node alone. A node
 *                                 not among them is a non-voting member that follows the log (a
 *                                 Ratis listener) at {@code rpcHost:rpcPort}
 * @param snapshotEveryEntries     take a snapshot after this many log entries since the last one
 *                                 (a snapshot is also taken on clean close)
 * @param brokerSessionTimeoutMs   the active controller fences a broker silent for longer
 * @param leaderBalance            when the active controller moves leaderships back to preferred replicas
 */
public record MetadataConfig(int nodeId, Path dir, String rpcHost, int rpcPort, int defaultNumPartitions,
                             short defaultReplicationFactor, ConfigValidator validator,
                             Map<Integer, String> voters, long snapshotEveryEntries,
                             long brokerSessionTimeoutMs, LeaderBalance leaderBalance) {

    public static final long DEFAULT_SNAPSHOT_EVERY_ENTRIES = 10_000;
    public static final long DEFAULT_BROKER_SESSION_TIMEOUT_MS = 9_000;

    public MetadataConfig {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(rpcHost, "rpcHost");
        Objects.requireNonNull(validator, "validator");
        Objects.requireNonNull(leaderBalance, "leaderBalance");
        voters = Map.copyOf(voters);
        if (nodeId < 0) {
            throw new IllegalArgumentException("nodeId must not be negative: " + nodeId);
        }
        if (rpcPort < 0 || rpcPort > 65535) {
            throw new IllegalArgumentException("Invalid rpcPort " + rpcPort);
        }
        if (defaultNumPartitions < 1) {
            throw new IllegalArgumentException("defaultNumPartitions must be positive: " + defaultNumPartitions);
        }
        if (defaultReplicationFactor < 1) {
            throw new IllegalArgumentException("defaultReplicationFactor must be positive: " + defaultReplicationFactor);
        }
        if (snapshotEveryEntries < 1) {
            throw new IllegalArgumentException("snapshotEveryEntries must be positive: " + snapshotEveryEntries);
        }
        if (brokerSessionTimeoutMs < 1) {
            throw new IllegalArgumentException("brokerSessionTimeoutMs must be positive: " + brokerSessionTimeoutMs);
        }
    }

    /** Whether this node votes in the quorum; a node that does not only follows the log. */
    public boolean isVoter() {
        return voters.isEmpty() || voters.containsKey(nodeId);
    }

    /** A single-node quorum. */
    public MetadataConfig(int nodeId, Path dir, String rpcHost, int rpcPort, int defaultNumPartitions,
                          short defaultReplicationFactor, ConfigValidator validator) {
        this(nodeId, dir, rpcHost, rpcPort, defaultNumPartitions, defaultReplicationFactor, validator, Map.of(),
                DEFAULT_SNAPSHOT_EVERY_ENTRIES, DEFAULT_BROKER_SESSION_TIMEOUT_MS, LeaderBalance.DEFAULT);
    }

    public MetadataConfig withVoters(Map<Integer, String> newVoters) {
        return new MetadataConfig(nodeId, dir, rpcHost, rpcPort, defaultNumPartitions, defaultReplicationFactor,
                validator, new TreeMap<>(newVoters), snapshotEveryEntries, brokerSessionTimeoutMs, leaderBalance);
    }

    public MetadataConfig withSnapshotEveryEntries(long entries) {
        return new MetadataConfig(nodeId, dir, rpcHost, rpcPort, defaultNumPartitions, defaultReplicationFactor,
                validator, voters, entries, brokerSessionTimeoutMs, leaderBalance);
    }

    public MetadataConfig withRpcPort(int port) {
        return new MetadataConfig(nodeId, dir, rpcHost, port, defaultNumPartitions, defaultReplicationFactor,
                validator, voters, snapshotEveryEntries, brokerSessionTimeoutMs, leaderBalance);
    }

    public MetadataConfig withBrokerSessionTimeoutMs(long timeoutMs) {
        return new MetadataConfig(nodeId, dir, rpcHost, rpcPort, defaultNumPartitions, defaultReplicationFactor,
                validator, voters, snapshotEveryEntries, timeoutMs, leaderBalance);
    }

    public MetadataConfig withLeaderBalance(LeaderBalance balance) {
        return new MetadataConfig(nodeId, dir, rpcHost, rpcPort, defaultNumPartitions, defaultReplicationFactor,
                validator, voters, snapshotEveryEntries, brokerSessionTimeoutMs, balance);
    }
}
