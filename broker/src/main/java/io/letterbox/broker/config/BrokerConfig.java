package io.letterbox.broker.config;

import static org.apache.kafka.common.config.ConfigDef.Importance.HIGH;
import static org.apache.kafka.common.config.ConfigDef.Importance.LOW;
import static org.apache.kafka.common.config.ConfigDef.Importance.MEDIUM;
import static org.apache.kafka.common.config.ConfigDef.Range.atLeast;
import static org.apache.kafka.common.config.ConfigDef.Range.between;
import static org.apache.kafka.common.config.ConfigDef.Type.BOOLEAN;
import static org.apache.kafka.common.config.ConfigDef.Type.INT;
import static org.apache.kafka.common.config.ConfigDef.Type.LIST;
import static org.apache.kafka.common.config.ConfigDef.Type.LONG;
import static org.apache.kafka.common.config.ConfigDef.Type.PASSWORD;
import static org.apache.kafka.common.config.ConfigDef.Type.SHORT;
import static org.apache.kafka.common.config.ConfigDef.Type.STRING;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;

import io.letterbox.broker.group.consumer.ConsumerGroupCoordinator;
import io.letterbox.metadata.ConfigValidator;
import io.letterbox.metadata.MetadataConfig;
import io.letterbox.storage.log.LogManager;
import io.letterbox.broker.group.consumer.PartitionAssignor;
import io.letterbox.metadata.LeaderBalance;

/**
 * The broker's static configuration: Kafka's key names, parsed from {@code server.properties}
 * and {@code --override} pairs. Immutable and thread-safe.
 *
 * <p>Keys named {@code log.*} (and a few others) are broker-wide defaults of topic-level keys;
 * {@link #TOPIC_DEFAULT_KEYS} maps each to its topic key, and {@link #topicDefaults(Map)} resolves
 * them, with dynamic broker configs (set by AlterConfigs) taking precedence over static ones.
 */
public final class BrokerConfig {

    public static final String NODE_ID = "node.id";
    public static final String BROKER_ID = "broker.id";
    public static final String PROCESS_ROLES = "process.roles";
    public static final String LISTENERS = "listeners";
    public static final String SECURITY_PROTOCOL_MAP = "listener.security.protocol.map";
    public static final String SASL_ENABLED_MECHANISMS = "sasl.enabled.mechanisms";
    public static final String SASL_INTER_BROKER_MECHANISM = "sasl.mechanism.inter.broker.protocol";
    /** A SASL/PLAIN listener's users, only as {@code listener.name.<listener>.plain.sasl.jaas.config}. */
    private static final String PLAIN_JAAS_CONFIG = "plain.sasl.jaas.config";
    private static final String PLAIN_MECHANISM = "PLAIN";
    /** Kafka's per-listener override of a key: {@code listener.name.<listener in lower case>.<key>}. */
    private static final String LISTENER_PREFIX = "listener.name.";
    public static final String ADVERTISED_LISTENERS = "advertised.listeners";
    public static final String OFFSETS_TOPIC_NUM_PARTITIONS = "offsets.topic.num.partitions";
    public static final String OFFSET_METADATA_MAX_BYTES = "offset.metadata.max.bytes";
    public static final String OFFSETS_RETENTION_MINUTES = "offsets.retention.minutes";
    public static final String OFFSETS_RETENTION_CHECK_INTERVAL_MS = "offsets.retention.check.interval.ms";
    public static final String LOG_DIRS = "log.dirs";
    public static final String LOG_DIR = "log.dir";
    public static final String NUM_PARTITIONS = "num.partitions";
    public static final String DEFAULT_REPLICATION_FACTOR = "default.replication.factor";
    public static final String AUTO_CREATE_TOPICS_ENABLE = "auto.create.topics.enable";
    public static final String DELETE_TOPIC_ENABLE = "delete.topic.enable";
    public static final String LOG_FLUSH_SYNCFS = "log.flush.syncfs";
    public static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
    public static final String NUM_NETWORK_THREADS = "num.network.threads";
    public static final String BROKER_RACK = "broker.rack";
    public static final String GROUP_MIN_SESSION_TIMEOUT_MS = "group.min.session.timeout.ms";
    public static final String GROUP_MAX_SESSION_TIMEOUT_MS = "group.max.session.timeout.ms";
    public static final String GROUP_MAX_SIZE = "group.max.size";
    public static final String GROUP_CONSUMER_SESSION_TIMEOUT_MS = "group.consumer.session.timeout.ms";
    public static final String GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS = "group.consumer.heartbeat.interval.ms";
    public static final String GROUP_CONSUMER_MIN_SESSION_TIMEOUT_MS = "group.consumer.min.session.timeout.ms";
    public static final String GROUP_CONSUMER_MAX_SESSION_TIMEOUT_MS = "group.consumer.max.session.timeout.ms";
    public static final String GROUP_CONSUMER_MIN_HEARTBEAT_INTERVAL_MS = "group.consumer.min.heartbeat.interval.ms";
    public static final String GROUP_CONSUMER_MAX_HEARTBEAT_INTERVAL_MS = "group.consumer.max.heartbeat.interval.ms";
    public static final String GROUP_CONSUMER_MAX_SIZE = "group.consumer.max.size";
    public static final String GROUP_CONSUMER_ASSIGNORS = "group.consumer.assignors";
    public static final String NUM_RECOVERY_THREADS_PER_DATA_DIR = "num.recovery.threads.per.data.dir";
    public static final String LOG_RETENTION_CHECK_INTERVAL_MS = "log.retention.check.interval.ms";
    public static final String LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS = "log.flush.offset.checkpoint.interval.ms";
    public static final String LOG_CLEANER_ENABLE = "log.cleaner.enable";
    public static final String LOG_CLEANER_THREADS = "log.cleaner.threads";
    public static final String LOG_CLEANER_BACKOFF_MS = "log.cleaner.backoff.ms";
    public static final String LOG_CLEANER_DEDUPE_BUFFER_SIZE = "log.cleaner.dedupe.buffer.size";
    public static final String LOG_CLEANER_IO_MAX_BYTES_PER_SECOND = "log.cleaner.io.max.bytes.per.second";

