package io.letterbox.broker.handler;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.broker.config.BrokerConfig;
import io.letterbox.broker.partition.PartitionManager;
import io.letterbox.metadata.controller.Controller;
import io.letterbox.metadata.controller.CreateTopicResult;
import io.letterbox.metadata.controller.NewTopic;
import io.letterbox.metadata.image.MetadataImage;

/**
 * CreateTopics: the controller validates and places every topic (or only validates, with
 * {@code validateOnly}); from v5 the answer also carries each topic's partitions, replication
 * factor and effective configs with their sources, so AdminClient can show them without a
 * second request. A name given twice is INVALID_REQUEST and neither is created; a creation not
 * committed within the request's timeout answers REQUEST_TIMED_OUT (it may still complete
 * later, as in Kafka).
 */
public final class CreateTopicsHandler implements ApiHandler<CreateTopicsRequest> {

    private final Supplier<MetadataImage> images;
    private final Controller controller;
    private final PartitionManager partitions;
    private final BrokerConfig config;

    public CreateTopicsHandler(Supplier<MetadataImage> images, Controller controller, PartitionManager partitions,
            BrokerConfig config) {
        this.images = images;
        this.controller = controller;
        this.partitions = partitions;
        this.config = config;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_TOPICS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, CreateTopicsRequest request) {
        CreateTopicsRequestData data = request.data();
        CreateTopicsResponseData response = new CreateTopicsResponseData();
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new HashSet<>();
        for (CreateTopicsRequestData.CreatableTopic t : data.topics()) {
            if (!seen.add(t.name())) {
                duplicates.add(t.name());
            }
        }
        List<NewTopic> toCreate = new ArrayList<>();
        for (CreateTopicsRequestData.CreatableTopic t : data.topics()) {
            if (duplicates.contains(t.name())) {
                continue;
            }
            Map<Integer, List<Integer>> assignments = new LinkedHashMap<>();
            t.assignments().forEach(a -> assignments.put(a.partitionIndex(), List.copyOf(a.brokerIds())));
            Map<String, String> configs = new LinkedHashMap<>();
            t.configs().forEach(c -> configs.put(c.name(), c.value()));
            toCreate.add(new NewTopic(t.name(), t.numPartitions(), t.replicationFactor(), assignments, configs));
        }
        for (String name : duplicates) {
            response.topics().add(new CreatableTopicResult().setName(name)
                    .setErrorCode(Errors.INVALID_REQUEST.code())
                    .setErrorMessage("Create topics request from client contains the topic '" + name + "' more than once"));
        }
        if (toCreate.isEmpty()) {
            return CompletableFuture.completedFuture(new CreateTopicsResponse(response));
        }
        boolean withConfigs = context.apiVersion() >= 5;
        CompletableFuture<List<CreateTopicResult>> created = ControllerCalls.within(
                controller.createTopics(toCreate, data.validateOnly()), data.timeoutMs(), "Topic creation");
        return created.handle((results, failure) -> {
            if (failure != null) {
                ApiError error = ControllerCalls.errorOf(failure);
                for (NewTopic t : toCreate) {
                    response.topics().add(new CreatableTopicResult().setName(t.name())
                            .setErrorCode(error.error().code()).setErrorMessage(error.message())
                            .setNumPartitions(-1).setReplicationFactor((short) -1));
                }
                return new CreateTopicsResponse(response);
            }
            MetadataImage image = images.get();
            for (CreateTopicResult r : results) {
                CreatableTopicResult out = new CreatableTopicResult().setName(r.name())
                        .setErrorCode(r.error().error().code()).setErrorMessage(r.error().message())
                        .setTopicId(r.topicId() == null ? Uuid.ZERO_UUID : r.topicId())
                        .setNumPartitions(-1).setReplicationFactor((short) -1);
                if (r.error().isSuccess()) {
                    out.setNumPartitions(r.numPartitions()).setReplicationFactor(r.replicationFactor());
                    if (withConfigs) {
                        try {
                            out.setConfigs(configs(image, r.configs()));
                        } catch (RuntimeException e) {
                            // Validated by the controller; only a broker default gone bad lands here.
                            out.setConfigs(new ArrayList<>());
                        }
                    }
                }
                response.topics().add(out);
            }
            return new CreateTopicsResponse(response);
        });
    }

    /** The topic's effective configs with their sources, as DescribeConfigs gives them. */
    private List<CreatableTopicConfigs> configs(MetadataImage image, Map<String, String> overrides) {
        List<CreatableTopicConfigs> out = new ArrayList<>();
        ConfigSources sources = DescribeConfigsHandler.sources(image, config);
        for (DescribeConfigsResourceResult c : sources.topic(overrides, partitions.logConfig(image, overrides),
                null, false, false)) {
            out.add(new CreatableTopicConfigs().setName(c.name()).setValue(c.value()).setReadOnly(c.readOnly())
                    .setConfigSource(c.configSource()).setIsSensitive(c.isSensitive()));
        }
        return out;
    }
}
