package io.letterbox.storage.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Walks batch headers of a segment file between two positions through a small read-ahead window, so
 * that scanning many small batches costs one read per window rather than one per batch.
 *
 * <p>Thread-safety: not thread-safe; one instance per scan. The file may be appended to concurrently;
 * only bytes below {@code limit} (a published size) are read.
 */
final class HeaderScanner {

    private static final int WINDOW = 16 * 1024;

    private final FileChannel channel;
    private final int limit;
    private final ByteBuffer window;
    private int windowStart = 0;
    private int windowLength = 0;
    private int position;

    HeaderScanner(FileChannel channel, int start, int limit) {
        this.channel = channel;
        this.position = start;
        this.limit = limit;
        // No larger than the range: many scans read one header or a short tail.
        this.window = ByteBuffer.allocate(Math.max(0, Math.min(WINDOW, limit - start)));
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
        if (position < windowStart || position + BatchHeader.SIZE > windowStart + windowLength) {
            fill();
        }
        return BatchHeader.parse(window, position - windowStart, position);
    }

    void skip(int bytes) {
        position += bytes;
    }

    private void fill() throws IOException {
        window.clear();
        int want = Math.min(WINDOW, limit - position);
        window.limit(want);
        while (window.hasRemaining()) {
            int n = channel.read(window, position + window.position());
            if (n < 0) {
                throw new IOException("Unexpected end of file at " + (position + window.position()));
            }
        }
        windowStart = position;
        windowLength = want;
    }
}
