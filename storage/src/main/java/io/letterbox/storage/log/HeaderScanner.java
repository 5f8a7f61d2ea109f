package io.letterbox.storage.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Walks batch headers of a segment file between two positions. Small batches are read through a
 * read-ahead window, so that scanning many of them costs one read per window rather than one per
 * batch; after a batch of {@value #HEADER_ONLY_AFTER} bytes or more (and for the first header) only
 * the next header is read, since a window would copy mostly record bytes: a 1 MiB fetch of 16 KiB
 * batches used to read the whole MiB to find where it ends.
 *
 * <p>Thread-safety: not thread-safe; one instance per scan. The file may be appended to concurrently;
 * only bytes below {@code limit} (a published size) are read.
 */
final class HeaderScanner {

    private static final int WINDOW = 16 * 1024;
    static final int HEADER_ONLY_AFTER = 1024;

    private final FileChannel channel;
    private final int limit;
    private final int windowCapacity;
    private ByteBuffer window;
    private ByteBuffer header;
    /** The buffer last filled: {@link #window} or {@link #header}. */
    private ByteBuffer filled;
    private int filledStart = 0;
    private int filledLength = 0;
    private int position;
    private int lastSkip = HEADER_ONLY_AFTER;

    HeaderScanner(FileChannel channel, int start, int limit) {
        this.channel = channel;
        this.position = start;
        this.limit = limit;
        // No larger than the range: many scans read one header or a short tail.
        this.windowCapacity = Math.max(0, Math.min(WINDOW, limit - start));
    }

    int position() {
        return position;
    }

    /** Bytes between the current position and the limit. */
    int remaining() {
        return limit - position;
    }

    /**
     * The header at the current position, or null if fewer than a header's bytes remain before the
     * limit. Does not advance; call {@link #skip} with the batch size.
     */
    BatchHeader peek() throws IOException {
        if (limit - position < BatchHeader.SIZE) {
            return null;
        }
        if (position < filledStart || position + BatchHeader.SIZE > filledStart + filledLength) {
            fill();
        }
        return BatchHeader.parse(filled, position - filledStart, position);
    }

    void skip(int bytes) {
        position += bytes;
        lastSkip = bytes;
    }

    private void fill() throws IOException {
        if (lastSkip >= HEADER_ONLY_AFTER) {
            header = header != null ? header : ByteBuffer.allocate(BatchHeader.SIZE);
            filled = header;
        } else {
            window = window != null ? window : ByteBuffer.allocate(windowCapacity);
            filled = window;
        }
        int want = Math.min(filled.capacity(), limit - position);
        filled.clear().limit(want);
        while (filled.hasRemaining()) {
            int n = channel.read(filled, position + filled.position());
            if (n < 0) {
                throw new IOException("Unexpected end of file at " + (position + filled.position()));
            }
        }
        filledStart = position;
        filledLength = want;
    }
}
