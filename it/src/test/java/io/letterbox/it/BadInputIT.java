package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.createTopic;
import static io.letterbox.it.support.ItSupport.get;
import static io.letterbox.it.support.ItSupport.producer;
import static io.letterbox.it.support.ItSupport.readAll;
import static io.letterbox.it.support.ItSupport.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerExtension;
import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.RawConnection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input on a raw socket, no Kafka client: each case gets the protocol's error code or has its
 * connection closed, and after each a fresh client still works and the earlier data is intact.
 */
class BadInputIT {

    /** Kafka's defaults, spelled out so the limits the tests cross are the ones configured. */
    private static final int MESSAGE_MAX_BYTES = 1_048_588;
    private static final int SOCKET_REQUEST_MAX_BYTES = 104_857_600;

    @RegisterExtension
    static final BrokerExtension BROKER = new BrokerExtension("bad-input", Map.of(
            "message.max.bytes", String.valueOf(MESSAGE_MAX_BYTES),
            "socket.request.max.bytes", String.valueOf(SOCKET_REQUEST_MAX_BYTES)));

    private static final String CANARY = uniqueTopic("canary");
    private static final List<String> canaryValues = new ArrayList<>();

    @BeforeAll
    static void writeCanary() {
        createTopic(BROKER.bootstrap(), CANARY, 2, Map.of());
        appendToCanary(20);
    }

    /** After every case: the broker answers a fresh client, accepts a write, and lost nothing. */
    @AfterEach
    void brokerStillServesAndEarlierDataIsIntact() {
        try (Admin admin = ItSupport.admin(BROKER.bootstrap())) {
            assertThat(get(admin.describeCluster().nodes())).hasSize(1);
        }
        appendToCanary(1);
        List<ConsumerRecord<String, String>> read = readAll(BROKER.bootstrap(), CANARY);
        assertThat(read).extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(canaryValues);
    }

    // ---- framing ------------------------------------------------------------------------------

    @Test
    void anHttpRequestClosesTheConnection() {
        try (RawConnection raw = new RawConnection(BROKER.bootstrap())) {
            // "GET " read as a frame size is 1195725856, far above socket.request.max.bytes
            raw.writeRaw("GET / HTTP/1.1\r\nHost: letterbox\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            raw.assertClosedByBroker();
        }
    }

    @Test
    void aHeaderThatRunsPastItsFrameClosesTheConnection() {
        try (RawConnection raw = new RawConnection(BROKER.bootstrap())) {
            // ApiVersions v3 header whose client id claims 32767 bytes in a 10-byte frame
            ByteBuffer frame = ByteBuffer.allocate(10)
                    .putShort(ApiKeys.API_VERSIONS.id).putShort((short) 3).putInt(1).putShort(Short.MAX_VALUE);
            raw.writeFrame(frame.flip());
            raw.assertClosedByBroker();
        }
    }

    @Test
    void randomBytesCloseTheConnectionOrGetAnError() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        for (int i = 0; i < 20; i++) {
            byte[] body = new byte[1 + random.nextInt(64)];
            random.nextBytes(body);
            int frameIndex = i;
            try (RawConnection raw = new RawConnection(BROKER.bootstrap())) {
                raw.writeFrame(ByteBuffer.wrap(body));
                Optional<ByteBuffer> answer = raw.readFrame();
                if (answer.isPresent()) {
                    // Only a frame long enough to hold a header's correlation id can be answered
                    assertThat(body.length).as("length of answered random frame %d, seed %d", frameIndex, seed)
                            .isGreaterThanOrEqualTo(8);
                    assertThat(answer.get().getInt(0)).as("correlation id answering random frame %d, seed %d", frameIndex, seed)
                            .isEqualTo(ByteBuffer.wrap(body).getInt(4));
                }
            }
        }
    }

    @Test
    void aFrameAboveSocketRequestMaxBytesClosesTheConnection() {
        try (RawConnection raw = new RawConnection(BROKER.bootstrap())) {
            raw.writeRaw(ByteBuffer.allocate(4 + 64).putInt(SOCKET_REQUEST_MAX_BYTES + 1).array());
            raw.assertClosedByBroker();
        }
    }

    @Test
    void aNegativeFrameSizeClosesTheConnection() {
        try (RawConnection raw = new RawConnection(BROKER.bootstrap())) {
            raw.writeRaw(ByteBuffer.allocate(4 + 16).putInt(-1).array());
            raw.assertClosedByBroker();
        }
    }

