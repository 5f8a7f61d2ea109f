package io.letterbox.broker.handler;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

/**
 * What AlterConfigs and IncrementalAlterConfigs share: one answer per resource, in request
 * order; topics and brokers go to the controller in one call (each resource succeeds or fails
 * as a whole), anything else is refused here. A resource named twice is INVALID_REQUEST, once,
 * and neither of its changes is applied, as in Kafka.
 */
final class ConfigChanges {

    /** One resource of the request; {@code change} may throw an ApiException to refuse it. */
    record Item<C>(byte type, String name, Supplier<C> change) {
    }

    /** The answer for one resource. */
    record Result(byte type, String name, ApiError error) {
    }

    private ConfigChanges() {
    }

    static <C> CompletableFuture<List<Result>> apply(List<Item<C>> items,
            Function<Map<ConfigResource, C>, CompletableFuture<Map<ConfigResource, ApiError>>> controller) {
        Map<ConfigResource, C> changes = new LinkedHashMap<>();
        Map<ConfigResource, Slot> slotOf = new LinkedHashMap<>();
        Set<ConfigResource> duplicated = new HashSet<>();
        List<Slot> slots = new ArrayList<>();
        for (Item<C> item : items) {
            ConfigResource.Type type = ConfigResource.Type.forId(item.type());
            ConfigResource resource = new ConfigResource(type, item.name() == null ? "" : item.name());
            if (duplicated.contains(resource)) {
                continue;
            }
            Slot earlier = slotOf.get(resource);
            if (earlier != null) {
                duplicated.add(resource);
                changes.remove(resource);
                earlier.error = new ApiError(Errors.INVALID_REQUEST, "Duplicate resource.");
                continue;
            }
            Slot slot = new Slot(item.type(), item.name());
            slots.add(slot);
            slotOf.put(resource, slot);
            try {
                if (type != ConfigResource.Type.TOPIC && type != ConfigResource.Type.BROKER) {
                    throw new InvalidRequestException("Resource type " + type
                            + " is not supported by this broker; only TOPIC and BROKER configs can be altered");
                }
                changes.put(resource, item.change().get());
            } catch (ApiException e) {
                slot.error = ApiError.fromThrowable(e);
            }
        }
        if (changes.isEmpty()) {
            return CompletableFuture.completedFuture(results(slots));
        }
        return controller.apply(changes).handle((byResource, failure) -> {
            for (ConfigResource resource : changes.keySet()) {
                Slot slot = slotOf.get(resource);
                if (failure != null) {
                    slot.error = ControllerCalls.errorOf(failure);
                } else {
                    ApiError error = byResource.get(resource);
                    slot.error = error == null ? new ApiError(Errors.UNKNOWN_SERVER_ERROR, "no result") : error;
                }
            }
            return results(slots);
        });
    }

    private static List<Result> results(List<Slot> slots) {
        List<Result> out = new ArrayList<>(slots.size());
        for (Slot s : slots) {
            out.add(new Result(s.type, s.name, s.error == null ? ApiError.NONE : s.error));
        }
        return out;
    }

    private static final class Slot {
        final byte type;
        final String name;
        ApiError error;

        Slot(byte type, String name) {
            this.type = type;
            this.name = name;
        }
    }
}
