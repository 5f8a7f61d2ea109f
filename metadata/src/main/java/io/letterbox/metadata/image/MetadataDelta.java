package io.letterbox.metadata.image;

import io.letterbox.metadata.record.ClusterIdRecord;
import io.letterbox.metadata.record.ConfigRecord;
import io.letterbox.metadata.record.MetadataRecord;
import io.letterbox.metadata.record.PartitionChangeRecord;
import io.letterbox.metadata.record.PartitionRecord;
import io.letterbox.metadata.record.ProducerIdsRecord;
import io.letterbox.metadata.record.BrokerFencingRecord;
import io.letterbox.metadata.record.RegisterBrokerRecord;
import io.letterbox.metadata.record.RemoveTopicRecord;
import io.letterbox.metadata.record.TopicRecord;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Records replayed on top of a base image, turned into a new image by {@link #apply(long)}.
 *
 * <p>Sharing: the new image reuses every {@link TopicImage} the records did not touch, and the
 * base's {@link TopicsImage}, {@link ClusterImage} and broker-config map when none of their
 * entries changed. A touched topic is copied once per delta (its partition and config maps),
 * and the top-level topic maps are copied once per delta: cost is O(topics) per applied batch,
 * not per record.
 *
 * <p>Replay is deterministic and strict: a record that does not fit throws
 * {@link RecordReplayException} and leaves the delta unusable.
 *
 * <p>Not thread-safe: one thread replays and applies.
 */
public final class MetadataDelta {
    private final MetadataImage base;
    private String clusterId;
    private TreeMap<Integer, BrokerRegistration> brokers;
    private final Map<Uuid, TopicBuilder> changedById = new HashMap<>();
    private final Map<String, TopicBuilder> changedByName = new HashMap<>();
    private final Set<Uuid> removedIds = new HashSet<>();
    private final Set<String> removedNames = new HashSet<>();
    private final Map<String, Map<String, String>> changedBrokerConfigs = new HashMap<>();
    private long nextProducerId;

    public MetadataDelta(MetadataImage base) {
        this.base = base;
        this.clusterId = base.clusterId();
        this.nextProducerId = base.nextProducerId();
    }

    /** Replays each record in order. */
    public MetadataDelta replayAll(List<? extends MetadataRecord> records) {
        for (MetadataRecord r : records) {
            replay(r);
        }
        return this;
    }

    /** Replays one record. */
    public void replay(MetadataRecord record) {
        switch (record.type()) {
            case CLUSTER_ID -> replayClusterId((ClusterIdRecord) record);
            case REGISTER_BROKER -> replayRegisterBroker((RegisterBrokerRecord) record);
            case TOPIC -> replayTopic((TopicRecord) record);
            case PARTITION -> replayPartition((PartitionRecord) record);
            case PARTITION_CHANGE -> replayPartitionChange((PartitionChangeRecord) record);
            case REMOVE_TOPIC -> replayRemoveTopic((RemoveTopicRecord) record);
            case CONFIG -> replayConfig((ConfigRecord) record);
            case PRODUCER_IDS -> replayProducerIds((ProducerIdsRecord) record);
            case BROKER_FENCING -> replayBrokerFencing((BrokerFencingRecord) record);
            default -> throw new RecordReplayException("Unhandled record type " + record.type());
        }
    }

    /** The new image, stamped with the log offset of the last batch replayed. */
    public MetadataImage apply(long offset) {
        ClusterImage cluster = brokers == null
                ? base.cluster()
                : new ClusterImage(Collections.unmodifiableMap(new TreeMap<>(brokers)));
        return new MetadataImage(offset, clusterId, cluster, applyTopics(), applyBrokerConfigs(), nextProducerId);
    }

    private TopicsImage applyTopics() {
        if (changedById.isEmpty() && removedIds.isEmpty()) {
            return base.topics();
        }
        Map<String, TopicImage> byName = new HashMap<>(base.topics().byName());
        Map<Uuid, TopicImage> byId = new HashMap<>(base.topics().byId());
        for (Uuid id : removedIds) {
            TopicImage removed = byId.remove(id);
            if (removed != null) {
                byName.remove(removed.name());
            }
        }
        for (TopicBuilder b : changedById.values()) {
            TopicImage t = b.build();
            byName.put(t.name(), t);
            byId.put(t.id(), t);
        }
        return new TopicsImage(Collections.unmodifiableMap(byName), Collections.unmodifiableMap(byId));
    }

    private Map<String, Map<String, String>> applyBrokerConfigs() {
        if (changedBrokerConfigs.isEmpty()) {
            return base.brokerConfigs();
        }
        Map<String, Map<String, String>> result = new HashMap<>(base.brokerConfigs());
        changedBrokerConfigs.forEach((name, configs) -> {
            if (configs.isEmpty()) {
                result.remove(name);
            } else {
                result.put(name, Collections.unmodifiableMap(configs));
            }
        });
        return Collections.unmodifiableMap(result);
    }

    private void replayClusterId(ClusterIdRecord r) {
        if (clusterId != null && !clusterId.equals(r.clusterId())) {
            throw new RecordReplayException("Cluster id " + clusterId + " cannot change to " + r.clusterId());
        }
        clusterId = r.clusterId();
    }

    private void replayRegisterBroker(RegisterBrokerRecord r) {
        if (brokers == null) {
            brokers = new TreeMap<>(base.cluster().brokers());
        }
        brokers.put(r.brokerId(), new BrokerRegistration(r.brokerId(), r.incarnationId(), r.endpoints(), r.rack()));
    }

    private void replayBrokerFencing(BrokerFencingRecord r) {
        if (brokers == null) {
            brokers = new TreeMap<>(base.cluster().brokers());
        }
        BrokerRegistration registered = brokers.get(r.brokerId());
        if (registered == null) {
            throw new RecordReplayException("Cannot fence or unfence unregistered broker " + r.brokerId());
        }
        brokers.put(r.brokerId(), registered.withFenced(r.fenced()));
    }

    private void replayTopic(TopicRecord r) {
        if (topicByName(r.name()) != null) {
            throw new RecordReplayException("Topic " + r.name() + " already exists");
        }
        if (topicById(r.topicId()) != null) {
            throw new RecordReplayException("Topic id " + r.topicId() + " already exists");
        }
        TopicBuilder b = new TopicBuilder(r.name(), r.topicId(), new TreeMap<>(), new HashMap<>());
        changedById.put(r.topicId(), b);
        changedByName.put(r.name(), b);
    }

    private void replayPartition(PartitionRecord r) {
        TopicBuilder t = requireTopic(r.topicId());
        if (r.partition() < 0 || r.partition() > t.partitions.size()) {
            throw new RecordReplayException("Partition " + r.partition() + " of topic " + t.name
                    + " would leave a gap after " + t.partitions.size() + " partitions");
        }
        t.partitions.put(r.partition(), new PartitionImage(toArray(r.replicas()), toArray(r.isr()),
                r.leader(), r.leaderEpoch(), r.partitionEpoch(), toArray(r.addingReplicas()),
                toArray(r.removingReplicas())));
    }

    private void replayPartitionChange(PartitionChangeRecord r) {
        TopicBuilder t = requireTopic(r.topicId());
        PartitionImage p = t.partitions.get(r.partition());
        if (p == null) {
            throw new RecordReplayException("Unknown partition " + t.name + "-" + r.partition());
        }
        if (r.expectedPartitionEpoch() != PartitionChangeRecord.ANY_PARTITION_EPOCH
                && r.expectedPartitionEpoch() != p.partitionEpoch()) {
            return; // decided on a stale view of the partition: a newer change won
        }
        int[] replicas = r.replicas() == null ? p.replicas() : toArray(r.replicas());
        int[] isr = r.isr() == null ? p.isr() : toArray(r.isr());
        boolean leaderChanged = r.leader() != PartitionChangeRecord.NO_LEADER_CHANGE && r.leader() != p.leader();
        int leader = leaderChanged ? r.leader() : p.leader();
        int leaderEpoch = leaderChanged ? p.leaderEpoch() + 1 : p.leaderEpoch();
        int[] adding = r.addingReplicas() == null ? p.addingReplicas() : toArray(r.addingReplicas());
        int[] removing = r.removingReplicas() == null ? p.removingReplicas() : toArray(r.removingReplicas());
        t.partitions.put(r.partition(), new PartitionImage(replicas, isr, leader, leaderEpoch, p.partitionEpoch() + 1,
                adding, removing));
    }

    private void replayRemoveTopic(RemoveTopicRecord r) {
        TopicBuilder t = requireTopic(r.topicId());
        changedById.remove(t.id);
        changedByName.remove(t.name);
        removedIds.add(t.id);
        removedNames.add(t.name);
    }

    private void replayConfig(ConfigRecord r) {
        Map<String, String> configs;
        if (r.resourceType() == ConfigResource.Type.TOPIC) {
            TopicBuilder t = topicByName(r.resourceName());
            if (t == null) {
                throw new RecordReplayException("Config for unknown topic " + r.resourceName());
            }
            configs = t.configs;
        } else {
            configs = changedBrokerConfigs.computeIfAbsent(r.resourceName(),
                    name -> new HashMap<>(base.brokerConfig(name)));
        }
        if (r.value() == null) {
            configs.remove(r.key());
        } else {
            configs.put(r.key(), r.value());
        }
    }

    private void replayProducerIds(ProducerIdsRecord r) {
        // Strictly forward: two blocks reserved from the same image must not both apply.
        if (r.nextProducerId() <= nextProducerId) {
            throw new RecordReplayException("Next producer id must advance from " + nextProducerId
                    + " to " + r.nextProducerId());
        }
        nextProducerId = r.nextProducerId();
    }

    private TopicBuilder requireTopic(Uuid id) {
        TopicBuilder t = topicById(id);
        if (t == null) {
            throw new RecordReplayException("Unknown topic id " + id);
        }
        return t;
    }

    /** The topic as of this delta, made changeable; null if it does not exist. */
    private TopicBuilder topicById(Uuid id) {
        TopicBuilder b = changedById.get(id);
        if (b != null || removedIds.contains(id)) {
            return b;
        }
        TopicImage t = base.topics().get(id);
        return t == null ? null : track(t);
    }

    private TopicBuilder topicByName(String name) {
        TopicBuilder b = changedByName.get(name);
        if (b != null || removedNames.contains(name)) {
            return b;
        }
        TopicImage t = base.topics().get(name);
        return t == null ? null : track(t);
    }

    private TopicBuilder track(TopicImage t) {
        TopicBuilder b = new TopicBuilder(t.name(), t.id(), new TreeMap<>(t.partitions()), new HashMap<>(t.configs()));
        changedById.put(t.id(), b);
        changedByName.put(t.name(), b);
        return b;
    }

    private static int[] toArray(List<Integer> values) {
        int[] a = new int[values.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = values.get(i);
        }
        return a;
    }

    private record TopicBuilder(String name, Uuid id, TreeMap<Integer, PartitionImage> partitions,
                                Map<String, String> configs) {
        TopicImage build() {
            return new TopicImage(name, id, Collections.unmodifiableMap(partitions), Collections.unmodifiableMap(configs));
        }
    }
}
