package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.createTopic;
import static io.letterbox.it.support.ItSupport.get;
import static io.letterbox.it.support.ItSupport.producer;
import static io.letterbox.it.support.ItSupport.readAll;
import static io.letterbox.it.support.ItSupport.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerExtension;
import io.letterbox.it.support.TestBroker;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A torn tail: after kill -9 the newest segment is cut in the middle of its last batch and
 * garbage is appended, as a crash during a write would leave it. On restart the broker truncates
 * to the last whole batch: everything before the cut is served, at its offsets, and producing
 * continues right after it.
 */
class TornTailIT {

    @RegisterExtension
    static final BrokerExtension BROKER = new BrokerExtension("torn-tail");

    @Test
    void aTailCutMidBatchIsTruncatedAndNothingBeforeItIsLost() throws IOException {
        TestBroker broker = BROKER.broker();
        broker.assumeCanKill();
        // Given twenty acknowledged batches of ten records, then one last single-record batch
        String topic = uniqueTopic("torn");
        createTopic(broker.bootstrap(), topic, 1, Map.of());
        List<String> kept = new ArrayList<>();
        long victimOffset;
        try (KafkaProducer<String, String> p = producer(broker.bootstrap())) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int batch = 0; batch < 20; batch++) {
                for (int i = 0; i < 10; i++) {
                    String v = "b" + batch + "#" + i;
                    kept.add(v);
                    acks.add(p.send(new ProducerRecord<>(topic, "k", v)));
                }
                p.flush();
            }
            for (int i = 0; i < acks.size(); i++) {
                assertThat(get(acks.get(i)).offset()).isEqualTo(i);
            }
            victimOffset = get(p.send(new ProducerRecord<>(topic, "k", "the torn one"))).offset();
        }
        assertThat(victimOffset).isEqualTo(kept.size());

        // When the broker is killed, and its newest segment loses half its last batch and gains garbage
        broker.kill();
        Path segment = newestSegment(broker.dataDir().resolve(topic + "-0"));
        BatchOnDisk last = lastBatch(segment);
        assertThat(last.lastOffset()).as("the last batch on disk is the single-record one").isEqualTo(victimOffset);
        long seed = new Random().nextLong();
        byte[] garbage = new byte[200];
        new Random(seed).nextBytes(garbage);
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(last.position() + last.sizeInBytes() / 2);
            ch.write(ByteBuffer.wrap(garbage), ch.size());
        }
        broker.start();

        // Then every record before the cut is read back at its offset, and the torn one is gone
        List<ConsumerRecord<String, String>> read = readAll(broker.bootstrap(), topic);
        assertThat(read).as("garbage seed %d", seed).extracting(ConsumerRecord::value).containsExactlyElementsOf(kept);
        for (int i = 0; i < read.size(); i++) {
            assertThat(read.get(i).offset()).isEqualTo(i);
        }

        // And producing continues at the offset right after the last whole batch
        List<String> more = List.of("after-1", "after-2", "after-3");
        try (KafkaProducer<String, String> p = producer(broker.bootstrap())) {
            for (int i = 0; i < more.size(); i++) {
                assertThat(get(p.send(new ProducerRecord<>(topic, "k", more.get(i)))).offset())
                        .isEqualTo(victimOffset + i);
            }
        }
        List<String> expected = new ArrayList<>(kept);
        expected.addAll(more);
        assertThat(readAll(broker.bootstrap(), topic)).extracting(ConsumerRecord::value)
                .containsExactlyElementsOf(expected);
    }

    /** The {@code .log} file with the highest base offset (the 20-digit name). */
    private static Path newestSegment(Path partitionDir) throws IOException {
        try (Stream<Path> files = Files.list(partitionDir)) {
            return files.filter(f -> f.getFileName().toString().matches("\\d{20}\\.log"))
                    .max(Comparator.comparing(f -> f.getFileName().toString()))
                    .orElseThrow(() -> new AssertionError("no segment file in " + partitionDir));
        }
    }

    /** Where a batch lies in a segment file, and its last offset. */
    private record BatchOnDisk(int position, int sizeInBytes, long lastOffset) {
    }

    /** The last whole batch of a segment, read with kafka-clients' own file reader. */
    private static BatchOnDisk lastBatch(Path segment) throws IOException {
        BatchOnDisk last = null;
        try (FileRecords records = FileRecords.open(segment.toFile(), false)) {
            for (FileChannelRecordBatch b : records.batches()) {
                last = new BatchOnDisk(b.position(), b.sizeInBytes(), b.lastOffset());
            }
        } catch (RuntimeException stopAtTrailingBytesThatAreNoBatch) {
            // e.g. zeros after the data of a preallocated file; the batches before them count
        }
        if (last == null) {
            throw new AssertionError("no batch in " + segment);
        }
        return last;
    }
}
