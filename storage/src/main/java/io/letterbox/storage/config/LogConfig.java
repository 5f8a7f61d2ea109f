package io.letterbox.storage.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidList;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidConfigurationException;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The topic-level configuration of one partition log, with Kafka's key names.
 *
 * <p>Effective value of a key = topic override, else the broker's topic default (the
 * {@code log.*} broker keys translated by the caller), else {@link #CONFIG_DEF}'s default.
 * Every value is validated on construction; the compaction keys are stored and validated before
 * Letterbox acts on them.
 *
 * <p>Thread-safety: immutable.
 */
public final class LogConfig {

    public static final String SEGMENT_BYTES = "segment.bytes";
    public static final String SEGMENT_MS = "segment.ms";
    public static final String SEGMENT_JITTER_MS = "segment.jitter.ms";
    public static final String SEGMENT_INDEX_BYTES = "segment.index.bytes";
    public static final String INDEX_INTERVAL_BYTES = "index.interval.bytes";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String MESSAGE_TIMESTAMP_TYPE = "message.timestamp.type";
    public static final String MESSAGE_TIMESTAMP_BEFORE_MAX_MS = "message.timestamp.before.max.ms";
    public static final String MESSAGE_TIMESTAMP_AFTER_MAX_MS = "message.timestamp.after.max.ms";
    public static final String RETENTION_MS = "retention.ms";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String DELETE_RETENTION_MS = "delete.retention.ms";
    public static final String MIN_COMPACTION_LAG_MS = "min.compaction.lag.ms";
    public static final String MAX_COMPACTION_LAG_MS = "max.compaction.lag.ms";
    public static final String MIN_CLEANABLE_DIRTY_RATIO = "min.cleanable.dirty.ratio";
    public static final String FILE_DELETE_DELAY_MS = "file.delete.delay.ms";
    public static final String MIN_IN_SYNC_REPLICAS = "min.insync.replicas";
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";
    public static final String COMPRESSION_TYPE = "compression.type";
    public static final String FLUSH_ON_ACK = "flush.on.ack";
    public static final String LEADER_REPLICATION_THROTTLED_REPLICAS = "leader.replication.throttled.replicas";
    public static final String FOLLOWER_REPLICATION_THROTTLED_REPLICAS = "follower.replication.throttled.replicas";

    public static final String CLEANUP_POLICY_DELETE = "delete";
    public static final String CLEANUP_POLICY_COMPACT = "compact";

    public static final String CREATE_TIME = "CreateTime";
    public static final String LOG_APPEND_TIME = "LogAppendTime";

    /** Only value accepted for {@code compression.type}: batches are stored exactly as the producer sent them. */
    public static final String PRODUCER_COMPRESSION = "producer";

    private static final ConfigDef.Validator COMPRESSION_VALIDATOR = new ConfigDef.Validator() {
        @Override
        public void ensureValid(String name, Object value) {
            if (!PRODUCER_COMPRESSION.equals(value)) {
                throw new ConfigException(name, value, "Letterbox stores batches as the producer sent them and never "
                        + "recompresses, so only 'producer' is supported");
            }
        }

        @Override
        public String toString() {
            return "[producer]";
        }
    };

    /** {@code *} alone, or {@code partition:brokerId} entries, as Kafka's throttled replica lists. */
    private static final ConfigDef.Validator THROTTLED_REPLICAS_VALIDATOR = new ConfigDef.Validator() {
        @Override
        public void ensureValid(String name, Object value) {
            List<?> entries = (List<?>) value;
            if (entries.size() == 1 && "*".equals(String.valueOf(entries.get(0)).trim())) {
                return;
            }
            for (Object e : entries) {
                if (!String.valueOf(e).trim().matches("\\d+\\s*:\\s*\\d+")) {
                    throw new ConfigException(name, value, "must be * or a comma-separated list of partition:brokerId, "
                            + "for example 0:101,0:102,1:101");
                }
            }
        }

        @Override
        public String toString() {
            return "[partitionId]:[brokerId],[partitionId]:[brokerId],... or *";
        }
    };

    /** Every topic-level key Letterbox accepts, with Kafka's names, types, defaults and validators. */
    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(SEGMENT_BYTES, Type.INT, 1024 * 1024 * 1024, Range.atLeast(14), Importance.MEDIUM,
                    "Size in bytes at which a new segment file is started.")
            .define(SEGMENT_MS, Type.LONG, 7 * 24 * 3600 * 1000L, Range.atLeast(1), Importance.MEDIUM,
                    "Time after which a new segment is started even if the current one is not full.")
            .define(SEGMENT_JITTER_MS, Type.LONG, 0L, Range.atLeast(0), Importance.LOW,
                    "Maximum random jitter subtracted from segment.ms.")
            .define(SEGMENT_INDEX_BYTES, Type.INT, 10 * 1024 * 1024, Range.atLeast(4), Importance.MEDIUM,
                    "Maximum size of a segment's offset index; the segment rolls when it is full.")
            .define(INDEX_INTERVAL_BYTES, Type.INT, 4096, Range.atLeast(0), Importance.MEDIUM,
                    "Bytes of log between two entries of the offset index.")
            .define(MAX_MESSAGE_BYTES, Type.INT, 1024 * 1024 + 12, Range.atLeast(0), Importance.MEDIUM,
                    "Largest record batch size accepted.")
            .define(MESSAGE_TIMESTAMP_TYPE, Type.STRING, CREATE_TIME, ValidString.in(CREATE_TIME, LOG_APPEND_TIME),
                    Importance.MEDIUM, "Whether record timestamps are the producer's (CreateTime) or the broker's "
                            + "append time (LogAppendTime).")
            .define(MESSAGE_TIMESTAMP_BEFORE_MAX_MS, Type.LONG, Long.MAX_VALUE, Range.atLeast(0), Importance.MEDIUM,
                    "How far in the past a CreateTime timestamp may be.")
            .define(MESSAGE_TIMESTAMP_AFTER_MAX_MS, Type.LONG, 3600 * 1000L, Range.atLeast(0), Importance.MEDIUM,
                    "How far in the future a CreateTime timestamp may be.")
            .define(RETENTION_MS, Type.LONG, 7 * 24 * 3600 * 1000L, Range.atLeast(-1), Importance.MEDIUM,
                    "How long data is kept before old segments are deleted; -1 keeps it forever.")
            .define(RETENTION_BYTES, Type.LONG, -1L, Importance.MEDIUM,
                    "Maximum size of a partition before old segments are deleted; -1 is unlimited.")
            .define(CLEANUP_POLICY, Type.LIST, CLEANUP_POLICY_DELETE,
                    ValidList.in(CLEANUP_POLICY_DELETE, CLEANUP_POLICY_COMPACT), Importance.MEDIUM,
                    "delete (remove old segments), compact (keep the latest record per key), or both.")
            .define(DELETE_RETENTION_MS, Type.LONG, 24 * 3600 * 1000L, Range.atLeast(0), Importance.MEDIUM,
                    "How long delete tombstones are kept on compacted topics.")
            .define(MIN_COMPACTION_LAG_MS, Type.LONG, 0L, Range.atLeast(0), Importance.MEDIUM,
                    "Minimum age of a record before it can be compacted.")
            .define(MAX_COMPACTION_LAG_MS, Type.LONG, Long.MAX_VALUE, Range.atLeast(1), Importance.MEDIUM,
                    "Maximum time a record stays uncompacted.")
            .define(MIN_CLEANABLE_DIRTY_RATIO, Type.DOUBLE, 0.5, Range.between(0, 1), Importance.MEDIUM,
                    "Dirty ratio above which a compacted log is cleaned.")
            .define(FILE_DELETE_DELAY_MS, Type.LONG, 60000L, Range.atLeast(0), Importance.MEDIUM,
                    "Delay before a deleted segment's files are removed from disk.")
            .define(MIN_IN_SYNC_REPLICAS, Type.INT, 1, Range.atLeast(1), Importance.MEDIUM,
                    "Minimum number of in-sync replicas for an acks=all produce to succeed.")
            .define(UNCLEAN_LEADER_ELECTION_ENABLE, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Whether an out-of-sync replica may become leader (possible data loss).")
            .define(COMPRESSION_TYPE, Type.STRING, PRODUCER_COMPRESSION, COMPRESSION_VALIDATOR, Importance.MEDIUM,
                    "Only 'producer': batches are stored with the producer's compression.")
            .define(FLUSH_ON_ACK, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Answer acks=all produces only after the data is fsynced (Letterbox's topic-level twin of "
                            + "log.flush.on.ack). false keeps Kafka's page-cache-only behaviour.")
            .define(LEADER_REPLICATION_THROTTLED_REPLICAS, Type.LIST, "", THROTTLED_REPLICAS_VALIDATOR, Importance.MEDIUM,
                    "Replicas whose leader sends to out-of-sync followers within leader.replication.throttled.rate: "
                            + "partition:brokerId entries naming the sending broker, or * for all.")
            .define(FOLLOWER_REPLICATION_THROTTLED_REPLICAS, Type.LIST, "", THROTTLED_REPLICAS_VALIDATOR,
                    Importance.MEDIUM, "Replicas that fetch within follower.replication.throttled.rate while out of "
                            + "sync: partition:brokerId entries naming the fetching broker, or * for all.");

    private static final LogConfig DEFAULTS = of(Map.of(), Map.of());

    private final Map<String, Object> parsed;
    private final Map<String, String> values;
    private final Map<String, String> overrides;

    private LogConfig(Map<String, Object> parsed, Map<String, String> values, Map<String, String> overrides) {
        this.parsed = parsed;
        this.values = values;
        this.overrides = overrides;
    }

    /**
     * Builds a config from topic overrides over broker topic defaults over {@link #CONFIG_DEF}'s defaults.
     *
     * @throws InvalidConfigurationException naming the key, the value and what is allowed, for an unknown
     *         key or an invalid value in either map
     */
    public static LogConfig of(Map<String, String> overrides, Map<String, String> defaults) {
        checkKnown(defaults);
        checkKnown(overrides);
        Map<String, String> merged = new HashMap<>(defaults);
        merged.putAll(overrides);
        Map<String, Object> parsed = parse(merged);
        Map<String, String> values = new TreeMap<>();
        for (Map.Entry<String, ConfigDef.ConfigKey> e : CONFIG_DEF.configKeys().entrySet()) {
            values.put(e.getKey(), ConfigDef.convertToString(parsed.get(e.getKey()), e.getValue().type));
        }
        return new LogConfig(Collections.unmodifiableMap(parsed), Collections.unmodifiableMap(values),
                Collections.unmodifiableMap(new TreeMap<>(overrides)));
    }

    /** The config with every key at its Kafka default. */
    public static LogConfig defaults() {
        return DEFAULTS;
    }

    private static void checkKnown(Map<String, String> map) {
        for (Map.Entry<String, String> e : map.entrySet()) {
            if (!CONFIG_DEF.names().contains(e.getKey())) {
                throw new InvalidConfigurationException("Unknown topic config '" + e.getKey() + "' (value '"
                        + e.getValue() + "'); supported keys: " + new java.util.TreeSet<>(CONFIG_DEF.names()));
            }
            if (e.getValue() == null) {
                throw new InvalidConfigurationException("Topic config '" + e.getKey() + "' has no value");
            }
        }
    }

    private static Map<String, Object> parse(Map<String, String> merged) {
        try {
            return CONFIG_DEF.parse(merged);
        } catch (ConfigException e) {
            String key = findFailingKey(merged);
            if (key == null) {
                throw new InvalidConfigurationException(e.getMessage(), e);
            }
            ConfigDef.ConfigKey def = CONFIG_DEF.configKeys().get(key);
            String allowed = def.validator != null ? def.validator.toString() : "a value of type " + def.type;
            throw new InvalidConfigurationException("Invalid value '" + merged.get(key) + "' for topic config '"
                    + key + "': " + e.getMessage() + "; allowed: " + allowed, e);
        }
    }

    private static String findFailingKey(Map<String, String> merged) {
        for (Map.Entry<String, String> e : merged.entrySet()) {
            try {
                CONFIG_DEF.parse(Map.of(e.getKey(), e.getValue()));
            } catch (ConfigException ex) {
                return e.getKey();
            }
        }
        return null;
    }

    public int segmentBytes() {
        return (Integer) parsed.get(SEGMENT_BYTES);
    }

    public long segmentMs() {
        return (Long) parsed.get(SEGMENT_MS);
    }

    public long segmentJitterMs() {
        return (Long) parsed.get(SEGMENT_JITTER_MS);
    }

    public int segmentIndexBytes() {
        return (Integer) parsed.get(SEGMENT_INDEX_BYTES);
    }

    public int indexIntervalBytes() {
        return (Integer) parsed.get(INDEX_INTERVAL_BYTES);
    }

    public int maxMessageBytes() {
        return (Integer) parsed.get(MAX_MESSAGE_BYTES);
    }

    /** True when the broker stamps batches with its own append time (message.timestamp.type=LogAppendTime). */
    public boolean logAppendTime() {
        return LOG_APPEND_TIME.equals(parsed.get(MESSAGE_TIMESTAMP_TYPE));
    }

    public long timestampBeforeMaxMs() {
        return (Long) parsed.get(MESSAGE_TIMESTAMP_BEFORE_MAX_MS);
    }

    public long timestampAfterMaxMs() {
        return (Long) parsed.get(MESSAGE_TIMESTAMP_AFTER_MAX_MS);
    }

    public long retentionMs() {
        return (Long) parsed.get(RETENTION_MS);
    }

    public long retentionBytes() {
        return (Long) parsed.get(RETENTION_BYTES);
    }

    @SuppressWarnings("unchecked")
    public List<String> cleanupPolicy() {
        return (List<String>) parsed.get(CLEANUP_POLICY);
    }

    public long deleteRetentionMs() {
        return (Long) parsed.get(DELETE_RETENTION_MS);
    }

    public long minCompactionLagMs() {
        return (Long) parsed.get(MIN_COMPACTION_LAG_MS);
    }

    public long maxCompactionLagMs() {
        return (Long) parsed.get(MAX_COMPACTION_LAG_MS);
    }

    public double minCleanableDirtyRatio() {
        return (Double) parsed.get(MIN_CLEANABLE_DIRTY_RATIO);
    }

    public long fileDeleteDelayMs() {
        return (Long) parsed.get(FILE_DELETE_DELAY_MS);
    }

    public int minInsyncReplicas() {
        return (Integer) parsed.get(MIN_IN_SYNC_REPLICAS);
    }

    public boolean uncleanLeaderElectionEnable() {
        return (Boolean) parsed.get(UNCLEAN_LEADER_ELECTION_ENABLE);
    }

    public boolean flushOnAck() {
        return (Boolean) parsed.get(FLUSH_ON_ACK);
    }

    /** Every supported key with its effective value, as strings (sorted by key). */
    public Map<String, String> values() {
        return values;
    }

    /** Keys set as topic overrides (as opposed to broker defaults or Kafka defaults). */
    public Set<String> overriddenKeys() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(overrides.keySet()));
    }

    /** The topic overrides this config was built from, as given. */
    public Map<String, String> overrides() {
        return overrides;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogConfig other && values.equals(other.values) && overrides.equals(other.overrides);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "LogConfig" + values;
    }
}
