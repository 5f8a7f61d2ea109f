package io.letterbox.it.support;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.List;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.requests.ResponseHeader;

/**
 * One plain TCP connection to a broker, speaking the Kafka framing by hand: a 4-byte big-endian
 * size, then the request header and body, both serialized by kafka-clients' generated classes.
 * Lets tests send what no client would (wrong sizes, garbage, corrupt batches) and see whether the
 * broker answers or closes the connection. Reads time out after {@link #READ_TIMEOUT}.
 *
 * <p>Not thread-safe.
 */
public final class RawConnection implements AutoCloseable {

    public static final Duration READ_TIMEOUT = Duration.ofSeconds(15);

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int nextCorrelationId = 1;
    private Map<Short, ApiVersionsResponseData.ApiVersion> versions;

    public RawConnection(String bootstrap) {
        String[] hp = bootstrap.split(",")[0].trim().split(":");
        try {
            socket = new Socket();
            socket.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 5_000);
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            socket.setTcpNoDelay(true);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to " + bootstrap, e);
        }
    }

    /**
     * Sends {@code request} at its version and returns the parsed response, checking the
     * correlation id. Fails if the broker closes the connection instead.
     */
    @SuppressWarnings("unchecked")
    public <R extends AbstractResponse> R send(AbstractRequest request) {
        RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "letterbox-it",
                nextCorrelationId++);
        writeFrame(request.serializeWithHeader(header));
        ByteBuffer response = readFrame().orElseThrow(() -> new AssertionError(
                "broker closed the connection instead of answering " + request.apiKey() + " v" + request.version()));
        return (R) AbstractResponse.parseResponse(response, header);
    }

    /** The highest version of {@code api} that both this client and the broker support. */
    public short version(ApiKeys api) {
        return version(api, api.latestVersion());
    }

    /** The highest version of {@code api} up to {@code cap} that the broker supports; fails if none. */
    public short version(ApiKeys api, short cap) {
        if (versions == null) {
            versions = new HashMap<>();
            // v3: flexible, and answered by every broker since Kafka 2.4 (newer versions may be unsupported)
            ApiVersionsResponse r = send(new ApiVersionsRequest.Builder().build((short) 3));
            r.data().apiKeys().forEach(v -> versions.put(v.apiKey(), v.duplicate()));
        }
        ApiVersionsResponseData.ApiVersion v = versions.get(api.id);
        if (v == null) {
            throw new AssertionError("broker does not advertise " + api);
        }
        short best = (short) Math.min(cap, v.maxVersion());
        if (best < v.minVersion() || best < api.oldestVersion()) {
            throw new AssertionError("no common version of " + api + ": broker " + v.minVersion() + ".."
                    + v.maxVersion() + ", client up to " + cap);
        }
        return best;
    }

    /** Produce v12 and below name topics; v13 names them by id, which these tests do not need. */
    public static final short PRODUCE_VERSION_CAP = 12;

    /**
     * Sends one Produce request for one partition with {@code records} as their bytes are (so a
     * test may corrupt them first) and returns that partition's answer.
     */
    public ProduceResponseData.PartitionProduceResponse produce(String topic, int partition, ByteBuffer records,
                                                               short acks) {
        return produce(topic, partition, records, acks, 15_000);
    }

    /** As {@link #produce(String, int, ByteBuffer, short)}, the broker waiting at most {@code timeoutMs} for acks. */
    public ProduceResponseData.PartitionProduceResponse produce(String topic, int partition, ByteBuffer records,
                                                               short acks, int timeoutMs) {
        ProduceRequestData data = new ProduceRequestData()
                .setAcks(acks)
                .setTimeoutMs(timeoutMs)
                .setTopicData(new ProduceRequestData.TopicProduceDataCollection(List.of(
                        new ProduceRequestData.TopicProduceData()
                                .setName(topic)
                                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData()
                                        .setIndex(partition)
                                        .setRecords(MemoryRecords.readableRecords(records.duplicate())))))
                        .iterator()));
        short version = version(ApiKeys.PRODUCE, PRODUCE_VERSION_CAP);
        // The constructor, not the Builder: the Builder would refuse the malformed batches tests send
        ProduceResponse response = send(new ProduceRequest(data, version));
        ProduceResponseData.TopicProduceResponse t = response.data().responses().iterator().next();
        return t.partitionResponses().get(0);
    }

    /**
     * The error this broker's Metadata gives {@code topic} (UNKNOWN_TOPIC_OR_PARTITION when its
     * image lacks it): what this node knows, where an AdminClient may ask another node.
     */
    public Errors topicError(String topic) {
        MetadataResponse response = send(new MetadataRequest.Builder(List.of(topic), false)
                .build(version(ApiKeys.METADATA)));
        return Errors.forCode(response.data().topics().find(topic).errorCode());
    }

    /** InitProducerId for an idempotent (non-transactional) producer: {producerId, epoch}. */
    public long[] initProducerId() {
        InitProducerIdResponse r = send(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                .setTransactionalId(null)
                .setTransactionTimeoutMs(Integer.MAX_VALUE)
                .setProducerId(-1)
                .setProducerEpoch((short) -1)).build(version(ApiKeys.INIT_PRODUCER_ID)));
        if (r.error() != Errors.NONE) {
            throw new AssertionError("InitProducerId failed: " + r.error());
        }
        return new long[] {r.data().producerId(), r.data().producerEpoch()};
    }

    /**
     * Sends an ApiVersions request with {@code version} in its header (any short, unknown ones
     * included) and a body of the newest known version, and returns the raw response frame.
     */
    public Optional<ByteBuffer> sendApiVersions(short version) {
        RequestHeaderData h = new RequestHeaderData()
                .setRequestApiKey(ApiKeys.API_VERSIONS.id)
                .setRequestApiVersion(version)
                .setCorrelationId(nextCorrelationId++)
                .setClientId("letterbox-it");
        short latest = ApiKeys.API_VERSIONS.latestVersion();
        ApiMessage body = new ApiVersionsRequestData()
                .setClientSoftwareName("letterbox-it")
                .setClientSoftwareVersion("1.0");
        writeFrame(RequestUtils.serialize(h, (short) 2, body, latest));
        return readFrame();
    }

    /** Parses an ApiVersions response frame at {@code version} (v0 for an unsupported request). */
    public static ApiVersionsResponse parseApiVersions(ByteBuffer frame, short version) {
        ResponseHeader.parse(frame, (short) 0); // ApiVersions responses always use header v0
        return (ApiVersionsResponse) AbstractResponse.parseResponse(ApiKeys.API_VERSIONS,
                new ByteBufferAccessor(frame), version);
    }

    /** Writes {@code payload} after its 4-byte size. */
    public void writeFrame(ByteBuffer payload) {
        ByteBuffer frame = ByteBuffer.allocate(4 + payload.remaining());
        frame.putInt(payload.remaining()).put(payload.duplicate()).flip();
        writeRaw(frame.array());
    }

    /** Writes bytes as they are, no framing. A connection the broker already closed is ignored. */
    public void writeRaw(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (SocketException e) {
            // The broker closed first (broken pipe / reset): the read that follows will tell.
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Half-closes: the broker reads end-of-stream after what was written. */
    public void shutdownOutput() {
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The next response frame (without its size), or empty if the broker closed the connection
     * (end of stream or reset). Fails if neither happens within {@link #READ_TIMEOUT}.
     */
    public Optional<ByteBuffer> readFrame() {
        try {
            int size = in.readInt();
            if (size < 0) {
                throw new AssertionError("broker sent a negative frame size " + size);
            }
            byte[] body = new byte[size];
            in.readFully(body);
            return Optional.of(ByteBuffer.wrap(body));
        } catch (EOFException | SocketException e) {
            return Optional.empty();
        } catch (SocketTimeoutException e) {
            throw new AssertionError("broker neither answered nor closed the connection within " + READ_TIMEOUT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asserts that the broker closes the connection without sending any response. */
    public void assertClosedByBroker() {
        Optional<ByteBuffer> frame = readFrame();
        if (frame.isPresent()) {
            throw new AssertionError("expected the broker to close the connection, got a " + frame.get().remaining()
                    + "-byte response");
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing
        }
    }
}
