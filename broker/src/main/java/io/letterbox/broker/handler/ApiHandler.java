package io.letterbox.broker.handler;

import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestContext;

/**
 * Answers one API: request data in, response data out, no sockets. The versions it declares
 * are exactly what ApiVersions advertises for its key.
 *
 * <p>{@link #handle} runs on a network thread and must not block on I/O other than page-cache
 * writes; slow work completes the returned future later, from any thread. The request's memory
 * (for example a produce request's record batches) is valid only during the call.
 */
public interface ApiHandler<Q extends AbstractRequest> {

    ApiKeys apiKey();

    default short oldestVersion() {
        return apiKey().oldestVersion();
    }

    default short latestVersion() {
        return apiKey().latestVersion();
    }

    CompletableFuture<AbstractResponse> handle(RequestContext context, Q request);
}
