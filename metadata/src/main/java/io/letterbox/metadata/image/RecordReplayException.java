package io.letterbox.metadata.image;

/**
 * A record that does not fit the image it is replayed onto (a partition of an unknown topic, a
 * second topic with the same name, producer ids not advancing, ...). In a cluster every node's
 * controller validates against its own image, which may lag the log; the state machine then
 * rejects the whole batch (the same way on every member, since all apply the same log) and the
 * writer retries on a newer image.
 */
public final class RecordReplayException extends RuntimeException {
    public RecordReplayException(String message) {
        super(message);
    }
}
