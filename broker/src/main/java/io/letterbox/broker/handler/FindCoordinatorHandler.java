package io.letterbox.broker.handler;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.apache.kafka.common.errors.CoordinatorNotAvailableException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.broker.Brokers;
import io.letterbox.broker.group.GroupMetadataManager;
import io.letterbox.metadata.image.MetadataImage;

/**
 * FindCoordinator v0-6, one key (v0-3) or a batch (v4+, KIP-699). A group's coordinator is the
 * leader of its {@code __consumer_offsets} partition; the first request creates that topic and
 * answers COORDINATOR_NOT_AVAILABLE, a partition still loading answers
 * COORDINATOR_LOAD_IN_PROGRESS (both retriable).
 *
 * <p>Key types other than GROUP answer INVALID_REQUEST, as Kafka does for a type it does not serve
 * (an unknown type id, or SHARE with share groups disabled): transactions are not built yet, and a
 * transactional producer should fail at once with a message rather than retry until its timeout.
 */
public final class FindCoordinatorHandler implements ApiHandler<FindCoordinatorRequest> {

    private final Supplier<MetadataImage> images;
    private final GroupMetadataManager groups;
    private final Brokers brokers;

    public FindCoordinatorHandler(Supplier<MetadataImage> images, GroupMetadataManager groups, Brokers brokers) {
        this.images = images;
        this.groups = groups;
        this.brokers = brokers;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FIND_COORDINATOR;
    }

    @Override
    public short latestVersion() {
        return 6;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, FindCoordinatorRequest request) {
        FindCoordinatorRequestData data = request.data();
        MetadataImage image = images.get();
        FindCoordinatorResponseData response = new FindCoordinatorResponseData();
        if (context.apiVersion() >= FindCoordinatorRequest.MIN_BATCHED_VERSION) {
            for (String key : data.coordinatorKeys()) {
                response.coordinators().add(find(context, image, data.keyType(), key));
            }
        } else {
            Coordinator c = find(context, image, data.keyType(), data.key());
            response.setErrorCode(c.errorCode()).setErrorMessage(c.errorMessage())
                    .setNodeId(c.nodeId()).setHost(c.host()).setPort(c.port());
        }
        return CompletableFuture.completedFuture(new FindCoordinatorResponse(response));
    }

    private Coordinator find(RequestContext context, MetadataImage image, byte keyType, String key) {
        Coordinator out = new Coordinator().setKey(key).setNodeId(-1).setHost("").setPort(-1);
        try {
            if (keyType != CoordinatorType.GROUP.id()) {
                throw new InvalidRequestException(keyType == CoordinatorType.TRANSACTION.id()
                        ? "Transaction coordinators are not supported by this broker yet."
                        : "Coordinator key type " + keyType + " is not supported.");
            }
            if (key == null) {
                throw new InvalidRequestException("The coordinator key is missing.");
            }
            int nodeId = groups.coordinatorFor(image, key);
            List<MetadataResponseBroker> live = List.copyOf(brokers.describe(image, context.listenerName));
            MetadataResponseBroker node = live.stream().filter(b -> b.nodeId() == nodeId).findFirst()
                    .orElseThrow(() -> new CoordinatorNotAvailableException(
                            "The coordinator " + nodeId + " has no endpoint on this listener."));
            return out.setNodeId(node.nodeId()).setHost(node.host()).setPort(node.port())
                    .setErrorCode(Errors.NONE.code());
        } catch (RuntimeException e) {
            return out.setErrorCode(ErrorMapping.errorOf(e).code()).setErrorMessage(ErrorMapping.messageOf(e));
        }
    }
}