    /** Broker key → the topic-level key whose default it sets. */
    public static final String LEADER_REPLICATION_THROTTLED_RATE = "leader.replication.throttled.rate";
    public static final String FOLLOWER_REPLICATION_THROTTLED_RATE = "follower.replication.throttled.rate";

    public static final Map<String, String> TOPIC_DEFAULT_KEYS = orderedMap(
            "log.segment.bytes", "segment.bytes",
            "log.roll.ms", "segment.ms",
            "log.roll.hours", "segment.ms",
            "log.roll.jitter.ms", "segment.jitter.ms",
            "log.index.interval.bytes", "index.interval.bytes",
            "log.index.size.max.bytes", "segment.index.bytes",
            "message.max.bytes", "max.message.bytes",
            "log.message.timestamp.type", "message.timestamp.type",
            "log.message.timestamp.before.max.ms", "message.timestamp.before.max.ms",
            "log.message.timestamp.after.max.ms", "message.timestamp.after.max.ms",
            "log.retention.ms", "retention.ms",
            "log.retention.minutes", "retention.ms",
            "log.retention.hours", "retention.ms",
            "log.retention.bytes", "retention.bytes",
            "log.cleanup.policy", "cleanup.policy",
            "log.cleaner.delete.retention.ms", "delete.retention.ms",
            "log.cleaner.min.compaction.lag.ms", "min.compaction.lag.ms",
            "log.cleaner.max.compaction.lag.ms", "max.compaction.lag.ms",
            "log.cleaner.min.cleanable.ratio", "min.cleanable.dirty.ratio",
            "log.segment.delete.delay.ms", "file.delete.delay.ms",
            "min.insync.replicas", "min.insync.replicas",
            "unclean.leader.election.enable", "unclean.leader.election.enable",
            "compression.type", "compression.type",
            "log.flush.on.ack", "flush.on.ack");

