package io.letterbox.storage.checkpoint;

import java.nio.file.Path;

/** A checkpoint file exists but its content cannot be parsed. Not a protocol error. */
public class CorruptCheckpointException extends RuntimeException {

    public CorruptCheckpointException(Path file, String detail) {
        super("Corrupt checkpoint file " + file + ": " + detail);
    }
}
