package io.letterbox.broker.network;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.letterbox.jmh.Batches;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.network.ClientInformation;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestContext;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Request decoding as the broker does it for a Produce request (latest version, one partition, one
 * 16 KiB batch): the frame bytes land in a pooled buffer (as a socket read does), pass through
 * {@link FrameDecoder} in a channel pipeline, and the frame is parsed into a {@link RequestHeader}
 * and a {@link ProduceRequest} through a {@link RequestContext}, as {@code ConnectionHandler} does.
 * Lives in the network package because FrameDecoder is package-private.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ProduceDecodeBenchmark {

    private static final short VERSION = ApiKeys.PRODUCE.latestVersion();
    private static final InetAddress CLIENT = InetAddress.getLoopbackAddress();
    private static final ListenerName LISTENER = new ListenerName("PLAINTEXT");

    private byte[] frame;
    private EmbeddedChannel channel;

    @Setup(Level.Trial)
    public void encode() {
        MemoryRecords batch = Batches.of("1024x16", System.currentTimeMillis());
        ProduceRequestData data = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(30_000);
        data.topicData().add(new ProduceRequestData.TopicProduceData()
                .setName("bench").setTopicId(Uuid.randomUuid())
                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData()
                        .setIndex(0).setRecords(batch))));
        RequestHeader header = new RequestHeader(ApiKeys.PRODUCE, VERSION, "producer-1", 7);
        ByteBuffer body = new ProduceRequest(data, VERSION).serializeWithHeader(header);
        frame = new byte[4 + body.remaining()];
        ByteBuffer.wrap(frame).putInt(body.remaining()).put(body);
        channel = new EmbeddedChannel(new FrameDecoder(Integer.MAX_VALUE));
    }

    @TearDown(Level.Trial)
    public void close() {
        channel.finishAndReleaseAll();
    }

    @Benchmark
    public AbstractRequest decode() {
        ByteBuf in = PooledByteBufAllocator.DEFAULT.directBuffer(frame.length);
        in.writeBytes(frame);
        channel.writeInbound(in);
        ByteBuf frameBuf = channel.readInbound();
        try {
            ByteBuffer buffer = frameBuf.nioBuffer();
            RequestHeader header = RequestHeader.parse(buffer);
            RequestContext context = new RequestContext(header, "bench-connection", CLIENT, Optional.of(50_000),
                    KafkaPrincipal.ANONYMOUS, LISTENER, SecurityProtocol.PLAINTEXT, ClientInformation.EMPTY, false);
            AbstractRequest request = context.parseRequest(buffer).request;
            if (buffer.hasRemaining()) {
                throw new IllegalStateException(buffer.remaining() + " unread bytes after the body");
            }
            return request;
        } finally {
            frameBuf.release();
        }
    }
}
