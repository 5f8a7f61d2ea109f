package io.letterbox.metadata.controller;

import io.letterbox.metadata.ConfigValidator;
import io.letterbox.metadata.image.BrokerRegistration;
import io.letterbox.metadata.image.MetadataDelta;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.image.TopicImage;
import io.letterbox.metadata.record.BrokerFencingRecord;
import io.letterbox.metadata.record.ClusterIdRecord;
import io.letterbox.metadata.record.ConfigRecord;
import io.letterbox.metadata.record.MetadataRecord;
import io.letterbox.metadata.record.PartitionChangeRecord;
import io.letterbox.metadata.record.PartitionRecord;
import io.letterbox.metadata.record.ProducerIdsRecord;
import io.letterbox.metadata.record.RegisterBrokerRecord;
import io.letterbox.metadata.record.RemoveTopicRecord;
import io.letterbox.metadata.record.TopicRecord;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates metadata changes and turns them into record batches for the metadata log.
 *
 * <p>Serialization: every operation runs on the single controller thread, one after the other,
 * and is validated against the <em>latest</em> image: the committed image plus every batch this
 * controller has submitted that is not yet applied. So two concurrent creates of one name
 * cannot both pass: the second sees the first's records. If a submitted batch fails, the
 * speculative image is no longer trustworthy; operations then fail with NOT_CONTROLLER until
 * the in-flight writes have drained, after which the committed image is the base again.
 *
 * <p>Atomicity: one operation writes at most one batch; the batch is replayed onto the base
 * before it is submitted, so a batch that would not apply is never written.
 *
 * <p>Results: per-item errors are {@link ApiError}s with Kafka's codes and messages. A failure
 * to commit (not the leader, closed) fails the returned future, typically with
 * {@link NotControllerException}; nothing is ever thrown on the calling thread. Futures
 * complete on the controller thread once the batch is applied and published locally.
 *
 * <p>Thread-safe: public methods may be called from any thread.
 */