    /** Every key the broker accepts. Topic-default keys have no default here: the topic's applies. */
    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(NODE_ID, INT, 1, atLeast(0), HIGH, "The id of this node in the cluster.")
            .define(BROKER_ID, INT, null, HIGH, "Older name of node.id; when set, it must equal node.id.")
            .define(PROCESS_ROLES, LIST, "broker,controller", ConfigDef.ValidList.in("broker", "controller"), HIGH,
                    "The roles of this node: broker (serves clients, holds partitions, follows the metadata log), "
                            + "controller (votes in the metadata quorum) or both.")
            .define(LISTENERS, STRING, "PLAINTEXT://localhost:9092", HIGH,
                    "Comma-separated NAME://host:port the broker binds; an empty host binds every interface.")
            .define(ADVERTISED_LISTENERS, STRING, null, HIGH,
                    "The addresses clients are told to use; defaults to listeners.")
            .define(LOG_DIRS, LIST, null, HIGH, "The directories that hold the data, comma-separated; a new partition goes "
                    + "to the one holding the fewest, an existing one stays where it is. Default: log.dir")
            .define(LOG_DIR, STRING, "./data", HIGH, "The data directory, used when log.dirs is not set.")
            .define(NUM_PARTITIONS, INT, 1, atLeast(1), MEDIUM, "The partitions of an auto-created topic.")
            .define(DEFAULT_REPLICATION_FACTOR, SHORT, (short) 1, atLeast(1), MEDIUM,
                    "The replication factor of an auto-created topic.")
            .define(AUTO_CREATE_TOPICS_ENABLE, BOOLEAN, true, MEDIUM,
                    "Create a topic when a client asks for metadata of one that does not exist.")
            .define(DELETE_TOPIC_ENABLE, BOOLEAN, true, MEDIUM, "Allow DeleteTopics.")
            .define(LOG_FLUSH_SYNCFS, BOOLEAN, true, LOW,
                    "When one group commit must fsync several partitions of a log directory, make them durable "
                            + "with one syncfs(2) of its file system instead of an fdatasync each: less CPU and "
                            + "sooner answers (Linux, JDK 22 or newer; elsewhere partitions are fsynced one by "
                            + "one). It also writes out whatever else waits on that file system: set false when a "
                            + "log directory shares its file system with other busy writers.")
            .define(SOCKET_REQUEST_MAX_BYTES, INT, 104857600, atLeast(1), MEDIUM,
                    "The largest request frame; a larger one closes the connection.")
            .define(NUM_NETWORK_THREADS, INT, Runtime.getRuntime().availableProcessors(), between(1, 256), LOW,
                    "The network threads (event loops) that read requests and run handlers.")
            .define(BROKER_RACK, STRING, null, LOW, "The rack of this broker, for rack-aware placement.")
            // Accepted for compatibility with Kafka's sample server.properties; tuning Letterbox does not need.
            .define("num.io.threads", INT, 8, atLeast(1), LOW, "Accepted for compatibility; handlers run on the network threads.")
            .define("socket.send.buffer.bytes", INT, 102400, LOW, "SO_SNDBUF of client sockets; -1 for the OS default.")
            .define("socket.receive.buffer.bytes", INT, 102400, LOW, "SO_RCVBUF of client sockets; -1 for the OS default.")
            .define(NUM_RECOVERY_THREADS_PER_DATA_DIR, INT, 2, atLeast(1), MEDIUM,
                    "Threads per log directory that open (and after a crash recover) its logs at start-up.")
            .define(LOG_RETENTION_CHECK_INTERVAL_MS, LONG, 300000L, atLeast(1), MEDIUM,
                    "How often segments past retention.ms or retention.bytes are looked for and deleted.")
            .define(LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS, INT, 60000, atLeast(1), LOW,
                    "How often each log's recovery point (the offset below which it is fsynced) is checkpointed; "
                            + "after a crash only data past it is checked.")
            .define(LOG_CLEANER_ENABLE, BOOLEAN, true, MEDIUM,
                    "Run the log cleaner, which compacts topics with cleanup.policy=compact (and so __consumer_offsets).")
            .define(LOG_CLEANER_THREADS, INT, 1, atLeast(0), MEDIUM, "Log cleaner threads; 0 runs none.")
            .define(LOG_CLEANER_BACKOFF_MS, LONG, 15000L, atLeast(0), MEDIUM,
                    "How long a cleaner thread waits when no log is cleanable.")
            .define(LOG_CLEANER_DEDUPE_BUFFER_SIZE, LONG, 134217728L, atLeast(1024), MEDIUM,
                    "Memory for the cleaners' key -> offset maps, shared out between the threads (24 bytes a key); "
                            + "a map is allocated as keys need it, up to its share.")
            .define(LOG_CLEANER_IO_MAX_BYTES_PER_SECOND, ConfigDef.Type.DOUBLE, Double.MAX_VALUE, atLeast(1), MEDIUM,
                    "The cleaners' disk reads plus writes per second, all threads together; unlimited by default.")
            .define("offsets.topic.replication.factor", SHORT, (short) 3, atLeast(1), LOW, "Replication factor of "
                    + "__consumer_offsets; capped at the live brokers when it is created (so one node works alone).")
            .define(OFFSETS_TOPIC_NUM_PARTITIONS, INT, 50, atLeast(1), LOW,
                    "Partitions of __consumer_offsets, fixed when it is created on first use; a group's partition is abs(hash(group)) % this.")
            .define(OFFSET_METADATA_MAX_BYTES, INT, 4096, atLeast(0), LOW,
                    "The largest metadata string an offset commit may carry.")
            .define(OFFSETS_RETENTION_MINUTES, INT, 10080, atLeast(1), HIGH,
                    "How long a group's committed offsets are kept once it has no members (a group without members"
                    + " ever: once committed), and offsets of topics its stable members no longer read.")
            .define(OFFSETS_RETENTION_CHECK_INTERVAL_MS, LONG, 600000L, atLeast(1), HIGH,
                    "How often expired committed offsets, and groups without members or offsets, are removed.")
            .define("transaction.state.log.replication.factor", SHORT, (short) 1, atLeast(1), LOW, "Replication factor of __transaction_state.")
            .define("transaction.state.log.min.isr", INT, 1, atLeast(1), LOW, "min.insync.replicas of __transaction_state.")
            .define("share.coordinator.state.topic.replication.factor", SHORT, (short) 1, atLeast(1), LOW, "Accepted for compatibility.")
            .define("share.coordinator.state.topic.min.isr", INT, 1, atLeast(1), LOW, "Accepted for compatibility.")
            .define("group.initial.rebalance.delay.ms", INT, 3000, atLeast(0), LOW, "Delay before the first rebalance of a new group.")
            .define(GROUP_MIN_SESSION_TIMEOUT_MS, INT, 6000, atLeast(1), MEDIUM,
                    "The shortest session.timeout.ms a classic group member may ask for.")
            .define(GROUP_MAX_SESSION_TIMEOUT_MS, INT, 1800000, atLeast(1), MEDIUM,
                    "The longest session.timeout.ms a classic group member may ask for.")
            .define(GROUP_MAX_SIZE, INT, Integer.MAX_VALUE, atLeast(1), MEDIUM,
                    "The most members a classic group may have; more are refused with GROUP_MAX_SIZE_REACHED.")
            .define(GROUP_CONSUMER_SESSION_TIMEOUT_MS, INT, 45000, atLeast(1), MEDIUM,
                    "How long a consumer-protocol (KIP-848) member may go without a heartbeat before it is fenced.")
            .define(GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS, INT, 5000, atLeast(1), MEDIUM,
                    "The heartbeat interval the coordinator tells consumer-protocol members; below the session timeout.")
            .define(GROUP_CONSUMER_MIN_SESSION_TIMEOUT_MS, INT, 45000, atLeast(1), LOW,
                    "The lowest group.consumer.session.timeout.ms allowed.")
            .define(GROUP_CONSUMER_MAX_SESSION_TIMEOUT_MS, INT, 60000, atLeast(1), LOW,
                    "The highest group.consumer.session.timeout.ms allowed.")
            .define(GROUP_CONSUMER_MIN_HEARTBEAT_INTERVAL_MS, INT, 5000, atLeast(1), LOW,
                    "The lowest group.consumer.heartbeat.interval.ms allowed.")
            .define(GROUP_CONSUMER_MAX_HEARTBEAT_INTERVAL_MS, INT, 15000, atLeast(1), LOW,
                    "The highest group.consumer.heartbeat.interval.ms allowed.")
            .define(GROUP_CONSUMER_MAX_SIZE, INT, Integer.MAX_VALUE, atLeast(1), MEDIUM,
                    "The most members a consumer-protocol group may have; more are refused with GROUP_MAX_SIZE_REACHED.")
            .define(GROUP_CONSUMER_ASSIGNORS, LIST, "uniform,range", MEDIUM,
                    "The server-side assignors consumer-protocol members may choose (uniform, range); the first is the "
                            + "default. Kafka's assignor class names are accepted for these two.")
            .define(ClusterConfig.CONTROLLER_QUORUM_VOTERS, LIST, "", HIGH, "The metadata quorum's voters: "
                    + "id@host:port,... (each the voter's controller listener). Empty: a single node.")
            .define("controller.quorum.bootstrap.servers", LIST, "", LOW, "Accepted for compatibility.")
            .define(ClusterConfig.CONTROLLER_LISTENER_NAMES, LIST, "", HIGH, "The listener the metadata quorum's "
                    + "Raft server binds (the first name); clients are not served on it.")
            .define(ClusterConfig.BROKER_HEARTBEAT_INTERVAL_MS, LONG, 2000L, atLeast(1), MEDIUM,
                    "How often the broker tells the active controller it is alive.")
            .define(ClusterConfig.BROKER_SESSION_TIMEOUT_MS, LONG, 9000L, atLeast(1), MEDIUM,
                    "The controller fences a broker (clients stop being told of it) after this long without a "
                            + "heartbeat; sooner, once silent for a third of it, if its metadata port refuses "
                            + "connections (its process is gone).")
            .define("auto.leader.rebalance.enable", BOOLEAN, true, HIGH, "The active controller moves "
                    + "leaderships back to preferred replicas (each partition's first replica) when a broker's share "
                    + "of them led elsewhere exceeds leader.imbalance.per.broker.percentage.")
            .define("leader.imbalance.check.interval.seconds", LONG, 300L, atLeast(1), HIGH,
                    "How often the active controller checks leader balance.")
            .define("leader.imbalance.per.broker.percentage", INT, 10, between(0, 100), HIGH, "The share (percent) "
                    + "of a broker's preferred partitions led by others above which they are moved back.")
            .define("inter.broker.listener.name", STRING, null, LOW, "The listener followers fetch from leaders "
                    + "on (default: the first advertised listener).")
            .define("replica.lag.time.max.ms", LONG, 30000L, atLeast(1), MEDIUM, "A follower that has not caught up "
                    + "to the leader's log end for this long leaves the ISR.")
            .define("num.replica.fetchers", INT, 1, atLeast(1), MEDIUM,
                    "Fetcher threads (and connections) per source broker.")
            .define("replica.fetch.max.bytes", INT, 1048576, atLeast(0), MEDIUM, "The most bytes a follower asks "
                    + "for per partition (a larger first batch still comes whole).")
            .define("replica.fetch.response.max.bytes", INT, 10485760, atLeast(0), LOW,
                    "The most bytes a follower asks for per fetch.")
            .define("replica.fetch.wait.max.ms", INT, 500, atLeast(0), LOW,
                    "How long a follower's fetch waits at the leader for new records.")
            .define("replica.fetch.backoff.ms", INT, 1000, atLeast(0), LOW,
                    "How long a follower waits after a failed fetch before the next.")
            .define("replica.socket.timeout.ms", INT, 30000, atLeast(1), LOW,
                    "A follower's fetch that gets no answer in this long is retried on a new connection.")
            .define(LEADER_REPLICATION_THROTTLED_RATE, LONG, Long.MAX_VALUE, atLeast(0), MEDIUM, "The bytes per "
                    + "second this broker sends, as a leader, to the out-of-sync replicas a topic's "
                    + "leader.replication.throttled.replicas names (a partition move). Dynamic.")
            .define(FOLLOWER_REPLICATION_THROTTLED_RATE, LONG, Long.MAX_VALUE, atLeast(0), MEDIUM, "The bytes per "
                    + "second this broker fetches, as an out-of-sync follower, for the replicas a topic's "
                    + "follower.replication.throttled.replicas names. Dynamic.")
            .define("replication.quota.window.num", INT, 11, atLeast(2), LOW,
                    "Windows the replication throttles measure their rate over.")
            .define("replication.quota.window.size.seconds", INT, 1, atLeast(1), LOW,
                    "The length of each replication throttle window.")
            .define(SECURITY_PROTOCOL_MAP, STRING, null, LOW, "Listener name to security protocol, "
                    + "NAME:PROTOCOL,...: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL. A listener named after a protocol needs no entry; "
                    + "any other name not listed is PLAINTEXT.")
            .define(SASL_ENABLED_MECHANISMS, LIST, "PLAIN", MEDIUM, "The SASL mechanisms SASL_PLAINTEXT and "
                    + "SASL_SSL listeners accept: PLAIN, with the users of "
                    + "listener.name.<listener>.plain.sasl.jaas.config (user_<name>=\"<password>\").")
            .define(SASL_INTER_BROKER_MECHANISM, STRING, "PLAIN", MEDIUM, "How followers log in to leaders when "
                    + "the inter-broker listener is a SASL one: PLAIN, as the username and password of that "
                    + "listener's JAAS line.")
            .define(TlsConfig.KEYSTORE_TYPE, STRING, "JKS", LOW, "The format of the key store: JKS or PKCS12.")
            .define(TlsConfig.KEYSTORE_LOCATION, STRING, null, HIGH, "The key store with an SSL listener's "
                    + "certificate and private key.")
            .define(TlsConfig.KEYSTORE_PASSWORD, PASSWORD, null, HIGH, "The key store's password.")
            .define(TlsConfig.KEY_PASSWORD, PASSWORD, null, HIGH, "The private key's password (default: the key "
                    + "store's).")
            .define(TlsConfig.TRUSTSTORE_TYPE, STRING, "JKS", LOW, "The format of the trust store: JKS or PKCS12.")
            .define(TlsConfig.TRUSTSTORE_LOCATION, STRING, null, HIGH, "The certificates an SSL listener trusts: "
                    + "client certificates under ssl.client.auth, and leaders a follower fetches from over SSL "
                    + "(default: the JDK's).")
            .define(TlsConfig.TRUSTSTORE_PASSWORD, PASSWORD, null, HIGH, "The trust store's password.")
            .define(TlsConfig.CLIENT_AUTH, STRING, "none", ConfigDef.ValidString.in("none", "requested", "required"),
                    MEDIUM, "Whether SSL clients must present a trusted certificate: none, requested or required.")
            .define(TlsConfig.PROTOCOL, STRING, "TLSv1.3", MEDIUM, "The TLS protocol of the SSL context.")
            .define(TlsConfig.ENABLED_PROTOCOLS, LIST, "TLSv1.2,TLSv1.3", MEDIUM, "The TLS versions SSL listeners "
                    + "accept.")
            .define(TlsConfig.CIPHER_SUITES, LIST, "", LOW, "The cipher suites SSL listeners accept (empty: the "
                    + "JDK's defaults).")
            .define(TlsConfig.ENDPOINT_IDENTIFICATION, STRING, "https", LOW, "How a follower checks the leader's "
                    + "certificate against its host name over SSL: https, or empty for no check.")
            // Topic-level defaults: validated against the topic definition, no broker default.
            .define("log.segment.bytes", INT, null, MEDIUM, "Default segment.bytes: the largest segment file.")
            .define("log.roll.ms", LONG, null, MEDIUM, "Default segment.ms: roll a segment this old.")
            .define("log.roll.hours", INT, null, MEDIUM, "Default segment.ms in hours (log.roll.ms wins).")
            .define("log.roll.jitter.ms", LONG, null, LOW, "Default segment.jitter.ms.")
            .define("log.index.interval.bytes", INT, null, LOW, "Default index.interval.bytes.")
            .define("log.index.size.max.bytes", INT, null, LOW, "Default segment.index.bytes.")
            .define("message.max.bytes", INT, null, MEDIUM, "Default max.message.bytes: the largest record batch.")
            .define("log.message.timestamp.type", STRING, null, MEDIUM, "Default message.timestamp.type.")
            .define("log.message.timestamp.before.max.ms", LONG, null, LOW, "Default message.timestamp.before.max.ms.")
            .define("log.message.timestamp.after.max.ms", LONG, null, LOW, "Default message.timestamp.after.max.ms.")
            .define("log.retention.ms", LONG, null, MEDIUM, "Default retention.ms (-1: keep forever).")
            .define("log.retention.minutes", INT, null, MEDIUM, "Default retention.ms in minutes (log.retention.ms wins).")
            .define("log.retention.hours", INT, null, MEDIUM, "Default retention.ms in hours (minutes and ms win).")
            .define("log.retention.bytes", LONG, null, MEDIUM, "Default retention.bytes (-1: no limit).")
            .define("log.cleanup.policy", LIST, null, MEDIUM, "Default cleanup.policy.")
            .define("log.cleaner.delete.retention.ms", LONG, null, LOW, "Default delete.retention.ms.")
            .define("log.cleaner.min.compaction.lag.ms", LONG, null, LOW, "Default min.compaction.lag.ms.")
            .define("log.cleaner.max.compaction.lag.ms", LONG, null, LOW, "Default max.compaction.lag.ms.")
            .define("log.cleaner.min.cleanable.ratio", ConfigDef.Type.DOUBLE, null, LOW, "Default min.cleanable.dirty.ratio.")
            .define("log.segment.delete.delay.ms", LONG, null, LOW, "Default file.delete.delay.ms.")
            .define("min.insync.replicas", INT, null, MEDIUM, "Default min.insync.replicas.")
            .define("unclean.leader.election.enable", BOOLEAN, null, LOW, "Default unclean.leader.election.enable.")
            .define("compression.type", STRING, null, LOW, "Default compression.type (only 'producer': batches are stored as received).")
            .define("log.flush.on.ack", BOOLEAN, null, HIGH,
                    "Answer acks=all only after fsync, and let consumers read only fsynced records (default true). "
                            + "false gives Kafka's page-cache behaviour.");

