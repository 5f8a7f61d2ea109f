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
 * DescribeCluster: the cluster id, the controller clients should use and the brokers on the
 * listener the client came in on, the same set Metadata gives. Only broker endpoints exist
 * here: a request for controllers (v1+) is MISMATCHED_ENDPOINT_TYPE, an unknown type
 * UNSUPPORTED_ENDPOINT_TYPE, as a Kafka broker answers. Brokers are never fenced yet, so
 * {@code includeFencedBrokers} (v2) changes nothing and every broker is {@code isFenced=false}.
 * There are no ACLs: asked for, the authorized operations are every cluster operation.
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
        EndpointType wanted = context.apiVersion() >= 1 ? EndpointType.fromId(data.endpointType()) : EndpointType.BROKER;
        if (wanted != EndpointType.BROKER) {
            Errors error = wanted == EndpointType.UNKNOWN ? Errors.UNSUPPORTED_ENDPOINT_TYPE : Errors.MISMATCHED_ENDPOINT_TYPE;
            String message = wanted == EndpointType.UNKNOWN
                    ? "Unsupported endpoint type " + data.endpointType()
                    : "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type " + wanted;
            return CompletableFuture.completedFuture(new DescribeClusterResponse(
                    response.setErrorCode(error.code()).setErrorMessage(message)));
        }
        MetadataImage image = images.get();
        response.setClusterId(image.clusterId())
                .setControllerId(brokers.controllerId(image))
                .setEndpointType(EndpointType.BROKER.id());
        for (MetadataResponseBroker b : brokers.describe(image, context.listenerName)) {
            response.brokers().add(new DescribeClusterBroker().setBrokerId(b.nodeId()).setHost(b.host())
                    .setPort(b.port()).setRack(b.rack()).setIsFenced(false));
        }
        if (data.includeClusterAuthorizedOperations()) {
            response.setClusterAuthorizedOperations(
                    Utils.to32BitField(MetadataHandler.codes(MetadataHandler.CLUSTER_OPERATIONS)));
        }
        return CompletableFuture.completedFuture(new DescribeClusterResponse(response));
    }
}
