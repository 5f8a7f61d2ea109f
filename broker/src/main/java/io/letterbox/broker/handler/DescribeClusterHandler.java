package io.letterbox.broker.handler;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.apache.kafka.clients.admin.EndpointType;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.requests.DescribeClusterResponse;
import org.apache.kafka.common.requests.RequestContext;
import org.apache.kafka.common.utils.Utils;

import io.letterbox.broker.Brokers;
import io.letterbox.metadata.image.MetadataImage;

/**
 * DescribeCluster: the brokers on the client's listener, the cluster id and a controller id
 * (a broker, as a KRaft broker answers: clients cannot reach the quorum). Every listener here
 * is a broker listener, so a request for the controllers (KIP-919, v1+) is refused with
 * MISMATCHED_ENDPOINT_TYPE and an unknown endpoint type with UNSUPPORTED_ENDPOINT_TYPE (both
 * INVALID_REQUEST at v0), carrying nothing else, as Kafka answers. Brokers are never fenced
 * yet, so {@code includeFencedBrokers} (v2) changes nothing. There are no ACLs: when asked, the
 * cluster's authorized operations are all of them.
 */
public final class DescribeClusterHandler implements ApiHandler<DescribeClusterRequest> {

    private final Supplier<MetadataImage> images;
    private final Brokers brokers;

    public DescribeClusterHandler(Supplier<MetadataImage> images, Brokers brokers) {
        this.images = images;
        this.brokers = brokers;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CLUSTER;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DescribeClusterRequest request) {
        DescribeClusterRequestData data = request.data();
        DescribeClusterResponseData response = new DescribeClusterResponseData();
        byte wanted = data.endpointType();
        boolean v0 = context.apiVersion() == 0;
        if (wanted != EndpointType.BROKER.id() && wanted != EndpointType.CONTROLLER.id()) {
            return answer(response.setErrorCode((v0 ? Errors.INVALID_REQUEST : Errors.UNSUPPORTED_ENDPOINT_TYPE).code())
                    .setErrorMessage("Unsupported endpoint type " + wanted));
        }
        if (wanted == EndpointType.CONTROLLER.id()) {
            return answer(response.setErrorCode((v0 ? Errors.INVALID_REQUEST : Errors.MISMATCHED_ENDPOINT_TYPE).code())
                    .setErrorMessage("The request was sent to an endpoint of type " + EndpointType.BROKER.name()
                            + ", but we wanted an endpoint of type " + EndpointType.CONTROLLER.name()));
        }
        MetadataImage image = images.get();
        response.setEndpointType(EndpointType.BROKER.id())
                .setClusterId(image.clusterId() == null ? "" : image.clusterId())
                .setControllerId(brokers.controllerId());
        for (MetadataResponseBroker b : brokers.describe(image, context.listenerName)) {
            response.brokers().add(new DescribeClusterBroker().setBrokerId(b.nodeId()).setHost(b.host())
                    .setPort(b.port()).setRack(b.rack()).setIsFenced(false));
        }
        if (data.includeClusterAuthorizedOperations()) {
            response.setClusterAuthorizedOperations(
                    Utils.to32BitField(MetadataHandler.codes(MetadataHandler.CLUSTER_OPERATIONS)));
        }
        return answer(response);
    }

    private static CompletableFuture<AbstractResponse> answer(DescribeClusterResponseData data) {
        return CompletableFuture.completedFuture(new DescribeClusterResponse(data));
    }
}
