package io.letterbox.broker.handler;

import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.RequestContext;

/**
 * ApiVersions: the keys and versions in the registry. A version newer than ours is answered at
 * v0 with UNSUPPORTED_VERSION (the client then retries with one we list), as Kafka does.
 */
public final class ApiVersionsHandler implements ApiHandler<ApiVersionsRequest> {

    private final HandlerRegistry registry;

    public ApiVersionsHandler(HandlerRegistry registry) {
        this.registry = registry;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.API_VERSIONS;
    }

    /** v5 came after Kafka 4.1, whose newest is v4. */
    @Override
    public short latestVersion() {
        return 4;
    }

    /** The answer to an ApiVersions request newer than ours: our range for ApiVersions itself. */
    public static ApiVersionsResponse unsupportedVersion(HandlerRegistry registry) {
        ApiVersionsResponseData.ApiVersionCollection keys = new ApiVersionsResponseData.ApiVersionCollection();
        ApiVersionsResponseData.ApiVersion own = registry.apiVersions().find(ApiKeys.API_VERSIONS.id);
        keys.add(own.duplicate());
        return new ApiVersionsResponse(new ApiVersionsResponseData()
                .setErrorCode(org.apache.kafka.common.protocol.Errors.UNSUPPORTED_VERSION.code()).setApiKeys(keys));
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, ApiVersionsRequest request) {
        if (request.hasUnsupportedRequestVersion()) {
            return CompletableFuture.completedFuture(
                    request.getErrorResponse(0, new UnsupportedVersionException("unsupported ApiVersions version")));
        }
        if (!request.isValid()) {
            return CompletableFuture.completedFuture(request.getErrorResponse(0,
                    new InvalidRequestException("invalid client software name or version")));
        }
        ApiVersionsResponseData data = new ApiVersionsResponseData()
                .setApiKeys(registry.apiVersions());
        return CompletableFuture.completedFuture(new ApiVersionsResponse(data));
    }
}
