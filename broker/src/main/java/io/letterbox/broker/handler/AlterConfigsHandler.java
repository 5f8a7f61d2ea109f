package io.letterbox.broker.handler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.metadata.controller.Controller;

/**
 * AlterConfigs, the legacy form: each resource's overrides become exactly the given set, so a
 * key left out goes back to its default. The controller validates the whole set (INVALID_CONFIG
 * with the validator's message) and writes it to the metadata log; every broker then applies it
 * from its image.
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
        List<ConfigChanges.Item<Map<String, String>>> items = new ArrayList<>();
        for (AlterConfigsRequestData.AlterConfigsResource resource : data.resources()) {
            items.add(new ConfigChanges.Item<>(resource.resourceType(), resource.resourceName(), () -> {
                Map<String, String> configs = new HashMap<>();
                resource.configs().forEach(c -> configs.put(c.name(), c.value()));
                return configs;
            }));
        }
        return ConfigChanges.apply(items, changes -> controller.replaceConfigs(changes, data.validateOnly()))
                .thenApply(results -> {
                    AlterConfigsResponseData response = new AlterConfigsResponseData();
                    for (ConfigChanges.Result r : results) {
                        response.responses().add(new AlterConfigsResourceResponse()
                                .setResourceType(r.type()).setResourceName(r.name())
                                .setErrorCode(r.error().error().code()).setErrorMessage(r.error().message()));
                    }
                    return new AlterConfigsResponse(response);
                });
    }
}
