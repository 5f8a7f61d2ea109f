package io.letterbox.metadata.record;

/**
 * Bytes that do not decode to metadata records: an unknown type id or version, a truncated or
 * over-long field, trailing bytes, or a checksum mismatch. Never recoverable by retrying; the
 * node that meets it in its log must stop.
 */
public final class CorruptRecordException extends RuntimeException {
    public CorruptRecordException(String message) {
        super(message);
    }

    public CorruptRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