    @Test
    void aTruncatedRequestGetsNoAnswer() {
        try (RawConnection raw = new RawConnection(BROKER.bootstrap())) {
            // The size promises 100 bytes; 20 follow, then the client stops sending
            ByteBuffer partial = ByteBuffer.allocate(24).putInt(100)
                    .putShort(ApiKeys.METADATA.id).putShort((short) 12).putInt(1).putShort((short) 2);
            raw.writeRaw(partial.array());
            raw.shutdownOutput();
            raw.assertClosedByBroker();
        }
    }

    // ---- unknown APIs and versions -----------------------------------------------------------

    @Test
    void anUnknownApiKeyClosesTheConnectionOrGetsAnError() {
        try (RawConnection raw = new RawConnection(BROKER.bootstrap())) {
            byte[] clientId = "letterbox-it".getBytes(StandardCharsets.UTF_8);
            ByteBuffer frame = ByteBuffer.allocate(10 + clientId.length)
                    .putShort((short) 9999).putShort((short) 0).putInt(4242)
                    .putShort((short) clientId.length).put(clientId);
            raw.writeFrame(frame.flip());
            raw.readFrame().ifPresent(answer -> assertThat(answer.getInt(0)).as("correlation id").isEqualTo(4242));
        }
    }

    @Test
    void anUnknownApiVersionsVersionIsAnsweredWithV0AndUnsupportedVersion() {
        try (RawConnection raw = new RawConnection(BROKER.bootstrap())) {
            // When a client newer than the broker asks with ApiVersions v127
            ByteBuffer frame = raw.sendApiVersions((short) 127).orElseThrow(() ->
                    new AssertionError("the broker closed the connection instead of answering"));

            // Then the answer is a v0 ApiVersions response: UNSUPPORTED_VERSION and the versions it supports
            ApiVersionsResponse v0 = RawConnection.parseApiVersions(frame, (short) 0);
            assertThat(v0.data().errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
            assertThat(v0.data().errorCode()).isEqualTo((short) 35);
            assertThat(v0.apiVersion(ApiKeys.API_VERSIONS.id)).isNotNull();
            assertThat(v0.apiVersion(ApiKeys.API_VERSIONS.id).maxVersion()).isGreaterThanOrEqualTo((short) 3);

            // And the client can retry on the same connection at a version the broker has
            ApiVersionsResponse retry = raw.send(new ApiVersionsRequest.Builder().build((short) 3));
            assertThat(retry.data().errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(retry.apiVersion(ApiKeys.PRODUCE.id)).isNotNull();
        }
    }

    // ---- Produce: corrupt, oversized, misaddressed --------------------------------------------

    @ParameterizedTest(name = "compression={0}")
    @ValueSource(strings = {"none", "gzip"})
    void aBatchWithABadCrcIsRefusedWithCorruptMessage(String codec) {
        // Given a valid batch of three records with one byte flipped near its end (inside the CRC's range)
        String topic = uniqueTopic("corrupt-crc");
        createTopic(BROKER.bootstrap(), topic, 1, Map.of());
        ByteBuffer batch = records(Compression.of(codec).build(), 3, 100);
        int flip = batch.limit() - 5;
        batch.put(flip, (byte) (batch.get(flip) ^ 0x5A));

        // When it is produced
        PartitionProduceResponse r;
        try (RawConnection raw = new RawConnection(BROKER.bootstrap())) {
            r = raw.produce(topic, 0, batch, (short) -1);
        }

        // Then the partition answers CORRUPT_MESSAGE and nothing was appended
        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.CORRUPT_MESSAGE);
        assertThat(r.errorCode()).isEqualTo((short) 2);
        assertThat(latestOffset(topic)).isZero();
    }

    @Test
    void aBatchWhoseLengthFieldDisagreesWithItsBytesIsRefused() {
        String topic = uniqueTopic("corrupt-length");
        createTopic(BROKER.bootstrap(), topic, 1, Map.of());
        ByteBuffer batch = records(Compression.NONE, 3, 100);
        batch.putInt(8, batch.getInt(8) + 40); // batchLength (bytes 8..11) claims 40 more bytes than follow

        PartitionProduceResponse r;
        try (RawConnection raw = new RawConnection(BROKER.bootstrap())) {
            r = raw.produce(topic, 0, batch, (short) -1);
        }

        assertThat(Errors.forCode(r.errorCode())).isIn(Errors.CORRUPT_MESSAGE, Errors.INVALID_RECORD);
        assertThat(latestOffset(topic)).isZero();
    }

    @Test
    void aBatchAboveMessageMaxBytesIsRefusedWithMessageTooLarge() {
        String topic = uniqueTopic("too-large");
        createTopic(BROKER.bootstrap(), topic, 1, Map.of());
        ByteBuffer batch = records(Compression.NONE, 3, MESSAGE_MAX_BYTES / 2);

        PartitionProduceResponse r;
        try (RawConnection raw = new RawConnection(BROKER.bootstrap())) {
            r = raw.produce(topic, 0, batch, (short) -1);
        }

        assertThat(Errors.forCode(r.errorCode())).isEqualTo(Errors.MESSAGE_TOO_LARGE);
        assertThat(r.errorCode()).isEqualTo((short) 10);
        assertThat(latestOffset(topic)).isZero();
    }

    @Test
    void aProduceToAnInvalidTopicNameIsRefusedAndCreatesNothing() {
        String name = "bad name!";
        PartitionProduceResponse r;
        try (RawConnection raw = new RawConnection(BROKER.bootstrap())) {
            r = raw.produce(name, 0, records(Compression.NONE, 1, 10), (short) -1);
        }

        // Kafka answers UNKNOWN_TOPIC_OR_PARTITION (it never creates on produce); INVALID_TOPIC_EXCEPTION is as good
        assertThat(Errors.forCode(r.errorCode())).isIn(Errors.INVALID_TOPIC_EXCEPTION, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        try (Admin admin = ItSupport.admin(BROKER.bootstrap())) {
            assertThat(get(admin.listTopics().names())).doesNotContain(name);
        }
    }

    @Test
    void metadataWithAutoCreationForAnInvalidTopicNameAnswersInvalidTopic() {
        try (RawConnection raw = new RawConnection(BROKER.bootstrap())) {
            short version = raw.version(ApiKeys.METADATA, (short) 12);
            MetadataResponse r = raw.send(new MetadataRequest.Builder(new MetadataRequestData()
                    .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName("bad name!")))
                    .setAllowAutoTopicCreation(true)).build(version));

            assertThat(r.errors()).containsEntry("bad name!", Errors.INVALID_TOPIC_EXCEPTION);
        }
    }