public final class Controller implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(Controller.class);
    private static final String UNCLEAN_LEADER_ELECTION = "unclean.leader.election.enable";

    private final MetadataWriter writer;
    private final Supplier<MetadataImage> committed;
    private final int defaultNumPartitions;
    private final short defaultReplicationFactor;
    private final ConfigValidator validator;
    private final ExecutorService executor;

    // Controller-thread state.
    private MetadataImage latest = MetadataImage.EMPTY;
    private int inFlight;
    private boolean stale;
    private int placementCursor = ThreadLocalRandom.current().nextInt(0, Integer.MAX_VALUE);

    public Controller(MetadataWriter writer, Supplier<MetadataImage> committed, int defaultNumPartitions,
                      short defaultReplicationFactor, ConfigValidator validator) {
        this.writer = Objects.requireNonNull(writer, "writer");
        this.committed = Objects.requireNonNull(committed, "committed");
        this.defaultNumPartitions = defaultNumPartitions;
        this.defaultReplicationFactor = defaultReplicationFactor;
        this.validator = Objects.requireNonNull(validator, "validator");
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "letterbox-controller");
            t.setDaemon(true);
            return t;
        });
    }

    // ---------------------------------------------------------------- operations

    /** Writes a new random cluster id unless the image has one; completes with the cluster id. */
    public CompletableFuture<String> ensureClusterId() {
        return run(base -> base.clusterId() != null
                ? Outcome.of(base.clusterId())
                : outcome(Uuid.randomUuid().toString(), id -> List.of(new ClusterIdRecord(id))));
    }

    /** Registers (or re-registers) a broker. */
    public CompletableFuture<Void> registerBroker(BrokerRegistration registration) {
        return run(base -> {
            if (registration.id() < 0) {
                throw new InvalidRequestException("Invalid broker id " + registration.id());
            }
            BrokerRegistration existing = base.cluster().broker(registration.id());
            if (registration.equals(existing)) {
                return Outcome.<Void>of(null);
            }
            List<MetadataRecord> records = new ArrayList<>();
            if (existing != null && existing.fenced()) {
                log.info("Unfencing broker {}: it registered again", registration.id());
            } else if (existing != null && !existing.incarnationId().equals(registration.incarnationId())) {
                // A restarted broker lost what it knew as leader (its followers' positions): leadership
                // moves to another in-sync replica where there is one, and it rejoins ISRs by catching up.
                records.addAll(PartitionLeadership.changes(base,
                        b -> b != registration.id() && isLive(base, b), this::uncleanAllowed, true));
            }
            records.add(new RegisterBrokerRecord(registration.id(),
                    registration.incarnationId(), registration.endpoints(), registration.rack()));
            return new Outcome<Void>(null, records);
        });
    }

    /**
     * Fences or unfences a registered broker; nothing to write when it already is. An unknown
     * broker fails with INVALID_REQUEST.
     */
    public CompletableFuture<Void> setFenced(int brokerId, boolean fenced) {
        return run(base -> {
            BrokerRegistration registered = base.cluster().broker(brokerId);
            if (registered == null) {
                throw new InvalidRequestException("Unknown broker id " + brokerId);
            }
            if (registered.fenced() == fenced) {
                return Outcome.<Void>of(null);
            }
            log.info("{} broker {}", fenced ? "Fencing" : "Unfencing", brokerId);
            List<MetadataRecord> records = new ArrayList<>();
            records.add(new BrokerFencingRecord(brokerId, fenced));
            records.addAll(PartitionLeadership.changes(base,
                    b -> b == brokerId ? !fenced : isLive(base, b), this::uncleanAllowed, false));
            return new Outcome<Void>(null, records);
        });
    }

    /**
     * Elects a leader for every partition whose leader is unavailable and drops unavailable brokers
     * from ISRs (see {@link PartitionLeadership}); nothing to write when all is in order. Run
     * periodically by the active controller, so a change lost to a conflicting one is decided again.
     */
    public CompletableFuture<Void> replaceUnavailableLeaders() {
        return run(base -> new Outcome<Void>(null,
                List.copyOf(PartitionLeadership.changes(base, b -> isLive(base, b), this::uncleanAllowed, false))));
    }

    /**
     * Kafka's ElectLeaders (see {@link LeaderElections}): one result per partition asked for, UNKNOWN_TOPIC_OR_PARTITION
     * for one that does not exist. With {@code partitions} null, every partition is tried and, as in Kafka, those
     * that needed no election are left out of the result.
     */
    public CompletableFuture<Map<TopicPartition, ApiError>> electLeaders(ElectionType type,
                                                                        Collection<TopicPartition> partitions) {
        return run(base -> {
            Map<TopicPartition, ApiError> results = new LinkedHashMap<>();
            List<PartitionChangeRecord> changes = new ArrayList<>();
            IntPredicate live = b -> isLive(base, b);
            if (partitions == null) {
                for (TopicImage topic : base.topics().byName().values()) {
                    for (var e : topic.partitions().entrySet()) {
                        ApiError error = LeaderElections.elect(type, topic, e.getKey(), e.getValue(), live, changes);
                        if (error.error() != Errors.ELECTION_NOT_NEEDED) {
                            results.put(new TopicPartition(topic.name(), e.getKey()), error);
                        }
                    }
                }
            } else {
                for (TopicPartition tp : new LinkedHashSet<>(partitions)) {
                    TopicImage topic = base.topics().get(tp.topic());
                    var p = topic == null ? null : topic.partition(tp.partition());
                    results.put(tp, p == null
                            ? new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "No such partition as " + tp)
                            : LeaderElections.elect(type, topic, tp.partition(), p, live, changes));
                }
            }
            return new Outcome<>(results, List.copyOf(changes));
        });
    }

    /**
     * Kafka's AlterPartitionReassignments (KIP-455, see {@link Reassignments}): a target replica list starts or
     * retargets a partition's reassignment, null cancels the one in progress (NO_REASSIGNMENT_IN_PROGRESS when
     * there is none). One result per partition: UNKNOWN_TOPIC_OR_PARTITION, INVALID_REPLICA_ASSIGNMENT for an
     * empty list, a repeated or unregistered broker, INVALID_REPLICATION_FACTOR for a change of replica count
     * that {@code allowReplicationFactorChange} forbids (KIP-860).
     */
    public CompletableFuture<Map<TopicPartition, ApiError>> alterPartitionReassignments(
            Map<TopicPartition, List<Integer>> targets, boolean allowReplicationFactorChange) {
        return run(base -> {
            Map<TopicPartition, ApiError> results = new LinkedHashMap<>();
            List<MetadataRecord> records = new ArrayList<>();
            IntPredicate live = b -> isLive(base, b);
            targets.forEach((tp, target) -> {
                TopicImage topic = base.topics().get(tp.topic());
                var p = topic == null ? null : topic.partition(tp.partition());
                if (p == null) {
                    results.put(tp, new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "No such partition as " + tp));
                    return;
                }
                if (target == null) {
                    if (!p.reassigning()) {
                        results.put(tp, new ApiError(Errors.NO_REASSIGNMENT_IN_PROGRESS));
                        return;
                    }
                    records.add(Reassignments.cancel(topic.id(), tp.partition(), p, live));
                    results.put(tp, ApiError.NONE);
                    return;
                }
                try {
                    validateReplicas(base, target);
                } catch (ApiException e) {
                    results.put(tp, ApiError.fromThrowable(e));
                    return;
                }
                int originalCount = p.replicas().length - p.addingReplicas().length;
                if (!allowReplicationFactorChange && target.size() != originalCount) {
                    results.put(tp, new ApiError(Errors.INVALID_REPLICATION_FACTOR, "The replication factor is changed "
                            + "from " + originalCount + " to " + target.size() + " but allowReplicationFactorChange "
                            + "is false"));
                    return;
                }
                PartitionChangeRecord change = Reassignments.start(topic.id(), tp.partition(), p, target, live);
                if (change != null) {
                    records.add(change);
                }
                results.put(tp, ApiError.NONE);
            });
            return new Outcome<>(results, records);
        });
    }

    /**
     * The automatic leader rebalance: preferred elections for the brokers whose preferred partitions are led
     * elsewhere beyond {@code perBrokerPercentage}; completes with the number of partitions moved.
     */
    public CompletableFuture<Integer> rebalanceLeaders(int perBrokerPercentage) {
        return run(base -> {
            List<PartitionChangeRecord> changes = LeaderElections.rebalance(base, b -> isLive(base, b),
                    perBrokerPercentage);
            if (!changes.isEmpty()) {
                log.info("Moving {} partition leadership(s) back to their preferred replicas", changes.size());
            }
            return new Outcome<>(changes.size(), List.copyOf(changes));
        });
    }

    /**
     * A partition leader's request to set its ISR (Kafka's AlterPartition). Refused with
     * FENCED_LEADER_EPOCH for an old leader epoch, NOT_LEADER_OR_FOLLOWER when the broker does not lead
     * the partition, INVALID_UPDATE_VERSION for a stale partition epoch, INELIGIBLE_REPLICA when it adds an
     * unavailable broker, INVALID_REQUEST for an ISR that is empty, lacks the leader or names a
     * non-replica. The change is conditional on the partition epoch, so even a request validated against
     * a stale image never undoes a newer change; the caller learns the outcome from the image.
     */
    public CompletableFuture<ApiError> alterPartition(IsrChange request) {
        return run(base -> {
            TopicImage topic = base.topics().get(request.topicId());
            if (topic == null) {
                return Outcome.of(new ApiError(Errors.UNKNOWN_TOPIC_ID));
            }
            io.letterbox.metadata.image.PartitionImage p = topic.partition(request.partition());
            if (p == null) {
                return Outcome.of(new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION));
            }
            ApiError invalid = validateIsrChange(base, p, request);
            if (invalid != null) {
                return Outcome.of(invalid);
            }
            return new Outcome<>(ApiError.NONE, List.of(Reassignments.isrChange(request.topicId(),
                    request.partition(), p, request.isr(), b -> isLive(base, b))));
        });
    }

    private static ApiError validateIsrChange(MetadataImage base, io.letterbox.metadata.image.PartitionImage p,
                                              IsrChange request) {
        if (request.leaderEpoch() < p.leaderEpoch()) {
            return new ApiError(Errors.FENCED_LEADER_EPOCH, "Leader epoch " + request.leaderEpoch()
                    + " is older than the partition's " + p.leaderEpoch());
        }
        if (p.leader() != request.brokerId() || request.leaderEpoch() != p.leaderEpoch()) {
            return new ApiError(Errors.NOT_LEADER_OR_FOLLOWER, "Broker " + request.brokerId()
                    + " does not lead the partition in epoch " + request.leaderEpoch());
        }
        if (request.partitionEpoch() != p.partitionEpoch()) {
            return new ApiError(Errors.INVALID_UPDATE_VERSION, "Partition epoch " + request.partitionEpoch()
                    + " is not the current " + p.partitionEpoch());
        }
        if (!request.isr().contains(request.brokerId())) {
            return new ApiError(Errors.INVALID_REQUEST, "The ISR must contain the leader " + request.brokerId());
        }
        for (int b : request.isr()) {
            if (!PartitionLeadership.contains(p.replicas(), b)) {
                return new ApiError(Errors.INVALID_REQUEST, "Broker " + b + " is not a replica");
            }
            if (!PartitionLeadership.contains(p.isr(), b) && !isLive(base, b)) {
                return new ApiError(Errors.INELIGIBLE_REPLICA, "Broker " + b + " is not available");
            }
        }
        return null;
    }

    private static boolean isLive(MetadataImage image, int brokerId) {
        BrokerRegistration b = image.cluster().broker(brokerId);
        return b != null && !b.fenced();
    }

    private boolean uncleanAllowed(TopicImage topic) {
        String value = topic.configs().get(UNCLEAN_LEADER_ELECTION);
        if (value == null) {
            value = validator.defaultValue(ConfigResource.Type.TOPIC, UNCLEAN_LEADER_ELECTION);
        }
        return Boolean.parseBoolean(value);
    }

    /** Creates topics; one result per distinct name, in request order. */
    public CompletableFuture<List<CreateTopicResult>> createTopics(List<NewTopic> topics, boolean validateOnly) {
        return run(base -> {
            Map<String, Integer> counts = new HashMap<>();
            for (NewTopic t : topics) {
                counts.merge(t.name(), 1, Integer::sum);
            }
            List<CreateTopicResult> results = new ArrayList<>();
            List<MetadataRecord> records = new ArrayList<>();
            Map<String, String> acceptedByUnifiedName = new HashMap<>();
            Set<String> seen = new HashSet<>();
            for (NewTopic topic : topics) {
                if (!seen.add(topic.name())) {
                    continue;
                }
                if (counts.get(topic.name()) > 1) {
                    results.add(CreateTopicResult.failed(topic.name(),
                            new ApiError(Errors.INVALID_REQUEST, "Duplicate topic name.")));
                    continue;
                }
                results.add(createTopic(base, topic, validateOnly, acceptedByUnifiedName, records));
            }
            return new Outcome<>(results, validateOnly ? List.of() : records);
        });
    }

    private CreateTopicResult createTopic(MetadataImage base, NewTopic topic, boolean validateOnly,
                                          Map<String, String> acceptedByUnifiedName, List<MetadataRecord> records) {
        String name = topic.name();
        if (name == null) {
            return CreateTopicResult.failed(null, new ApiError(Errors.INVALID_TOPIC_EXCEPTION, "Topic name is missing."));
        }
        try {
            Topic.validate(name);
        } catch (InvalidTopicException e) {
            return CreateTopicResult.failed(name, new ApiError(Errors.INVALID_TOPIC_EXCEPTION, e.getMessage()));
        }
        if (base.topics().get(name) != null || acceptedByUnifiedName.containsValue(name)) {
            return CreateTopicResult.failed(name,
                    new ApiError(Errors.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' already exists."));
        }
        String colliding = collidingTopic(base, name, acceptedByUnifiedName);
        if (colliding != null) {
            return CreateTopicResult.failed(name, new ApiError(Errors.INVALID_TOPIC_EXCEPTION,
                    "Topic '" + name + "' collides with existing topic: " + colliding));
        }
        List<List<Integer>> assignment;
        try {
            assignment = topic.assignments().isEmpty() ? place(base, topic) : manualAssignment(base, topic);
        } catch (ApiException e) {
            return CreateTopicResult.failed(name, ApiError.fromThrowable(e));
        }
        ApiError configError = validateConfigs(topic.configs(), true, "topic");
        if (configError != null) {
            return CreateTopicResult.failed(name, configError);
        }
        int numPartitions = assignment.size();
        short replicationFactor = (short) assignment.get(0).size();
        Map<String, String> configs = topic.configs();
        if (validateOnly) {
            acceptedByUnifiedName.put(Topic.unifyCollisionChars(name), name);
            return new CreateTopicResult(name, ApiError.NONE, Uuid.ZERO_UUID, numPartitions, replicationFactor, configs);
        }
        Uuid id = Uuid.randomUuid();
        while (base.topics().get(id) != null) {
            id = Uuid.randomUuid();
        }
        acceptedByUnifiedName.put(Topic.unifyCollisionChars(name), name);
        records.add(new TopicRecord(name, id));
        for (Map.Entry<String, String> e : new TreeMap<>(configs).entrySet()) {
            records.add(new ConfigRecord(ConfigResource.Type.TOPIC, name, e.getKey(), e.getValue()));
        }
        addPartitionRecords(records, id, 0, assignment);
        return new CreateTopicResult(name, ApiError.NONE, id, numPartitions, replicationFactor, configs);
    }

    private static String collidingTopic(MetadataImage base, String name, Map<String, String> acceptedByUnifiedName) {
        if (!Topic.hasCollisionChars(name)) {
            return null;
        }
        String unified = Topic.unifyCollisionChars(name);
        String accepted = acceptedByUnifiedName.get(unified);
        if (accepted != null) {
            return accepted;
        }
        for (String existing : base.topics().byName().keySet()) {
            if (Topic.hasCollisionChars(existing) && Topic.unifyCollisionChars(existing).equals(unified)) {
                return existing;
            }
        }
        return null;
    }

    private List<List<Integer>> place(MetadataImage base, NewTopic topic) {
        int numPartitions = topic.numPartitions() == -1 ? defaultNumPartitions : topic.numPartitions();
        int replicationFactor = topic.replicationFactor() == -1 ? defaultReplicationFactor : topic.replicationFactor();
        if (numPartitions <= 0) {
            throw new org.apache.kafka.common.errors.InvalidPartitionsException(
                    "Number of partitions was set to an invalid non-positive value.");
        }
        if (replicationFactor <= 0) {
            throw new org.apache.kafka.common.errors.InvalidReplicationFactorException(
                    "Replication factor must be larger than 0, or -1 to use the default value.");
        }
        return placeReplicas(base, numPartitions, replicationFactor);
    }

    /** Places replicas on the live brokers; see {@link ReplicaPlacement}. */
    private List<List<Integer>> placeReplicas(MetadataImage base, int numPartitions, int replicationFactor) {
        return ReplicaPlacement.place(base.cluster().liveBrokers().values(), numPartitions, replicationFactor,
                placementCursor++);
    }

    private static List<List<Integer>> manualAssignment(MetadataImage base, NewTopic topic) {
        if (topic.numPartitions() != -1) {
            throw new InvalidRequestException(
                    "A manual partition assignment was specified, but numPartitions was not set to -1.");
        }
        if (topic.replicationFactor() != -1) {
            throw new InvalidRequestException(
                    "A manual partition assignment was specified, but replicationFactor was not set to -1.");
        }
        int n = topic.assignments().size();
        List<List<Integer>> assignment = new ArrayList<>(n);
        for (int p = 0; p < n; p++) {
            List<Integer> replicas = topic.assignments().get(p);
            if (replicas == null) {
                throw new org.apache.kafka.common.errors.InvalidReplicaAssignmentException(
                        "partitions should be a consecutive 0-based integer sequence");
            }
            validateReplicas(base, replicas);
            if (p > 0 && replicas.size() != assignment.get(0).size()) {
                throw new org.apache.kafka.common.errors.InvalidReplicaAssignmentException(
                        "The manual partition assignment includes a partition with " + replicas.size()
                                + " replica(s), but this is not consistent with previous partitions, which have "
                                + assignment.get(0).size() + " replica(s).");
            }
            assignment.add(List.copyOf(replicas));
        }
        return assignment;
    }

    private static void validateReplicas(MetadataImage base, List<Integer> replicas) {
        if (replicas == null || replicas.isEmpty()) {
            throw new org.apache.kafka.common.errors.InvalidReplicaAssignmentException(
                    "The manual partition assignment includes an empty replica list.");
        }
        Set<Integer> distinct = new HashSet<>();
        for (Integer broker : replicas) {
            if (broker == null || base.cluster().broker(broker) == null) {
                throw new org.apache.kafka.common.errors.InvalidReplicaAssignmentException(
                        "The manual partition assignment includes broker " + broker
                                + ", but no such broker is registered.");
            }
            if (!distinct.add(broker)) {
                throw new org.apache.kafka.common.errors.InvalidReplicaAssignmentException(
                        "The manual partition assignment includes the broker " + broker + " more than once.");
            }
        }
    }

    private static void addPartitionRecords(List<MetadataRecord> records, Uuid topicId, int firstIndex,
                                            List<List<Integer>> assignment) {
        for (int i = 0; i < assignment.size(); i++) {
            List<Integer> replicas = assignment.get(i);
            records.add(new PartitionRecord(topicId, firstIndex + i, replicas, replicas, replicas.get(0), 0, 0));
        }
    }

    /** Deletes topics; one result per reference, in request order. */
    public CompletableFuture<List<DeleteTopicResult>> deleteTopics(List<TopicRef> topics) {
        return run(base -> {
            Map<Object, Integer> counts = new HashMap<>();
            for (TopicRef ref : topics) {
                counts.merge(ref.name() != null ? ref.name() : ref.id(), 1, Integer::sum);
            }
            List<DeleteTopicResult> results = new ArrayList<>();
            List<MetadataRecord> records = new ArrayList<>();
            Set<Uuid> removing = new HashSet<>();
            for (TopicRef ref : topics) {
                if ((ref.name() == null) == (ref.id() == null)) {
                    results.add(new DeleteTopicResult(ref.name(), ref.id(), new ApiError(Errors.INVALID_REQUEST,
                            "Exactly one of the topic name and the topic id must be set.")));
                    continue;
                }
                boolean byName = ref.name() != null;
                if (counts.get(byName ? ref.name() : ref.id()) > 1) {
                    results.add(new DeleteTopicResult(ref.name(), ref.id(), new ApiError(Errors.INVALID_REQUEST,
                            byName ? "Duplicate topic name." : "Duplicate topic id.")));
                    continue;
                }
                TopicImage topic = byName ? base.topics().get(ref.name()) : base.topics().get(ref.id());
                if (topic == null) {
                    results.add(new DeleteTopicResult(ref.name(), ref.id(), byName
                            ? new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION)
                            : new ApiError(Errors.UNKNOWN_TOPIC_ID)));
                    continue;
                }
                if (removing.add(topic.id())) {
                    records.add(new RemoveTopicRecord(topic.id()));
                }
                results.add(new DeleteTopicResult(topic.name(), topic.id(), ApiError.NONE));
            }
            return new Outcome<>(results, records);
        });
    }

    /** Adds partitions to existing topics; one error (or NONE) per request, in request order. */
    public CompletableFuture<List<ApiError>> createPartitions(List<NewPartitions> requests, boolean validateOnly) {
        return run(base -> {
            Map<String, Integer> counts = new HashMap<>();
            for (NewPartitions r : requests) {
                counts.merge(r.topic(), 1, Integer::sum);
            }
            List<ApiError> results = new ArrayList<>();
            List<MetadataRecord> records = new ArrayList<>();
            for (NewPartitions request : requests) {
                if (counts.get(request.topic()) > 1) {
                    results.add(new ApiError(Errors.INVALID_REQUEST, "Duplicate topic name."));
                    continue;
                }
                try {
                    createPartitions(base, request, records);
                    results.add(ApiError.NONE);
                } catch (ApiException e) {
                    results.add(ApiError.fromThrowable(e));
                }
            }
            return new Outcome<>(results, validateOnly ? List.of() : records);
        });
    }

    private void createPartitions(MetadataImage base, NewPartitions request, List<MetadataRecord> records) {
        TopicImage topic = request.topic() == null ? null : base.topics().get(request.topic());
        if (topic == null) {
            throw new org.apache.kafka.common.errors.UnknownTopicOrPartitionException(
                    Errors.UNKNOWN_TOPIC_OR_PARTITION.message());
        }
        int current = topic.numPartitions();
        if (request.totalCount() < current) {
            throw new org.apache.kafka.common.errors.InvalidPartitionsException("Topic currently has " + current
                    + " partitions, which is higher than the requested " + request.totalCount() + ".");
        }
        if (request.totalCount() == current) {
            throw new org.apache.kafka.common.errors.InvalidPartitionsException(
                    "Topic already has " + current + " partition(s).");
        }
        int additional = request.totalCount() - current;
        List<List<Integer>> assignment;
        if (request.assignments() != null) {
            if (request.assignments().size() != additional) {
                throw new org.apache.kafka.common.errors.InvalidReplicaAssignmentException("Attempted to add "
                        + additional + " additional partition(s), but only " + request.assignments().size()
                        + " assignment(s) were specified.");
            }
            assignment = new ArrayList<>();
            for (List<Integer> replicas : request.assignments()) {
                validateReplicas(base, replicas);
                assignment.add(List.copyOf(replicas));
            }
        } else {
            assignment = placeReplicas(base, additional, topic.partition(0).replicas().length);
        }
        addPartitionRecords(records, topic.id(), current, assignment);
    }

    /** Applies incremental config changes per resource; each resource succeeds or fails as a whole. */
    public CompletableFuture<Map<ConfigResource, ApiError>> incrementalAlterConfigs(
            Map<ConfigResource, List<ConfigOp>> changes, boolean validateOnly) {
        return alterConfigs(changes, validateOnly, (resource, current, ops) -> {
            Set<String> keys = new HashSet<>();
            for (ConfigOp op : ops) {
                if (!keys.add(op.key())) {
                    throw new InvalidRequestException("Error due to duplicate config keys");
                }
            }
            Map<String, String> next = new HashMap<>(current);
            for (ConfigOp op : ops) {
                switch (op.op()) {
                    case SET -> {
                        if (op.value() == null) {
                            throw new InvalidRequestException("Null value not supported for : " + op.key());
                        }
                        next.put(op.key(), op.value());
                    }
                    case DELETE -> next.remove(op.key());
                    case APPEND -> {
                        List<String> items = splitList(valueOrDefault(next, resource, op.key()));
                        for (String item : splitList(op.value())) {
                            if (!items.contains(item)) {
                                items.add(item);
                            }
                        }
                        next.put(op.key(), String.join(",", items));
                    }
                    case SUBTRACT -> {
                        List<String> items = splitList(valueOrDefault(next, resource, op.key()));
                        items.removeAll(splitList(op.value()));
                        next.put(op.key(), String.join(",", items));
                    }
                    default -> throw new InvalidRequestException("Unknown config operation " + op.op());
                }
            }
            return next;
        });
    }

    /** Legacy AlterConfigs: each resource's overrides become exactly the given set. */
    public CompletableFuture<Map<ConfigResource, ApiError>> replaceConfigs(
            Map<ConfigResource, Map<String, String>> configs, boolean validateOnly) {
        return alterConfigs(configs, validateOnly, (resource, current, next) -> {
            for (Map.Entry<String, String> e : next.entrySet()) {
                if (e.getValue() == null) {
                    throw new InvalidRequestException("Null value not supported for : " + e.getKey());
                }
            }
            return new HashMap<>(next);
        });
    }

    private interface ConfigChange<T> {
        Map<String, String> apply(ConfigResource resource, Map<String, String> current, T change);
    }

    /** APPEND and SUBTRACT start from the value the key has now: its override, else its default. */
    private String valueOrDefault(Map<String, String> overrides, ConfigResource resource, String key) {
        return overrides.containsKey(key) ? overrides.get(key) : validator.defaultValue(resource.type(), key);
    }

    private <T> CompletableFuture<Map<ConfigResource, ApiError>> alterConfigs(
            Map<ConfigResource, T> changes, boolean validateOnly, ConfigChange<T> change) {
        return run(base -> {
            Map<ConfigResource, ApiError> results = new LinkedHashMap<>();
            List<MetadataRecord> records = new ArrayList<>();
            for (Map.Entry<ConfigResource, T> e : changes.entrySet()) {
                ConfigResource resource = e.getKey();
                try {
                    Map<String, String> current = currentConfigs(base, resource);
                    Map<String, String> next = change.apply(resource, current, e.getValue());
                    ApiError invalid = validateConfigs(next, resource.type() == ConfigResource.Type.TOPIC,
                            resource.type() == ConfigResource.Type.TOPIC ? "topic" : "broker");
                    if (invalid != null) {
                        results.put(resource, invalid);
                        continue;
                    }
                    for (String key : new TreeSet<>(current.keySet())) {
                        if (!next.containsKey(key)) {
                            records.add(new ConfigRecord(resource.type(), resource.name(), key, null));
                        }
                    }
                    for (Map.Entry<String, String> kv : new TreeMap<>(next).entrySet()) {
                        if (!kv.getValue().equals(current.get(kv.getKey()))) {
                            records.add(new ConfigRecord(resource.type(), resource.name(), kv.getKey(), kv.getValue()));
                        }
                    }
                    results.put(resource, ApiError.NONE);
                } catch (ApiException ex) {
                    results.put(resource, ApiError.fromThrowable(ex));
                }
            }
            return new Outcome<>(results, validateOnly ? List.of() : records);
        });
    }

    private static Map<String, String> currentConfigs(MetadataImage base, ConfigResource resource) {
        switch (resource.type()) {
            case TOPIC -> {
                TopicImage topic = base.topics().get(resource.name());
                if (topic == null) {
                    throw new org.apache.kafka.common.errors.UnknownTopicOrPartitionException(
                            "The topic '" + resource.name() + "' does not exist.");
                }
                return topic.configs();
            }
            case BROKER -> {
                String name = resource.name();
                if (!name.isEmpty()) {
                    int id;
                    try {
                        id = Integer.parseInt(name);
                    } catch (NumberFormatException e) {
                        throw new InvalidRequestException("Invalid broker name " + name);
                    }
                    if (id < 0 || !String.valueOf(id).equals(name) || base.cluster().broker(id) == null) {
                        throw new InvalidRequestException("Unknown broker id " + name);
                    }
                }
                return base.brokerConfig(name);
            }
            default -> throw new InvalidRequestException("Unsupported resource type " + resource.type());
        }
    }

    private ApiError validateConfigs(Map<String, String> configs, boolean topic, String what) {
        for (Map.Entry<String, String> e : configs.entrySet()) {
            if (e.getValue() == null) {
                return new ApiError(Errors.INVALID_CONFIG, "Null value not supported for " + what + " configs: " + e.getKey());
            }
        }
        try {
            if (topic) {
                validator.validateTopicConfigs(configs);
            } else {
                validator.validateBrokerConfigs(configs);
            }
            return null;
        } catch (InvalidConfigurationException e) {
            return new ApiError(Errors.INVALID_CONFIG, e.getMessage());
        } catch (ApiException e) {
            return ApiError.fromThrowable(e);
        } catch (RuntimeException e) {
            return new ApiError(Errors.INVALID_CONFIG, e.getMessage());
        }
    }

    private static List<String> splitList(String value) {
        List<String> items = new ArrayList<>();
        if (value == null) {
            return items;
        }
        for (String s : value.split(",")) {
            String item = s.trim();
            if (!item.isEmpty()) {
                items.add(item);
            }
        }
        return items;
    }

    /**
     * Reserves {@code blockSize} producer ids; completes with the first of them. The reservation
     * is committed before the future completes, so no id is handed out twice, even across restarts.
     */
    public CompletableFuture<Long> allocateProducerIds(int blockSize) {
        return run(base -> {
            if (blockSize < 1) {
                throw new InvalidRequestException("Producer id block size must be positive, got " + blockSize);
            }
            long first = base.nextProducerId();
            if (first > Long.MAX_VALUE - blockSize) {
                throw new UnknownServerException("Producer ids are exhausted");
            }
            return new Outcome<>(first, List.of(new ProducerIdsRecord(first + blockSize)));
        });
    }

    // ---------------------------------------------------------------- machinery

    /** What an operation decided: its result, and the records to commit before returning it. */
    private record Outcome<T>(T result, List<MetadataRecord> records) {
        static <T> Outcome<T> of(T result) {
            return new Outcome<>(result, List.of());
        }
    }

    private static <T> Outcome<T> outcome(T result, Function<T, List<MetadataRecord>> records) {
        return new Outcome<>(result, records.apply(result));
    }

    private <T> CompletableFuture<T> run(Function<MetadataImage, Outcome<T>> operation) {
        CompletableFuture<T> future = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    MetadataImage base = base();
                    Outcome<T> outcome = operation.apply(base);
                    if (outcome.records().isEmpty()) {
                        future.complete(outcome.result());
                    } else {
                        write(base, outcome.records()).whenComplete((offset, error) -> {
                            if (error != null) {
                                future.completeExceptionally(error);
                            } else {
                                future.complete(outcome.result());
                            }
                        });
                    }
                } catch (ApiException e) {
                    future.completeExceptionally(e);
                } catch (RuntimeException e) {
                    log.error("Controller operation failed unexpectedly", e);
                    future.completeExceptionally(new UnknownServerException(e.getMessage(), e));
                }
            });
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(new NotControllerException("The controller is closed"));
        }
        return future;
    }

    /** The image to validate against; see the class comment. Controller thread only. */
    private MetadataImage base() {
        if (inFlight == 0) {
            stale = false;
            latest = committed.get();
        } else if (stale) {
            throw new NotControllerException("An earlier metadata write failed; retry once it has settled");
        }
        return latest;
    }

    /**
     * Submits one batch and advances the speculative image; once the batch is committed, logs one
     * line per topic or config change in it. Controller thread only.
     */
    private CompletableFuture<Long> write(MetadataImage base, List<MetadataRecord> records) {
        latest = new MetadataDelta(base).replayAll(records).apply(base.offset());
        List<String> changes = ChangeLines.of(base, records);
        inFlight++;
        CompletableFuture<Long> done = new CompletableFuture<>();
        CompletableFuture<Long> appended;
        try {
            appended = writer.append(records);
        } catch (RuntimeException e) {
            appended = CompletableFuture.failedFuture(e);
        }
        appended.whenComplete((offset, error) -> onControllerThread(() -> {
            inFlight--;
            if (error != null) {
                stale = true;
                done.completeExceptionally(unwrap(error));
            } else {
                changes.forEach(line -> log.info("{}", line));
                done.complete(offset);
            }
        }));
        return done;
    }

    private void onControllerThread(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    private static Throwable unwrap(Throwable e) {
        while (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** Stops accepting operations; queued ones still run. Waits up to a second for them. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(1, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