    private final Map<String, String> originals;
    private final Map<String, Object> values;
    private final List<Endpoint> listeners;
    private final Map<String, SecurityProtocol> protocols;
    private final Map<String, ListenerSecurity> security;
    private final ClusterConfig cluster;
    private final List<Endpoint> advertisedListeners;
    private final List<Path> logDirs;
    private final ConsumerGroupCoordinator.Config consumerGroupConfig;

    private BrokerConfig(Map<String, String> originals) {
        this.originals = Collections.unmodifiableMap(new TreeMap<>(originals));
        for (String key : originals.keySet()) {
            if (!CONFIG_DEF.names().contains(key) && !isListenerKey(key)) {
                throw new ConfigException("Unknown configuration '" + key + "'; see docs for the supported keys");
            }
        }
        this.values = CONFIG_DEF.parse(originals);
        Integer brokerId = (Integer) values.get(BROKER_ID);
        if (brokerId != null && originals.containsKey(NODE_ID) && brokerId.intValue() != nodeId()) {
            throw new ConfigException(BROKER_ID, brokerId, "must equal node.id (" + nodeId() + ")");
        }
        List<Endpoint> allListeners = Endpoint.parseList(LISTENERS, (String) values.get(LISTENERS));
        this.cluster = ClusterConfig.parse(nodeId(), list(PROCESS_ROLES), list(ClusterConfig.CONTROLLER_QUORUM_VOTERS),
                list(ClusterConfig.CONTROLLER_LISTENER_NAMES), allListeners,
                (Long) values.get(ClusterConfig.BROKER_HEARTBEAT_INTERVAL_MS),
                (Long) values.get(ClusterConfig.BROKER_SESSION_TIMEOUT_MS));
        this.protocols = securityProtocols(allListeners, cluster.controllerListener());
        this.listeners = allListeners.stream().filter(e -> !e.equals(cluster.controllerListener())).toList();
        Map<String, ListenerSecurity> byListener = new TreeMap<>();
        for (Endpoint e : listeners) {
            String name = e.listenerName();
            SecurityProtocol protocol = protocols.get(name);
            TlsConfig tls = protocol == SecurityProtocol.SSL || protocol == SecurityProtocol.SASL_SSL
                    ? TlsConfig.load(name, key -> listenerValue(name, key)) : null;
            PlainUsers users = protocol == SecurityProtocol.SASL_PLAINTEXT || protocol == SecurityProtocol.SASL_SSL
                    ? plainUsers(name) : null;
            byListener.put(name, new ListenerSecurity(protocol, tls, users));
        }
        this.security = Collections.unmodifiableMap(byListener);
        if (listeners.isEmpty() && cluster.broker()) {
            throw new ConfigException(LISTENERS, values.get(LISTENERS), "no listener for clients besides "
                    + cluster.controllerListener().listenerName());
        }
        String advertised = (String) values.get(ADVERTISED_LISTENERS);
        this.advertisedListeners = (advertised == null ? advertisable(listeners)
                : Endpoint.parseList(ADVERTISED_LISTENERS, advertised)).stream()
                .filter(e -> cluster.controllerListener() == null
                        || !e.listenerName().equals(cluster.controllerListener().listenerName()))
                .toList();
        ListenerSecurity interBroker = cluster.broker() ? security(interBrokerListener()) : ListenerSecurity.PLAINTEXT;
        if (!cluster.voters().isEmpty() && interBroker.sasl()) {
            String mechanism = (String) values.get(SASL_INTER_BROKER_MECHANISM);
            if (!mechanism.equals(PLAIN_MECHANISM)) {
                throw new ConfigException(SASL_INTER_BROKER_MECHANISM, mechanism, "only PLAIN is supported yet");
            }
            if (interBroker.plainUsers().login() == null) {
                throw new ConfigException(LISTENER_PREFIX + interBrokerListener().toLowerCase(Locale.ROOT) + "."
                        + PLAIN_JAAS_CONFIG, "(hidden)", "followers log in to leaders on this inter-broker "
                        + "listener: add username=\"...\" password=\"...\" (one of its user_ entries)");
            }
        }
        @SuppressWarnings("unchecked")
        List<String> dirs = (List<String>) values.get(LOG_DIRS);
        if (dirs == null || dirs.isEmpty()) {
            dirs = List.of((String) values.get(LOG_DIR));
        }
        this.logDirs = dirs.stream().map(d -> Path.of(d).toAbsolutePath().normalize()).toList();
        validateTopicDefaults();
        this.consumerGroupConfig = parseConsumerGroupConfig();
    }