    @Test
    void createTopicsWithInvalidNamesAnswersInvalidTopicForEach() {
        List<String> names = List.of("bad name!", "..", "x".repeat(250), "slash/name");
        CreateTopicsRequestData.CreatableTopicCollection topics = new CreateTopicsRequestData.CreatableTopicCollection();
        names.forEach(n -> topics.add(new CreateTopicsRequestData.CreatableTopic()
                .setName(n).setNumPartitions(1).setReplicationFactor((short) 1)));
        try (RawConnection raw = new RawConnection(BROKER.bootstrap())) {
            short version = raw.version(ApiKeys.CREATE_TOPICS);
            CreateTopicsResponse r = raw.send(new CreateTopicsRequest.Builder(new CreateTopicsRequestData()
                    .setTopics(topics).setTimeoutMs(15_000)).build(version));

            assertThat(r.data().topics()).hasSize(names.size());
            for (CreateTopicsResponseData.CreatableTopicResult t : r.data().topics()) {
                assertThat(Errors.forCode(t.errorCode())).as(t.name()).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION);
            }
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static ByteBuffer records(Compression compression, int count, int valueSize) {
        SimpleRecord[] records = new SimpleRecord[count];
        Random random = new Random(count * 31L + valueSize);
        for (int i = 0; i < count; i++) {
            byte[] value = new byte[valueSize];
            random.nextBytes(value);
            records[i] = new SimpleRecord(System.currentTimeMillis(), ("k" + i).getBytes(StandardCharsets.UTF_8), value);
        }
        ByteBuffer b = MemoryRecords.withRecords(compression, records).buffer();
        ByteBuffer copy = ByteBuffer.allocate(b.remaining());
        copy.put(b.duplicate()).flip();
        return copy;
    }

    private static long latestOffset(String topic) {
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin admin = ItSupport.admin(BROKER.bootstrap())) {
            return get(admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp)).offset();
        }
    }

    private static void appendToCanary(int count) {
        try (KafkaProducer<String, String> p = producer(BROKER.bootstrap())) {
            for (int i = 0; i < count; i++) {
                String v = "canary#" + canaryValues.size();
                get(p.send(new ProducerRecord<>(CANARY, "k" + canaryValues.size() % 4, v)));
                canaryValues.add(v);
            }
        }
    }
}
