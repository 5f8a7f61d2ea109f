package io.letterbox.broker.handler;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestContext;
import org.apache.kafka.common.utils.Utils;

import io.letterbox.broker.Brokers;
import io.letterbox.metadata.controller.Controller;
import io.letterbox.metadata.controller.NewTopic;
import io.letterbox.metadata.image.BrokerRegistration;
import io.letterbox.metadata.image.ClusterImage;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.image.PartitionImage;
import io.letterbox.metadata.image.TopicImage;

/**
 * Metadata: the live brokers (on the listener the client came in on), and for each topic asked
 * for its id, partitions, leaders, replicas and ISR. A topic that does not exist is created
 * first when {@code auto.create.topics.enable} and the client allow it, so the client gets its
 * leaders in the same answer.
 *
 * <p>A partition this broker leads whose log directory went offline is answered as Kafka's controller
 * leaves it when the only replica's directory fails: no leader (LEADER_NOT_AVAILABLE), this broker
 * among the offline replicas. Clients then wait for a leader instead of retrying a failed disk, and
 * keep using the partitions of the healthy directories. Likewise a replica on a fenced broker is
 * offline, and a partition led by one has no leader until that broker is back (there are no
 * other replicas to elect yet).
 */
public final class MetadataHandler implements ApiHandler<MetadataRequest> {

    static final Set<AclOperation> TOPIC_OPERATIONS = Set.of(AclOperation.READ, AclOperation.WRITE,
            AclOperation.CREATE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE,
            AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);
    static final Set<AclOperation> CLUSTER_OPERATIONS = Set.of(AclOperation.CREATE, AclOperation.ALTER,
            AclOperation.DESCRIBE, AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS,
            AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE);

    private final Supplier<MetadataImage> images;
    private final Controller controller;
    private final Brokers brokers;
    private final boolean autoCreate;
    private final int nodeId;
    private final Predicate<TopicPartition> offlineHere;

    public MetadataHandler(Supplier<MetadataImage> images, Controller controller, Brokers brokers, boolean autoCreate,
            int nodeId, Predicate<TopicPartition> offlineHere) {
        this.images = images;
        this.controller = controller;
        this.brokers = brokers;
        this.autoCreate = autoCreate;
        this.nodeId = nodeId;
        this.offlineHere = offlineHere;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.METADATA;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, MetadataRequest request) {
        MetadataRequestData data = request.data();
        MetadataImage image = images.get();
        List<String> missing = new ArrayList<>();
        if (data.topics() != null && autoCreate && data.allowAutoTopicCreation()) {
            for (MetadataRequestData.MetadataRequestTopic t : data.topics()) {
                if (!byId(t) && t.name() != null && !image.topics().byName().containsKey(t.name())
                        && isValidName(t.name())) {
                    missing.add(t.name());
                }
            }
        }
        if (missing.isEmpty()) {
            return CompletableFuture.completedFuture(answer(context, data, image));
        }
        List<NewTopic> create = missing.stream()
                .map(name -> new NewTopic(name, -1, (short) -1, Map.of(), Map.of())).toList();
        return controller.createTopics(create, false)
                .handle((results, error) -> answer(context, data, images.get()));
    }

    private MetadataResponse answer(RequestContext context, MetadataRequestData data, MetadataImage image) {
        MetadataResponseData response = new MetadataResponseData()
                .setClusterId(image.clusterId())
                .setControllerId(brokers.controllerId())
                .setBrokers(brokers.describe(image, context.listenerName));
        if (data.includeClusterAuthorizedOperations()) {
            response.setClusterAuthorizedOperations(Utils.to32BitField(codes(CLUSTER_OPERATIONS)));
        }
        Set<TopicImage> wanted = new LinkedHashSet<>();
        if (data.topics() == null || (context.apiVersion() == 0 && data.topics().isEmpty())) {
            wanted.addAll(image.topics().byName().values());
        } else {
            for (MetadataRequestData.MetadataRequestTopic t : data.topics()) {
                TopicImage topic = byId(t) ? image.topics().byId().get(t.topicId())
                        : t.name() == null ? null : image.topics().byName().get(t.name());
                if (topic != null) {
                    wanted.add(topic);
                } else {
                    response.topics().add(missingTopic(t, data.includeTopicAuthorizedOperations()));
                }
            }
        }
        for (TopicImage topic : wanted) {
            response.topics().add(describe(image.cluster(), topic, data.includeTopicAuthorizedOperations()));
        }
        return new MetadataResponse(response, context.apiVersion());
    }

    private static MetadataResponseTopic missingTopic(MetadataRequestData.MetadataRequestTopic t, boolean ops) {
        Errors error = byId(t) || t.name() == null ? Errors.UNKNOWN_TOPIC_ID
                : isValidName(t.name()) ? Errors.UNKNOWN_TOPIC_OR_PARTITION : Errors.INVALID_TOPIC_EXCEPTION;
        return new MetadataResponseTopic().setErrorCode(error.code()).setName(byId(t) ? null : t.name())
                .setTopicId(t.topicId() == null ? Uuid.ZERO_UUID : t.topicId())
                .setIsInternal(t.name() != null && Topic.isInternal(t.name()))
                .setTopicAuthorizedOperations(ops ? Utils.to32BitField(codes(TOPIC_OPERATIONS)) : Integer.MIN_VALUE);
    }

    private MetadataResponseTopic describe(ClusterImage cluster, TopicImage topic, boolean ops) {
        MetadataResponseTopic out = new MetadataResponseTopic()
                .setName(topic.name()).setTopicId(topic.id()).setIsInternal(Topic.isInternal(topic.name()))
                .setTopicAuthorizedOperations(ops ? Utils.to32BitField(codes(TOPIC_OPERATIONS)) : Integer.MIN_VALUE);
        for (Map.Entry<Integer, PartitionImage> e : topic.partitions().entrySet()) {
            PartitionImage p = e.getValue();
            boolean dirOffline = p.leader() == nodeId
                    && offlineHere.test(new TopicPartition(topic.name(), e.getKey()));
            List<Integer> offline = new ArrayList<>();
            for (int replica : p.replicas()) {
                BrokerRegistration broker = cluster.broker(replica);
                if (replica == nodeId ? dirOffline : broker != null && broker.fenced()) {
                    offline.add(replica);
                }
            }
            int leader = offline.contains(p.leader()) ? -1 : p.leader();
            out.partitions().add(new MetadataResponsePartition()
                    .setPartitionIndex(e.getKey())
                    .setErrorCode(leader < 0 ? Errors.LEADER_NOT_AVAILABLE.code() : Errors.NONE.code())
                    .setLeaderId(leader)
                    .setLeaderEpoch(p.leaderEpoch())
                    .setReplicaNodes(Brokers.toList(p.replicas()))
                    .setIsrNodes(Brokers.toList(p.isr()))
                    .setOfflineReplicas(offline));
        }
        return out;
    }

    /**
     * A topic asked for by id (v12+). The id decides, as in Kafka: clients send the name as ""
     * (not null) beside it, so the name's presence says nothing.
     */
    private static boolean byId(MetadataRequestData.MetadataRequestTopic t) {
        return t.topicId() != null && !Uuid.ZERO_UUID.equals(t.topicId());
    }

    static boolean isValidName(String name) {
        try {
            Topic.validate(name);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    static Set<Byte> codes(Set<AclOperation> ops) {
        Set<Byte> out = new java.util.HashSet<>();
        for (AclOperation op : ops) {
            out.add(op.code());
        }
        return out;
    }
}
