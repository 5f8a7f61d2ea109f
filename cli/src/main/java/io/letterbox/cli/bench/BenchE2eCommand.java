package io.letterbox.cli.bench;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

import io.letterbox.cli.Version;
import io.letterbox.cli.client.ClientCommand;
import io.letterbox.cli.client.ClientErrors;
import io.letterbox.cli.client.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code letterbox bench e2e}: a producer stamps {@link System#nanoTime()} into each value and a
 * consumer in the same JVM (so one clock) that starts at the log end measures send-to-receipt
 * latency. Throughput is the producer's.
 */
@Command(name = "e2e", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Produce and consume at once and measure end-to-end latency (send to receipt).",
        footer = {"", "Examples:",
                "  letterbox bench e2e --topic perf --num-records 100000 --throughput 10000",
                "  letterbox bench e2e --topic perf --acks 1 --producer-props linger.ms=0"})
public final class BenchE2eCommand extends ClientCommand {

    @Mixin
    BenchOptions bench;

    @Option(names = "--acks", paramLabel = "all|1|0", defaultValue = "all", description = "Producer acks (default all).")
    String acks;

    @Override
    public Integer call() throws Exception {
        bench.validate(spec, Long.BYTES);
        Map<String, Object> producerConfig = bench.producerConfig(spec, acks);
        Map<String, Object> consumerConfig = new HashMap<>();
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        consumerConfig.putAll(bench.consumerProps);
        ProgressLine progress = new ProgressLine(spec.commandLine().getErr(), ProgressLine.stderrIsTerminal());
        LatencyHistogram endToEnd = new LatencyHistogram();
        AtomicLong received = new AtomicLong();
        AtomicReference<Exception> consumerError = new AtomicReference<>();
        long elapsed;
        Sender sender;
        try (KafkaConsumer<byte[], byte[]> consumer = client.consumer(consumerConfig);
                KafkaProducer<byte[], byte[]> producer = client.producer(producerConfig)) {
            List<TopicPartition> tps = Topics.partitionsOf(consumer, bench.topic);
            consumer.assign(tps);
            consumer.seekToEnd(tps);
            tps.forEach(consumer::position); // resolve the end now, before anything is sent
            Thread reader = new Thread(() -> receive(consumer, endToEnd, received, consumerError), "bench-e2e-consumer");
            sender = new Sender(producer, bench.topic, bench.recordSize, true);
            long start = System.nanoTime();
            try (AutoCloseable shown = progress.every(() -> BenchResult.progress("e2e", received.get(), bench.numRecords,
                    received.get() * bench.recordSize, System.nanoTime() - start))) {
                reader.start();
                sender.run(bench.numRecords, new Throttle(bench.throughput));
                elapsed = System.nanoTime() - start;
                if (sender.firstError.get() != null) {
                    consumer.wakeup(); // nothing more is coming: do not wait out the timeout
                }
                reader.join();
            }
        }
        if (sender.firstError.get() != null) {
            spec.commandLine().getErr().println("letterbox: sending failed: " + ClientErrors.explain(sender.firstError.get(), this));
            return 1;
        }
        if (consumerError.get() != null) {
            spec.commandLine().getErr().println("letterbox: receiving failed: " + ClientErrors.explain(consumerError.get(), this));
            return 1;
        }
        if (received.get() < bench.numRecords) {
            spec.commandLine().getErr().printf("letterbox: received %d of %d records; nothing new for %d ms%n",
                    received.get(), bench.numRecords, bench.timeoutMs);
            return 1;
        }
        long n = sender.acknowledged.get();
        new BenchResult("e2e", "send to receipt by the consumer (acks=" + acks + ")", n, n * bench.recordSize, elapsed,
                endToEnd).print(spec.commandLine().getOut(), bench.output.json());
        return 0;
    }

    /** The consumer thread: reads until every record arrived, or nothing new came for --timeout-ms. */
    private void receive(KafkaConsumer<byte[], byte[]> consumer, LatencyHistogram endToEnd, AtomicLong received,
            AtomicReference<Exception> error) {
        long lastRecord = System.nanoTime();
        try {
            while (received.get() < bench.numRecords) {
                var polled = consumer.poll(Duration.ofMillis(200));
                long now = System.nanoTime();
                if (polled.isEmpty()) {
                    if (now - lastRecord > TimeUnit.MILLISECONDS.toNanos(bench.timeoutMs)) {
                        return;
                    }
                    continue;
                }
                lastRecord = now;
                for (ConsumerRecord<byte[], byte[]> r : polled) {
                    if (r.value() != null && r.value().length >= Long.BYTES) {
                        endToEnd.recordNanos(now - ByteBuffer.wrap(r.value()).getLong(0));
                    }
                }
                received.addAndGet(polled.count());
            }
        } catch (WakeupException stopped) {
            // the sender failed; its error is the one to report
        } catch (RuntimeException e) {
            error.set(e);
        }
    }

    @Override
    public String topicName() {
        return bench.topic;
    }
}