    /** {@code listener.name.<listener>.<key>} for a TLS or SASL key, or the listener's PLAIN JAAS line. */
    private static boolean isListenerKey(String key) {
        if (!key.startsWith(LISTENER_PREFIX)) {
            return false;
        }
        String rest = key.substring(LISTENER_PREFIX.length());
        int dot = rest.indexOf('.');
        String own = dot > 0 ? rest.substring(dot + 1) : "";
        return TlsConfig.KEYS.contains(own) || own.equals(SASL_ENABLED_MECHANISMS) || own.equals(PLAIN_JAAS_CONFIG);
    }

    /**
     * The users of a SASL listener: only PLAIN so far, from its JAAS line, as Kafka's brokers
     * take it ({@code listener.name.<listener>.plain.sasl.jaas.config}).
     */
    private PlainUsers plainUsers(String listener) {
        String mechanisms = listenerValue(listener, SASL_ENABLED_MECHANISMS);
        for (String m : mechanisms.split(",")) {
            if (!m.trim().equals(PLAIN_MECHANISM)) {
                throw new ConfigException(SASL_ENABLED_MECHANISMS, mechanisms, "listener " + listener + ": "
                        + m.trim() + " is not supported yet; PLAIN is (over SASL_SSL, or on a trusted network)");
            }
        }
        String key = LISTENER_PREFIX + listener.toLowerCase(Locale.ROOT) + "." + PLAIN_JAAS_CONFIG;
        return PlainUsers.parse(key, originals.get(key));
    }

