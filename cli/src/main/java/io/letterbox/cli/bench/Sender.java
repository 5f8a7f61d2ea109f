package io.letterbox.cli.bench;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The sending half of the benchmarks: N records of one size, paced by a {@link Throttle}, each
 * acknowledgement's latency (send call to callback) in a histogram. With {@code stampTime} the
 * first 8 bytes of each value are {@link System#nanoTime()} at send, for the end-to-end
 * benchmark. One value buffer is reused: the producer copies it into its batch during send().
 * Not thread-safe: one thread calls {@link #run}; the counters may be read from any thread.
 */
final class Sender {

    final AtomicLong acknowledged = new AtomicLong();
    final AtomicReference<Exception> firstError = new AtomicReference<>();
    final LatencyHistogram ackLatency = new LatencyHistogram();

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final byte[] value;
    private final boolean stampTime;

    Sender(KafkaProducer<byte[], byte[]> producer, String topic, int recordSize, boolean stampTime) {
        this.producer = producer;
        this.topic = topic;
        this.value = new byte[recordSize];
        this.stampTime = stampTime;
        // Random bytes so that compression, if configured, does not flatter the numbers.
        new Random(42).nextBytes(value);
    }

    /** Sends {@code count} records and waits for every answer; stops early at the first failure. */
    void run(long count, Throttle throttle) {
        for (long i = 0; i < count && firstError.get() == null; i++) {
            throttle.await(i);
            long sent = System.nanoTime();
            if (stampTime) {
                ByteBuffer.wrap(value).putLong(0, sent);
            }
            producer.send(new ProducerRecord<>(topic, value), (md, e) -> {
                if (e == null) {
                    // Callbacks run on the producer's one I/O thread, so the histogram has one writer.
                    ackLatency.recordNanos(System.nanoTime() - sent);
                    acknowledged.incrementAndGet();
                } else {
                    firstError.compareAndSet(null, e);
                }
            });
        }
        producer.flush();
    }
}
