package io.letterbox.cli.record;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

import io.letterbox.cli.Signals;
import io.letterbox.cli.Version;
import io.letterbox.cli.client.ClientCommand;
import io.letterbox.cli.client.CliException;
import io.letterbox.cli.client.Times;
import io.letterbox.cli.client.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code letterbox consume TOPIC}: prints records, one a line, until {@code --max-messages},
 * {@code --timeout-ms} of silence, or Ctrl-C (which closes the consumer cleanly and exits 0).
 * Without {@code --group} it assigns the partitions itself and commits nothing; with one it
 * subscribes and commits exactly what it printed, so a later run of the group resumes after
 * the last printed record.
 */
@Command(name = "consume", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Print a topic's records, one a line, until --max-messages, --timeout-ms or Ctrl-C.",
        footer = {"", "Examples:",
                "  letterbox consume orders --from-beginning",
                "  letterbox consume orders --group billing --max-messages 10",
                "  letterbox consume orders --partition 0 --offset 42 --format json",
                "  letterbox consume orders --from-time 2025-01-01T00:00:00Z --timeout-ms 5000",
                "  letterbox consume orders --from-beginning --property print.key=true --property key.separator=:"})
public final class ConsumeCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic to read.")
    String topic;

    @Option(names = "--group", paramLabel = "GROUP", description = "Read as this consumer group and commit what was printed.")
    String group;

    @Option(names = "--from-beginning", description = "Start at the log start (with --group: when the group has no committed offset).")
    boolean fromBeginning;

    @Option(names = "--offset", paramLabel = "earliest|latest|N", description = "Start here (no --group; N needs --partition).")
    String offset;

    @Option(names = "--partition", paramLabel = "N", description = "Read only this partition (no --group).")
    Integer partition;

    @Option(names = "--from-time", paramLabel = "TIME",
            description = "Start at the first record at or after TIME: ISO-8601 or epoch ms (no --group).")
    String fromTime;

    @Option(names = "--max-messages", paramLabel = "N", description = "Exit after N records.")
    long maxMessages;

    @Option(names = "--timeout-ms", paramLabel = "MS", description = "Exit after MS milliseconds without a record.")
    long timeoutMs;

    @Option(names = "--format", paramLabel = "value|key-value|json", defaultValue = "value",
            description = "value (default), key-value (key TAB value), or json (one object a line with every field).")
    String format;

    @Option(names = "--property", paramLabel = "key=value", arity = "1..*",
            description = "As Kafka's console consumer: print.key, print.timestamp, print.partition, print.offset, "
                    + "print.headers, print.value, key.separator, headers.separator, null.literal.")
    Map<String, String> properties = new LinkedHashMap<>();

    @Option(names = "--consumer-property", paramLabel = "key=value", description = "Any consumer setting. Repeatable.")
    Map<String, String> consumerProperties = new LinkedHashMap<>();

    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile KafkaConsumer<byte[], byte[]> active;

    @Override
    public Integer call() {
        RecordFormatter formatter = formatter();
        StartOffset start = validate();
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
        if (group != null) {
            config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        config.putAll(consumerProperties);
        long count = 0;
        PrintWriter out = spec.commandLine().getOut();
        Map<TopicPartition, OffsetAndMetadata> printed = new HashMap<>();
        boolean polling = false;
        try (KafkaConsumer<byte[], byte[]> consumer = client.consumer(config)) {
            active = consumer;
            Signals.onTerminate(this::stop);
            List<TopicPartition> all = Topics.partitionsOf(consumer, topic);
            if (group != null) {
                consumer.subscribe(List.of(topic));
            } else {
                position(consumer, all, start);
            }
            polling = true;
            long lastRecord = System.nanoTime();
            poll:
            while (true) {
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(Duration.ofMillis(timeoutMs > 0 ? Math.min(timeoutMs, 500) : 500));
                } catch (WakeupException stopping) {
                    break;
                }
                if (records.isEmpty()) {
                    if (timeoutMs > 0 && System.nanoTime() - lastRecord >= TimeUnit.MILLISECONDS.toNanos(timeoutMs)) {
                        break;
                    }
                    continue;
                }
                lastRecord = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    out.print(formatter.format(r));
                    out.print('\n');
                    count++;
                    printed.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                    if (maxMessages > 0 && count >= maxMessages) {
                        break poll;
                    }
                }
                out.flush();
                if (group != null) {
                    consumer.commitAsync(new HashMap<>(printed), null);
                }
            }
            out.flush();
            if (group != null && !printed.isEmpty()) {
                commitFinal(consumer, printed);
            }
        } finally {
            active = null;
            if (polling) {
                spec.commandLine().getErr().println("Consumed " + count + " records.");
                spec.commandLine().getErr().flush();
            }
            finished.countDown();
        }
        return 0;
    }

    private void commitFinal(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, OffsetAndMetadata> printed) {
        try {
            consumer.commitSync(printed, Duration.ofSeconds(15));
        } catch (KafkaException e) {
            throw new CliException("could not commit the offsets of group " + group + ": " + e.getMessage());
        }
    }

    /** Ctrl-C or SIGTERM: wake the poll, then wait for the commit and close. */
    private void stop() {
        KafkaConsumer<byte[], byte[]> c = active;
        if (c != null) {
            c.wakeup();
        }
        try {
            finished.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void position(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> all, StartOffset start) {
        List<TopicPartition> tps = all.stream().filter(tp -> partition == null || tp.partition() == partition).toList();
        if (tps.isEmpty()) {
            throw new CliException("topic " + topic + " has no partition " + partition + " (it has " + all.size() + ")");
        }
        consumer.assign(tps);
        if (fromTime != null) {
            long at = Times.parseEpochMillis(fromTime);
            Map<TopicPartition, Long> query = new HashMap<>();
            tps.forEach(tp -> query.put(tp, at));
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
            for (TopicPartition tp : tps) {
                OffsetAndTimestamp o = found.get(tp);
                if (o == null) {
                    consumer.seekToEnd(List.of(tp));
                } else {
                    consumer.seek(tp, o.offset());
                }
            }
        } else if (fromBeginning || (start != null && start.kind() == StartOffset.Kind.EARLIEST)) {
            consumer.seekToBeginning(tps);
        } else if (start != null && start.kind() == StartOffset.Kind.AT) {
            consumer.seek(tps.get(0), start.offset());
        } else {
            consumer.seekToEnd(tps);
        }
    }

    private RecordFormatter formatter() {
        try {
            return new RecordFormatter(RecordFormatter.Format.of(format), properties);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    /** Checks the option combinations; returns the parsed --offset, or null. */
    private StartOffset validate() {
        if (group != null && (offset != null || partition != null || fromTime != null)) {
            throw usage(
                    "--group reads where the group left off: it cannot be combined with --offset, --partition or --from-time");
        }
        int starts = (fromBeginning ? 1 : 0) + (offset != null ? 1 : 0) + (fromTime != null ? 1 : 0);
        if (starts > 1) {
            throw usage("give only one of --from-beginning, --offset and --from-time");
        }
        if (maxMessages < 0 || timeoutMs < 0) {
            throw usage("--max-messages and --timeout-ms must be 0 or more");
        }
        if (partition != null && partition < 0) {
            throw usage("--partition must be 0 or more, not " + partition);
        }
        if (fromTime != null) {
            try {
                Times.parseEpochMillis(fromTime);
            } catch (IllegalArgumentException e) {
                throw usage("--from-time: " + e.getMessage());
            }
        }
        if (offset == null) {
            return null;
        }
        StartOffset start;
        try {
            start = StartOffset.parse(offset);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        if (start.kind() == StartOffset.Kind.AT && partition == null) {
            throw usage("--offset " + offset + " needs --partition");
        }
        return start;
    }

    @Override
    public String topicName() {
        return topic;
    }

    @Override
    public String groupName() {
        return group;
    }
}
