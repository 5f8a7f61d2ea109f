package io.letterbox.cli.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import io.letterbox.cli.Version;
import io.letterbox.cli.client.ClientCommand;
import io.letterbox.cli.client.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code letterbox bench consume}: reads a topic from the start of every partition (no group, no
 * commits); latency is the time of each poll() that returned records.
 */
@Command(name = "consume", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Read records from the start of a topic and measure throughput and poll() latency.",
        footer = {"", "Examples:",
                "  letterbox bench consume --topic perf --num-records 1000000",
                "  letterbox bench consume --topic perf --consumer-props fetch.min.bytes=65536 max.poll.records=2000"})
public final class BenchConsumeCommand extends ClientCommand {

    @Mixin
    BenchOptions bench;

    @Override
    public Integer call() throws Exception {
        bench.validate(spec, 0);
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.putAll(bench.consumerProps);
        ProgressLine progress = new ProgressLine(spec.commandLine().getErr(), ProgressLine.stderrIsTerminal());
        LatencyHistogram pollLatency = new LatencyHistogram();
        AtomicLong records = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        long elapsed;
        try (KafkaConsumer<byte[], byte[]> consumer = client.consumer(config)) {
            List<TopicPartition> tps = Topics.partitionsOf(consumer, bench.topic);
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long start = System.nanoTime();
            long lastProgress = start;
            try (AutoCloseable shown = progress.every(() -> BenchResult.progress("consume", records.get(),
                    bench.numRecords, bytes.get(), System.nanoTime() - start))) {
                while (records.get() < bench.numRecords) {
                    long before = System.nanoTime();
                    ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(500));
                    long after = System.nanoTime();
                    if (polled.isEmpty()) {
                        if (after - lastProgress > TimeUnit.MILLISECONDS.toNanos(bench.timeoutMs)) {
                            break;
                        }
                        continue;
                    }
                    lastProgress = after;
                    pollLatency.recordNanos(after - before);
                    for (ConsumerRecord<byte[], byte[]> r : polled) {
                        if (records.get() == bench.numRecords) {
                            break; // the last poll may bring more than asked for
                        }
                        bytes.addAndGet(Math.max(0, r.serializedValueSize()) + Math.max(0, r.serializedKeySize()));
                        records.incrementAndGet();
                    }
                }
            }
            elapsed = System.nanoTime() - start;
        }
        if (records.get() < bench.numRecords) {
            spec.commandLine().getErr().printf("letterbox: read %d of %d records; nothing new for %d ms (the topic has fewer?)%n",
                    records.get(), bench.numRecords, bench.timeoutMs);
            spec.commandLine().getErr().flush();
            return 1;
        }
        new BenchResult("consume", "one poll() that returned records", records.get(), bytes.get(), elapsed, pollLatency)
                .print(spec.commandLine().getOut(), bench.output.json());
        return 0;
    }

    @Override
    public String topicName() {
        return bench.topic;
    }
}
