package io.letterbox.storage.log;

/**
 * An index file does not match its segment (bad size, entries out of order, or pointing past or
 * into the middle of the log data). Recovery answers it by rebuilding the index from the log file.
 */
public class CorruptIndexException extends RuntimeException {

    public CorruptIndexException(String message) {
        super(message);
    }
}
