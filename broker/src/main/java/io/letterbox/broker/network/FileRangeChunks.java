package io.letterbox.broker.network;

import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;

/**
 * A range of a segment file, read in chunks as the connection can take them: how fetched records
 * reach a TLS connection, where sendfile cannot encrypt. A {@code ChunkedWriteHandler} pulls the
 * chunks, so a large fetch holds one chunk in memory at a time rather than the whole answer. The
 * segment owns the file channel, so closing this leaves it open.
 */
final class FileRangeChunks implements ChunkedInput<ByteBuf> {

    /** The payload of one TLS record: a chunk encrypts in one piece. */
    static final int CHUNK_BYTES = 16 * 1024;

    private final FileChannel file;
    private final long end;
    private final long length;
    private long position;

    FileRangeChunks(FileChannel file, long position, long count) {
        this.file = file;
        this.position = position;
        this.end = position + count;
        this.length = count;
    }

    @Override
    public boolean isEndOfInput() {
        return position >= end;
    }

    @Override
    public void close() {
        // The segment owns the file.
    }

    @Deprecated
    @Override
    public ByteBuf readChunk(ChannelHandlerContext ctx) throws Exception {
        return readChunk(ctx.alloc());
    }

    @Override
    public ByteBuf readChunk(ByteBufAllocator allocator) throws IOException {
        if (isEndOfInput()) {
            return null;
        }
        int size = (int) Math.min(CHUNK_BYTES, end - position);
        ByteBuf chunk = allocator.buffer(size);
        boolean done = false;
        try {
            int read = 0;
            while (read < size) {
                int n = chunk.writeBytes(file, position + read, size - read);
                if (n < 0) {
                    // Retention or truncation cannot shrink a segment a fetch is reading; this is a fault
                    throw new EOFException("segment ended " + (end - position - read) + " bytes before the fetched range");
                }
                read += n;
            }
            position += size;
            done = true;
            return chunk;
        } finally {
            if (!done) {
                chunk.release();
            }
        }
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public long progress() {
        return length - (end - position);
    }
}
