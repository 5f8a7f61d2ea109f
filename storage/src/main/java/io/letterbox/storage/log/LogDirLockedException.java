package io.letterbox.storage.log;

/** Another process (or another {@link LogManager} in this JVM) holds the lock of a log directory. */
public class LogDirLockedException extends RuntimeException {

    public LogDirLockedException(String message) {
        super(message);
    }

    public LogDirLockedException(String message, Throwable cause) {
        super(message, cause);
    }
}