    /** A listener's value of a key: its {@code listener.name.} override, else the plain key's. */
    private String listenerValue(String listener, String key) {
        String own = originals.get(LISTENER_PREFIX + listener.toLowerCase(Locale.ROOT) + "." + key);
        if (own != null) {
            return own;
        }
        Object v = values.get(key);
        if (v instanceof org.apache.kafka.common.config.types.Password p) {
            return p.value();
        }
        return v == null ? null : ConfigDef.convertToString(v, CONFIG_DEF.configKeys().get(key).type);
    }

    /**
     * Each listener's protocol, from {@code listener.security.protocol.map}: as Kafka, a listener
     * named after a protocol needs no entry; unlike Kafka, another name without one is PLAINTEXT
     * (so {@code CONTROLLER://} works unmapped). SASL is refused, as is TLS on the controller
     * listener, whose quorum traffic is plaintext.
     */
    private Map<String, SecurityProtocol> securityProtocols(List<Endpoint> all, Endpoint controller) {
        Map<String, SecurityProtocol> map = new TreeMap<>();
        String value = (String) values.get(SECURITY_PROTOCOL_MAP);
        if (value != null) {
            for (String item : value.split(",")) {
                String entry = item.trim();
                if (entry.isEmpty()) {
                    continue;
                }
                int colon = entry.indexOf(':');
                if (colon <= 0) {
                    throw new ConfigException(SECURITY_PROTOCOL_MAP, value, "each entry must look like NAME:PROTOCOL");
                }
                String protocol = entry.substring(colon + 1).trim().toUpperCase(Locale.ROOT);
                if (!SecurityProtocol.names().contains(protocol)) {
                    throw new ConfigException(SECURITY_PROTOCOL_MAP, value, "unknown security protocol " + protocol
                            + " (PLAINTEXT or SSL)");
                }
                map.put(entry.substring(0, colon).trim().toUpperCase(Locale.ROOT), SecurityProtocol.forName(protocol));
            }
        }
        Map<String, SecurityProtocol> out = new TreeMap<>();
        for (Endpoint e : all) {
            String name = e.listenerName();
            SecurityProtocol p = map.getOrDefault(name,
                    SecurityProtocol.names().contains(name) ? SecurityProtocol.forName(name) : SecurityProtocol.PLAINTEXT);
            if (p != SecurityProtocol.PLAINTEXT && controller != null && name.equals(controller.listenerName())) {
                throw new ConfigException(SECURITY_PROTOCOL_MAP, value, "the controller listener " + name
                        + " must be PLAINTEXT: the metadata quorum does not speak TLS or SASL yet");
            }
            out.put(name, p);
        }
        return Collections.unmodifiableMap(out);
    }

    /** The security protocol of a listener of this node (PLAINTEXT for a name it does not have). */
    public SecurityProtocol securityProtocol(String listenerName) {
        return protocols.getOrDefault(listenerName, SecurityProtocol.PLAINTEXT);
    }

    /** How a listener of this node secures its connections. */
    public ListenerSecurity security(String listenerName) {
        return security.getOrDefault(listenerName, ListenerSecurity.PLAINTEXT);
    }

    /** The TLS settings of an SSL listener, or null for a plaintext one. */
    public TlsConfig tls(String listenerName) {
        return security(listenerName).tls();
    }

    /** Fails now, naming the broker key, on a topic default the topic definition refuses. */
    private void validateTopicDefaults() {
        for (String key : TOPIC_DEFAULT_KEYS.keySet()) {
            if (originals.containsKey(key)) {
                try {
                    io.letterbox.storage.config.LogConfig.of(Map.of(), topicDefaults(Map.of(key, originals.get(key))));
                } catch (org.apache.kafka.common.errors.InvalidConfigurationException e) {
                    throw new ConfigException(key, originals.get(key), e.getMessage());
                }
            }
        }
    }

    /**
     * Parses a configuration.
     *
     * @throws ConfigException naming the key and what is wrong, for an unknown key or a bad value
     */
    public static BrokerConfig parse(Map<String, String> props) {
        return new BrokerConfig(props);
    }

    public int nodeId() {
        Integer brokerId = (Integer) values.get(BROKER_ID);
        return originals.containsKey(NODE_ID) || brokerId == null ? (Integer) values.get(NODE_ID) : brokerId;
    }

