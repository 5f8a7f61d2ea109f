package io.letterbox.storage.log;

import java.io.IOException;

/**
 * Tells a full disk, or a process out of file descriptors, from a failing disk. Java reports all as a
 * plain IOException whose message is the operating system's text for the errno (strerror), so the
 * message is all there is to go by.
 */
final class StorageFaults {

    /** strerror of ENOSPC and EDQUOT: the write was refused for space, the disk itself is fine. */
    private static final String[] OUT_OF_SPACE = {"No space left on device", "Disk quota exceeded"};
    /** strerror of EMFILE and ENFILE ("... in system"): no file descriptor left, the disk is fine. */
    private static final String[] OUT_OF_FILES = {"Too many open files"};

    private StorageFaults() {
    }

    /** True if {@code e} or one of its causes says the file system is out of space or quota. */
    static boolean isOutOfSpace(IOException e) {
        return says(e, OUT_OF_SPACE);
    }

    /** True if {@code e} or one of its causes says the process or the system has no file descriptor left. */
    static boolean isOutOfFiles(IOException e) {
        return says(e, OUT_OF_FILES);
    }

    /** True if {@code e} says nothing against the disk: it is full, or the process is out of file descriptors. */
    static boolean isResourceLimit(IOException e) {
        return isOutOfSpace(e) || isOutOfFiles(e);
    }

    private static boolean says(IOException e, String[] texts) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null) {
                for (String text : texts) {
                    if (message.contains(text)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
