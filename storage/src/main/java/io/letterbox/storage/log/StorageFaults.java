package io.letterbox.storage.log;

import java.io.IOException;

/**
 * Tells a full disk from a failing one. Java reports both as a plain IOException whose message is
 * the operating system's text for the errno (strerror), so the message is all there is to go by.
 */
final class StorageFaults {

    /** strerror of ENOSPC and EDQUOT: the write was refused for space, the disk itself is fine. */
    private static final String[] OUT_OF_SPACE = {"No space left on device", "Disk quota exceeded"};

    private StorageFaults() {
    }

    /** True if {@code e} or one of its causes says the file system is out of space or quota. */
    static boolean isOutOfSpace(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null) {
                for (String text : OUT_OF_SPACE) {
                    if (message.contains(text)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
