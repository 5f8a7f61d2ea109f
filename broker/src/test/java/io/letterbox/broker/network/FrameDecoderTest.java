package io.letterbox.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

class FrameDecoderTest {

    private static ByteBuf frames(byte[]... bodies) {
        ByteBuf buf = Unpooled.buffer();
        for (byte[] body : bodies) {
            buf.writeInt(body.length).writeBytes(body);
        }
        return buf;
    }

    private static List<byte[]> drain(EmbeddedChannel channel) {
        List<byte[]> out = new ArrayList<>();
        ByteBuf frame;
        while ((frame = channel.readInbound()) != null) {
            byte[] bytes = new byte[frame.readableBytes()];
            frame.readBytes(bytes);
            frame.release();
            out.add(bytes);
        }
        return out;
    }

    @Test
    void framesSplitAtEveryByteAreReassembled() {
        // Given two frames delivered one byte at a time
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(1024));
        ByteBuf all = frames(new byte[] {1, 2, 3}, new byte[] {4});
        // When
        while (all.isReadable()) {
            channel.writeInbound(all.readRetainedSlice(1));
        }
        all.release();
        // Then
        List<byte[]> got = drain(channel);
        assertThat(got).hasSize(2);
        assertThat(got.get(0)).containsExactly(1, 2, 3);
        assertThat(got.get(1)).containsExactly(4);
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void severalFramesInOneReadAreAllEmitted() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(1024));
        channel.writeInbound(frames(new byte[] {9}, new byte[0], new byte[] {7, 7}));
        List<byte[]> got = drain(channel);
        assertThat(got).hasSize(3);
        assertThat(got.get(1)).isEmpty();
        assertThat(got.get(2)).containsExactly(7, 7);
    }

    @Test
    void frameAboveTheLimitClosesTheConnection() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(16));
        channel.writeInbound(Unpooled.buffer().writeInt(17).writeBytes(new byte[17]));
        assertThat(drain(channel)).isEmpty();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void negativeSizeClosesTheConnection() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(16));
        channel.writeInbound(Unpooled.buffer().writeInt(-5).writeBytes(new byte[8]));
        assertThat(drain(channel)).isEmpty();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void partialFrameWaitsForTheRest() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(16));
        channel.writeInbound(Unpooled.buffer().writeInt(4).writeBytes(new byte[] {1, 2}));
        assertThat(drain(channel)).isEmpty();
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {3, 4}));
        assertThat(drain(channel)).singleElement().satisfies(b -> assertThat(b).containsExactly(1, 2, 3, 4));
    }
}
