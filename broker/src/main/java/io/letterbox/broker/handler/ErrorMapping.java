package io.letterbox.broker.handler;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a failure becomes a Kafka error code. Storage, metadata and handlers throw
 * kafka-clients' {@link ApiException} types named after the fault; anything else is a bug and
 * is logged once as such.
 */
public final class ErrorMapping {

    private static final Logger log = LoggerFactory.getLogger(ErrorMapping.class);

    private ErrorMapping() {
    }

    public static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    public static Errors errorOf(Throwable failure) {
        Throwable e = unwrap(failure);
        if (e instanceof ApiException) {
            return Errors.forException(e);
        }
        log.warn("Unexpected failure, answered UNKNOWN_SERVER_ERROR: {}", e.toString());
        log.debug("stack trace", e);
        return Errors.UNKNOWN_SERVER_ERROR;
    }

    /** The message to send with the code: the exception's own for API errors, none for bugs. */
    public static String messageOf(Throwable failure) {
        Throwable e = unwrap(failure);
        return e instanceof ApiException ? e.getMessage() : null;
    }

    static void setError(PartitionProduceResponse out, Throwable e) {
        out.setErrorCode(errorOf(e).code()).setErrorMessage(messageOf(e))
                .setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1);
    }
}
