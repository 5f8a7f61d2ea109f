package io.letterbox.broker.handler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.broker.config.BrokerConfig;
import io.letterbox.metadata.controller.ConfigOp;
import io.letterbox.metadata.controller.Controller;
import io.letterbox.storage.config.LogConfig;

/**
 * IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT on a resource's overrides, applied
 * by the controller against the latest metadata so concurrent changes to other keys are kept.
 * The result is validated as a whole (INVALID_CONFIG with the validator's message). APPEND and
 * SUBTRACT need a list-typed key; that is checked here, where the config definitions are known.
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
        List<ConfigChanges.Item<List<ConfigOp>>> items = new ArrayList<>();
        for (IncrementalAlterConfigsRequestData.AlterConfigsResource resource : data.resources()) {
            ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
            items.add(new ConfigChanges.Item<>(resource.resourceType(), resource.resourceName(), () -> {
                List<ConfigOp> ops = new ArrayList<>();
                for (AlterableConfig c : resource.configs()) {
                    ops.add(toOp(type, c));
                }
                return ops;
            }));
        }
        return ConfigChanges.apply(items, changes -> controller.incrementalAlterConfigs(changes, data.validateOnly()))
                .thenApply(results -> {
                    IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
                    for (ConfigChanges.Result r : results) {
                        response.responses().add(new AlterConfigsResourceResponse()
                                .setResourceType(r.type()).setResourceName(r.name())
                                .setErrorCode(r.error().error().code()).setErrorMessage(r.error().message()));
                    }
                    return new IncrementalAlterConfigsResponse(response);
                });
    }

    static ConfigOp toOp(ConfigResource.Type type, AlterableConfig c) {
        AlterConfigOp.OpType op = AlterConfigOp.OpType.forId(c.configOperation());
        if (op == null) {
            throw new InvalidRequestException("Unknown config operation " + c.configOperation() + " for " + c.name());
        }
        if (op == AlterConfigOp.OpType.APPEND || op == AlterConfigOp.OpType.SUBTRACT) {
            ConfigDef def = type == ConfigResource.Type.TOPIC ? LogConfig.CONFIG_DEF : BrokerConfig.CONFIG_DEF;
            ConfigDef.ConfigKey key = def.configKeys().get(c.name());
            // An unknown key is left to the validator, which names the supported ones.
            if (key != null && key.type != ConfigDef.Type.LIST) {
                throw new InvalidConfigurationException("Can't " + op + " to key " + c.name()
                        + " because its type is not LIST.");
            }
        }
        return new ConfigOp(c.name(), op, c.value());
    }
}
