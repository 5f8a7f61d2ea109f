package io.letterbox.broker.handler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.metadata.controller.Controller;

/**
 * The legacy AlterConfigs: each resource's overrides become exactly the given set (keys left
 * out are removed). Kept for old tools; AdminClient uses IncrementalAlterConfigs. The
 * controller validates every resource as a whole (INVALID_CONFIG with the validator's message)
 * and writes all accepted ones in one batch; the partition manager then applies a topic's new
 * settings to its live logs. A resource named twice is INVALID_REQUEST, as in Kafka.
 */
public final class AlterConfigsHandler implements ApiHandler<AlterConfigsRequest> {

    private final Controller controller;

    public AlterConfigsHandler(Controller controller) {
        this.controller = controller;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_CONFIGS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AlterConfigsRequest request) {
        AlterConfigsRequestData data = request.data();
        Map<ConfigResource, ApiError> refused = new HashMap<>();
        Map<ConfigResource, Map<String, String>> changes = new LinkedHashMap<>();
        List<ConfigResource> order = new ArrayList<>();
        for (AlterConfigsResource r : data.resources()) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.forId(r.resourceType()), r.resourceName());
            order.add(resource);
            if (changes.containsKey(resource) || refused.containsKey(resource)) {
                changes.remove(resource);
                refused.put(resource, new ApiError(Errors.INVALID_REQUEST, "Duplicate resource."));
                continue;
            }
            Map<String, String> configs = new HashMap<>();
            r.configs().forEach(c -> configs.put(c.name(), c.value()));
            changes.put(resource, configs);
        }
        CompletableFuture<Map<ConfigResource, ApiError>> results = changes.isEmpty()
                ? CompletableFuture.completedFuture(Map.of())
                : controller.replaceConfigs(changes, data.validateOnly());
        return results.thenApply(done -> {
            AlterConfigsResponseData response = new AlterConfigsResponseData();
            for (ConfigResource resource : new LinkedHashSet<>(order)) {
                ApiError error = refused.getOrDefault(resource, done.getOrDefault(resource, ApiError.NONE));
                response.responses().add(new AlterConfigsResourceResponse().setResourceType(resource.type().id())
                        .setResourceName(resource.name()).setErrorCode(error.error().code())
                        .setErrorMessage(error.message()));
            }
            return new AlterConfigsResponse(response);
        });
    }
}