    /** The listeners clients are served on: every listener but the controller listener. */
    public List<Endpoint> listeners() {
        return listeners;
    }

    /**
     * How this node runs its metadata log, in {@code log.dirs[0]/metadata}. The Raft server binds
     * the controller listener on a voter; on a broker-only node, a port on the host of its first
     * advertised listener (which the controllers can reach); on a single node, a free loopback port.
     */
    public MetadataConfig metadataConfig(ConfigValidator validator) {
        Endpoint controller = cluster.controllerListener();
        String host = controller != null ? controller.host()
                : cluster.voters().isEmpty() ? "127.0.0.1" : advertisedListeners.get(0).host();
        return new MetadataConfig(nodeId(), logDirs.get(0).resolve(LogManager.METADATA_DIR), host,
                controller == null ? 0 : controller.port(), numPartitions(), defaultReplicationFactor(), validator)
                .withVoters(cluster.voters())
                .withBrokerSessionTimeoutMs(cluster.sessionTimeoutMs())
                .withLeaderBalance(leaderBalance());
    }

    /** How this node takes part in the metadata quorum. */
    public ClusterConfig cluster() {
        return cluster;
    }

    @SuppressWarnings("unchecked")
    private List<String> list(String key) {
        return (List<String>) values.get(key);
    }

    public List<Endpoint> advertisedListeners() {
        return advertisedListeners;
    }

    public List<Path> logDirs() {
        return logDirs;
    }

    public int numPartitions() {
        return (Integer) values.get(NUM_PARTITIONS);
    }

    public short defaultReplicationFactor() {
        return (Short) values.get(DEFAULT_REPLICATION_FACTOR);
    }

    public boolean autoCreateTopics() {
        return (Boolean) values.get(AUTO_CREATE_TOPICS_ENABLE);
    }

    public boolean deleteTopicEnable() {
        return (Boolean) values.get(DELETE_TOPIC_ENABLE);
    }

    public boolean logFlushSyncfs() {
        return (Boolean) values.get(LOG_FLUSH_SYNCFS);
    }

    public int socketRequestMaxBytes() {
        return (Integer) values.get(SOCKET_REQUEST_MAX_BYTES);
    }

    public int numNetworkThreads() {
        return (Integer) values.get(NUM_NETWORK_THREADS);
    }

    public String rack() {
        return (String) values.get(BROKER_RACK);
    }

    public int offsetsTopicNumPartitions() {
        return (Integer) values.get(OFFSETS_TOPIC_NUM_PARTITIONS);
    }

    public short offsetsTopicReplicationFactor() {
        return (Short) values.get("offsets.topic.replication.factor");
    }

    /** The listener followers fetch from leaders on: {@code inter.broker.listener.name}, else the first advertised. */
    private String interBrokerListener() {
        String listener = (String) values.get("inter.broker.listener.name");
        return listener != null ? listener : advertisedListeners.get(0).listenerName();
    }

    /** The replication settings a follower and a leader use. */
    public ReplicationConfig replication() {
        String listener = interBrokerListener();
        return new ReplicationConfig(listener, (Long) values.get("replica.lag.time.max.ms"),
                (Integer) values.get("num.replica.fetchers"), (Integer) values.get("replica.fetch.max.bytes"),
                (Integer) values.get("replica.fetch.response.max.bytes"), (Integer) values.get("replica.fetch.wait.max.ms"),
                (Integer) values.get("replica.fetch.backoff.ms"), (Integer) values.get("replica.socket.timeout.ms"),
                (Long) values.get(LEADER_REPLICATION_THROTTLED_RATE), (Long) values.get(FOLLOWER_REPLICATION_THROTTLED_RATE),
                (Integer) values.get("replication.quota.window.num"),
                (Integer) values.get("replication.quota.window.size.seconds") * 1000L, tls(listener),
                security(listener).sasl() ? security(listener).plainUsers().login() : null);
    }

    /** The automatic leader rebalance settings of the active controller. */
    public LeaderBalance leaderBalance() {
        return new LeaderBalance((Boolean) values.get("auto.leader.rebalance.enable"),
                (Long) values.get("leader.imbalance.check.interval.seconds") * 1000,
                (Integer) values.get("leader.imbalance.per.broker.percentage"));
    }

    public int offsetMetadataMaxBytes() {
        return (Integer) values.get(OFFSET_METADATA_MAX_BYTES);
    }

    /** {@code offsets.retention.minutes} in milliseconds. */
    public long offsetsRetentionMs() {
        return (Integer) values.get(OFFSETS_RETENTION_MINUTES) * 60_000L;
    }

    public long offsetsRetentionCheckIntervalMs() {
        return (Long) values.get(OFFSETS_RETENTION_CHECK_INTERVAL_MS);
    }

    public int socketSendBufferBytes() {
        return (Integer) values.get("socket.send.buffer.bytes");
    }

    public int socketReceiveBufferBytes() {
        return (Integer) values.get("socket.receive.buffer.bytes");
    }

    public int numRecoveryThreadsPerDataDir() {
        return (Integer) values.get(NUM_RECOVERY_THREADS_PER_DATA_DIR);
    }

    public long logRetentionCheckIntervalMs() {
        return (Long) values.get(LOG_RETENTION_CHECK_INTERVAL_MS);
    }

    public int logFlushOffsetCheckpointIntervalMs() {
        return (Integer) values.get(LOG_FLUSH_OFFSET_CHECKPOINT_INTERVAL_MS);
    }

