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
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.broker.config.BrokerConfig;
import io.letterbox.metadata.controller.Controller;
import io.letterbox.metadata.controller.CreateTopicResult;
import io.letterbox.metadata.controller.NewTopic;
import io.letterbox.metadata.image.MetadataImage;

/**
 * CreateTopics: the controller validates and places every topic (or only validates, with
 * {@code validateOnly}); from v5 the answer also carries each topic's partitions, replication
 * factor and effective configs, so AdminClient can show them without a second request.
 * A creation not committed within the request's timeout answers REQUEST_TIMED_OUT (it may still
 * complete later, as in Kafka).
 */
public final class CreateTopicsHandler implements ApiHandler<CreateTopicsRequest> {

    private final Supplier<MetadataImage> images;
    private final Controller controller;
    private final BrokerConfig config;

    public CreateTopicsHandler(Supplier<MetadataImage> images, Controller controller, BrokerConfig config) {
        this.images = images;
        this.controller = controller;
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
                        out.setConfigs(configs(image, r.configs()));
                    }
                }
                response.topics().add(out);
            }
            return new CreateTopicsResponse(response);
        });
    }

    private List<CreatableTopicConfigs> configs(MetadataImage image, Map<String, String> overrides) {
        List<CreatableTopicConfigs> out = new ArrayList<>();
        for (ConfigSources.Entry e : ConfigSources.of(config, image).topic(overrides)) {
            out.add(new CreatableTopicConfigs().setName(e.name()).setValue(e.value()).setReadOnly(false)
                    .setConfigSource(e.source().id()).setIsSensitive(false));
        }
        return out;
    }
}
