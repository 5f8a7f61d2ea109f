package io.letterbox.broker.handler;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.requests.ApiError;

/**
 * Waiting on the controller for an admin request: bounded by the request's own {@code timeoutMs}
 * (none when it is 0 or less), after which the client gets REQUEST_TIMED_OUT. The change may
 * still be committed afterwards, as in Kafka; the client finds out by describing.
 */
final class ControllerCalls {

    private ControllerCalls() {
    }

    static <T> CompletableFuture<T> within(CompletableFuture<T> call, int timeoutMs, String what) {
        if (timeoutMs <= 0) {
            return call;
        }
        return call.orTimeout(timeoutMs, TimeUnit.MILLISECONDS).exceptionally(e -> {
            if (ErrorMapping.unwrap(e) instanceof java.util.concurrent.TimeoutException) {
                throw new CompletionException(new TimeoutException(what + " did not complete within " + timeoutMs + " ms"));
            }
            throw e instanceof CompletionException ce ? ce : new CompletionException(e);
        });
    }

    /** The error a failed controller call gives each item of the request. */
    static ApiError errorOf(Throwable failure) {
        return new ApiError(ErrorMapping.errorOf(failure), ErrorMapping.messageOf(failure));
    }
}