    /** The log cleaner's settings, or empty when {@code log.cleaner.enable=false} or no threads. */
    public java.util.Optional<io.letterbox.storage.log.LogCleaner.Config> logCleanerConfig() {
        int threads = (Integer) values.get(LOG_CLEANER_THREADS);
        if (!(Boolean) values.get(LOG_CLEANER_ENABLE) || threads == 0) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new io.letterbox.storage.log.LogCleaner.Config(threads,
                (Long) values.get(LOG_CLEANER_BACKOFF_MS), (Long) values.get(LOG_CLEANER_DEDUPE_BUFFER_SIZE),
                (Double) values.get(LOG_CLEANER_IO_MAX_BYTES_PER_SECOND)));
    }

    /** The classic group coordinator's limits ({@code group.*} keys). */
    public io.letterbox.broker.group.ClassicGroupCoordinator.Limits classicGroupLimits() {
        return new io.letterbox.broker.group.ClassicGroupCoordinator.Limits(
                (Integer) values.get(GROUP_MIN_SESSION_TIMEOUT_MS), (Integer) values.get(GROUP_MAX_SESSION_TIMEOUT_MS),
                (Integer) values.get(GROUP_MAX_SIZE), (Integer) values.get("group.initial.rebalance.delay.ms"));
    }

    /** The KIP-848 coordinator's settings ({@code group.consumer.*} keys). */
    public ConsumerGroupCoordinator.Config consumerGroupConfig() {
        return consumerGroupConfig;
    }

    private ConsumerGroupCoordinator.Config parseConsumerGroupConfig() {
        int session = withinBounds(GROUP_CONSUMER_SESSION_TIMEOUT_MS, GROUP_CONSUMER_MIN_SESSION_TIMEOUT_MS,
                GROUP_CONSUMER_MAX_SESSION_TIMEOUT_MS);
        int heartbeat = withinBounds(GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS, GROUP_CONSUMER_MIN_HEARTBEAT_INTERVAL_MS,
                GROUP_CONSUMER_MAX_HEARTBEAT_INTERVAL_MS);
        if (heartbeat >= session) {
            throw new ConfigException(GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS, heartbeat,
                    "must be less than " + GROUP_CONSUMER_SESSION_TIMEOUT_MS + " (" + session + ")");
        }
        @SuppressWarnings("unchecked")
        List<String> names = (List<String>) values.get(GROUP_CONSUMER_ASSIGNORS);
        List<PartitionAssignor> assignors = new java.util.ArrayList<>();
        for (String name : names) {
            PartitionAssignor assignor = PartitionAssignor.byName(name);
            if (assignor == null) {
                throw new ConfigException(GROUP_CONSUMER_ASSIGNORS, names, "unknown assignor " + name
                        + "; Letterbox has uniform and range");
            }
            assignors.add(assignor);
        }
        if (assignors.isEmpty()) {
            throw new ConfigException(GROUP_CONSUMER_ASSIGNORS, names, "at least one assignor is needed");
        }
        return new ConsumerGroupCoordinator.Config(session, heartbeat,
                (Integer) values.get(GROUP_CONSUMER_MAX_SIZE), assignors);
    }

    /** The value of {@code key}, checked against the keys of its lowest and highest allowed values, as Kafka does. */
    private int withinBounds(String key, String minKey, String maxKey) {
        int value = (Integer) values.get(key);
        int min = (Integer) values.get(minKey);
        int max = (Integer) values.get(maxKey);
        if (value < min || value > max) {
            throw new ConfigException(key, value, "must be between " + minKey + " (" + min + ") and " + maxKey
                    + " (" + max + ")");
        }
        return value;
    }

    /** The keys the operator set, as given. */
    public Map<String, String> originals() {
        return originals;
    }

    /** Every key's effective value as a string (null when unset and without default). */
    public Map<String, String> valuesAsStrings() {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, ConfigDef.ConfigKey> e : CONFIG_DEF.configKeys().entrySet()) {
            Object v = values.get(e.getKey());
            out.put(e.getKey(), v == null ? null : ConfigDef.convertToString(v, e.getValue().type));
        }
        return out;
    }

    /**
     * The topic-level defaults this broker gives topics: the static {@code log.*} keys with
     * {@code dynamic} (broker configs set at run time, already merged cluster-wide then per
     * broker) over them. Only keys that are set appear; the topic definition supplies the rest.
     */
    public Map<String, String> topicDefaults(Map<String, String> dynamic) {
        Map<String, String> merged = new LinkedHashMap<>(originals);
        merged.putAll(dynamic);
        Map<String, String> out = new LinkedHashMap<>();
        // The more precise unit wins, as in Kafka: ms over minutes over hours.
        putScaled(out, merged, "segment.ms", "log.roll.hours", 3_600_000L);
        putScaled(out, merged, "segment.ms", "log.roll.ms", 1L);
        putScaled(out, merged, "retention.ms", "log.retention.hours", 3_600_000L);
        putScaled(out, merged, "retention.ms", "log.retention.minutes", 60_000L);
        putScaled(out, merged, "retention.ms", "log.retention.ms", 1L);
        for (Map.Entry<String, String> e : TOPIC_DEFAULT_KEYS.entrySet()) {
            String topicKey = e.getValue();
            if (!topicKey.equals("segment.ms") && !topicKey.equals("retention.ms") && merged.containsKey(e.getKey())) {
                out.put(topicKey, merged.get(e.getKey()).trim());
            }
        }
        return out;
    }

    /** Keys that AlterConfigs may change on a running broker: the topic defaults and the replication throttles. */
    public static Set<String> dynamicKeys() {
        return DYNAMIC_KEYS;
    }

    private static final Set<String> DYNAMIC_KEYS = dynamicKeySet();

    private static Set<String> dynamicKeySet() {
        Set<String> keys = new LinkedHashSet<>(TOPIC_DEFAULT_KEYS.keySet());
        keys.add(LEADER_REPLICATION_THROTTLED_RATE);
        keys.add(FOLLOWER_REPLICATION_THROTTLED_RATE);
        return Collections.unmodifiableSet(keys);
    }

    private static void putScaled(Map<String, String> out, Map<String, String> merged, String topicKey,
            String brokerKey, long scale) {
        String v = merged.get(brokerKey);
        if (v == null) {
            return;
        }
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(brokerKey, v, "expected a whole number");
        }
        out.put(topicKey, Long.toString(n < 0 ? -1 : n * scale));
    }

    private static List<Endpoint> advertisable(List<Endpoint> bound) {
        return bound.stream()
                .map(e -> e.host().isEmpty() || e.host().equals("0.0.0.0") || e.host().equals("::")
                        ? new Endpoint(e.listenerName(), "localhost", e.port()) : e)
                .toList();
    }

    private static Map<String, String> orderedMap(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }
}
