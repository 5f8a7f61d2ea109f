package io.letterbox.broker.network;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.network.TransferableChannel;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;

/**
 * Writes a Kafka {@link Send} (a serialized response, possibly with file-backed records) to a
 * Netty channel without copying: byte buffers are wrapped, file ranges become
 * {@link DefaultFileRegion}s that the epoll transport sends with sendfile(2). On a TLS connection,
 * which must encrypt what it sends, file ranges are read in chunks instead ({@link FileRangeChunks}).
 *
 * <p>Not thread-safe: use on the channel's event loop. The caller flushes.
 */
final class NettySendChannel implements TransferableChannel {

    private final ChannelHandlerContext ctx;
    private final boolean zeroCopy;

    /** @param zeroCopy whether file ranges may go to the socket as they are (not under TLS) */
    NettySendChannel(ChannelHandlerContext ctx, boolean zeroCopy) {
        this.ctx = ctx;
        this.zeroCopy = zeroCopy;
    }

    /** Queues the whole send on the channel. */
    void write(Send send) throws IOException {
        while (!send.completed()) {
            send.writeTo(this);
        }
    }

    @Override
    public long transferFrom(FileChannel fileChannel, long position, long count) {
        ctx.write(zeroCopy ? new SharedFileRegion(fileChannel, position, count)
                : new FileRangeChunks(fileChannel, position, count), ctx.voidPromise());
        return count;
    }

    @Override
    public int write(ByteBuffer src) {
        int n = src.remaining();
        ctx.write(Unpooled.wrappedBuffer(src.slice()), ctx.voidPromise());
        src.position(src.limit());
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            n += write(srcs[i]);
        }
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs) {
        return write(srcs, 0, srcs.length);
    }

    @Override
    public boolean hasPendingWrites() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return ctx.channel().isOpen();
    }

    @Override
    public void close() {
        // The connection owns the channel; a response never closes it.
    }

    /** A region of a segment file; the segment owns the file channel, so releasing must not close it. */
    private static final class SharedFileRegion extends DefaultFileRegion {
        SharedFileRegion(FileChannel file, long position, long count) {
            super(file, position, count);
        }

        @Override
        protected void deallocate() {
        }
    }
}
