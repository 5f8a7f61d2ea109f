package io.letterbox.metadata.image;

/**
 * A record that does not fit the image it is replayed onto (a partition of an unknown topic, a
 * second topic with the same name, producer ids going backwards, ...). The controller never
 * writes such a record, so meeting one means the log or this code is broken: the node must stop.
 */
public final class RecordReplayException extends RuntimeException {
    public RecordReplayException(String message) {
        super(message);
    }
}
