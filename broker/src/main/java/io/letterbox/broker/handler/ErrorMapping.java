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

    /**
     * The error a group coordinator answers when writing to {@code __consumer_offsets} failed, as
     * Kafka maps it: a timeout or missing replicas is COORDINATOR_NOT_AVAILABLE (retriable), a lost
     * leadership or a failed disk NOT_COORDINATOR, a batch too large INVALID_COMMIT_OFFSET_SIZE.
     */
    public static Errors coordinatorWriteErrorOf(Throwable failure) {
        Errors e = errorOf(failure);
        switch (e) {
            case NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT, UNKNOWN_TOPIC_OR_PARTITION:
                return Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR:
                return Errors.NOT_COORDINATOR;
            case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_FETCH_SIZE:
                return Errors.INVALID_COMMIT_OFFSET_SIZE;
            default:
                return e;
        }
    }

    static void setError(PartitionProduceResponse out, Throwable e) {
        out.setErrorCode(errorOf(e).code()).setErrorMessage(messageOf(e))
                .setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1);
    }
}
