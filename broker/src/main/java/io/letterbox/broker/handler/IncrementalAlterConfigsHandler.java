package io.letterbox.broker.handler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.broker.config.BrokerConfig;
import io.letterbox.metadata.controller.ConfigOp;
import io.letterbox.metadata.controller.Controller;
import io.letterbox.storage.config.LogConfig;

/**
 * IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT on a topic's or a broker's
 * overrides. Each resource succeeds or fails as a whole (INVALID_CONFIG with the validator's
 * message, UNKNOWN_TOPIC_OR_PARTITION, ...); the accepted ones are written in one batch, and
 * the partition manager applies a topic's new settings to its live logs.
 *
 * <p>Checked here, before the controller, as Kafka does: an unknown operation and a resource
 * named twice are INVALID_REQUEST; APPEND and SUBTRACT on a key that is not a list are
 * INVALID_CONFIG.
 */
public final class IncrementalAlterConfigsHandler implements ApiHandler<IncrementalAlterConfigsRequest> {

    private final Controller controller;

    public IncrementalAlterConfigsHandler(Controller controller) {
        this.controller = controller;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INCREMENTAL_ALTER_CONFIGS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, IncrementalAlterConfigsRequest request) {
        IncrementalAlterConfigsRequestData data = request.data();
        Map<ConfigResource, ApiError> refused = new HashMap<>();
        Map<ConfigResource, List<ConfigOp>> changes = new LinkedHashMap<>();
        List<ConfigResource> order = new ArrayList<>();
        for (AlterConfigsResource r : data.resources()) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.forId(r.resourceType()), r.resourceName());
            order.add(resource);
            if (changes.containsKey(resource) || refused.containsKey(resource)) {
                changes.remove(resource);
                refused.put(resource, new ApiError(Errors.INVALID_REQUEST, "Duplicate resource."));
                continue;
            }
            List<ConfigOp> ops = new ArrayList<>();
            ApiError invalid = null;
            for (AlterableConfig c : r.configs()) {
                AlterConfigOp.OpType op = AlterConfigOp.OpType.forId(c.configOperation());
                if (op == null) {
                    invalid = new ApiError(Errors.INVALID_REQUEST, "Unknown config operation " + c.configOperation()
                            + " for " + c.name());
                    break;
                }
                if ((op == AlterConfigOp.OpType.APPEND || op == AlterConfigOp.OpType.SUBTRACT)
                        && !isList(resource.type(), c.name())) {
                    invalid = new ApiError(Errors.INVALID_CONFIG, "Can't " + op + " to key " + c.name()
                            + " because its type is not LIST.");
                    break;
                }
                ops.add(new ConfigOp(c.name(), op, c.value()));
            }
            if (invalid != null) {
                refused.put(resource, invalid);
            } else {
                changes.put(resource, ops);
            }
        }
        CompletableFuture<Map<ConfigResource, ApiError>> results = changes.isEmpty()
                ? CompletableFuture.completedFuture(Map.of())
                : controller.incrementalAlterConfigs(changes, data.validateOnly());
        return results.thenApply(done -> {
            IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
            for (ConfigResource resource : new LinkedHashSet<>(order)) {
                ApiError error = refused.getOrDefault(resource, done.getOrDefault(resource, ApiError.NONE));
                response.responses().add(new AlterConfigsResourceResponse().setResourceType(resource.type().id())
                        .setResourceName(resource.name()).setErrorCode(error.error().code())
                        .setErrorMessage(error.message()));
            }
            return new IncrementalAlterConfigsResponse(response);
        });
    }

    /** Unknown keys pass: the validator names them. */
    private static boolean isList(ConfigResource.Type type, String key) {
        ConfigDef def = type == ConfigResource.Type.TOPIC ? LogConfig.CONFIG_DEF
                : type == ConfigResource.Type.BROKER ? BrokerConfig.CONFIG_DEF : null;
        ConfigDef.ConfigKey k = def == null ? null : def.configKeys().get(key);
        return k == null || k.type == ConfigDef.Type.LIST;
    }
}
