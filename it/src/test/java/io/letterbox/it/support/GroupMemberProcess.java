package io.letterbox.it.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * One consumer group member in a child JVM, so that a test can kill it with SIGKILL as a real
 * crash. The child subscribes, processes records and commits after each batch (at-least-once),
 * and reports on stdout: {@code A <partitions>} after each assignment change and
 * {@code R <partition> <offset>} per processed record. This side reads those lines as they come
 * and timestamps them.
 */
public final class GroupMemberProcess implements AutoCloseable {

    /** How the child consumes: its group protocol and how slowly it processes. */
    public record Settings(String protocol, int sessionTimeoutMs, int maxPollRecords, int pauseAfterBatchMs,
            Duration lifetime) {

        public static Settings classic(int sessionTimeoutMs) {
            return new Settings("classic", sessionTimeoutMs, 10, 100, Duration.ofSeconds(120));
        }

        public static Settings consumer() {
            return new Settings("consumer", 0, 10, 100, Duration.ofSeconds(120));
        }
    }

    /** A processed record as the parent saw it: which partition and offset, and when (System.nanoTime). */
    public record Processed(int partition, long offset, long atNanos) {
    }

    private final String name;
    private final Process process;
    private final Path logFile;
    private final Thread reader;
    private final List<Processed> processed = new CopyOnWriteArrayList<>();
    private volatile Set<Integer> assignment = Set.of();
    private final CountDownLatch ended = new CountDownLatch(1);

    private GroupMemberProcess(String name, Process process, Path logFile) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
        this.reader = new Thread(this::readReports, name + "-reports");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Starts a member of {@code group} reading {@code topic} from the earliest offset. */
    public static GroupMemberProcess start(String name, String bootstrap, String topic, String group,
            Settings settings) {
        Path logFile = ItSupport.targetDir().resolve("it-logs").resolve(name + ".log");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(ItSupport.launcherJdkFlags());
        cmd.addAll(List.of(
                "-cp", BrokerProcess.testClassPath(),
                Member.class.getName(),
                bootstrap, topic, group, settings.protocol(),
                Integer.toString(settings.sessionTimeoutMs()),
                Integer.toString(settings.maxPollRecords()),
                Integer.toString(settings.pauseAfterBatchMs()),
                Long.toString(settings.lifetime().toMillis())));
        try {
            Files.createDirectories(logFile.getParent());
            Process p = new ProcessBuilder(cmd)
                    .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
            return new GroupMemberProcess(name, p, logFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start group member " + name, e);
        }
    }

    /** The partitions (of the one topic) this member last reported as assigned. */
    public Set<Integer> assignment() {
        return assignment;
    }

    /** Every record this member processed, in order. */
    public List<Processed> processed() {
        return processed;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: the member vanishes without leaving its group or committing anything more. */
    public void kill() {
        process.destroyForcibly();
        awaitExit();
    }

    /** SIGTERM: the member closes its consumer, leaving the group. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            awaitExit();
        }
    }

    private void awaitExit() {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            ended.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", log " + logFile + ")";
    }

    private void readReports() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                long now = System.nanoTime();
                if (line.startsWith("R ")) {
                    String[] f = line.split(" ");
                    processed.add(new Processed(Integer.parseInt(f[1]), Long.parseLong(f[2]), now));
                } else if (line.startsWith("A")) {
                    Set<Integer> parts = new TreeSet<>();
                    for (String p : line.substring(1).trim().split(",")) {
                        if (!p.isBlank()) {
                            parts.add(Integer.parseInt(p.trim()));
                        }
                    }
                    assignment = Set.copyOf(parts);
                }
            }
        } catch (IOException e) {
            // the child died; what it reported stays
        } finally {
            ended.countDown();
        }
    }

    /** The child's main: consume, report, commit after each batch, until SIGTERM or the lifetime ends. */
    public static final class Member {

        public static void main(String[] args) throws Exception {
            String bootstrap = args[0];
            String topic = args[1];
            String group = args[2];
            String protocol = args[3];
            int sessionTimeoutMs = Integer.parseInt(args[4]);
            int maxPollRecords = Integer.parseInt(args[5]);
            int pauseMs = Integer.parseInt(args[6]);
            long deadline = System.currentTimeMillis() + Long.parseLong(args[7]);

            Map<String, Object> c = new HashMap<>();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            c.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
            c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
            c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords);
            if ("classic".equals(protocol)) {
                c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, sessionTimeoutMs);
                c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.max(100, sessionTimeoutMs / 6));
            }
            KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c);
            Map<TopicPartition, Long> processedUpTo = new ConcurrentHashMap<>();
            CountDownLatch closed = new CountDownLatch(1);
            Thread main = Thread.currentThread();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                consumer.wakeup();
                try {
                    closed.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    main.interrupt();
                }
            }));
            try {
                consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        commit(consumer, processedUpTo, partitions);
                        // A failed last commit is not retried: the partitions are no longer this member's
                        partitions.forEach(processedUpTo::remove);
                        report(consumer.assignment(), partitions);
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        report(consumer.assignment(), List.of());
                    }

                    @Override
                    public void onPartitionsLost(Collection<TopicPartition> partitions) {
                        report(consumer.assignment(), partitions);
                    }
                });
                while (System.currentTimeMillis() < deadline) {
                    ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
                    if (records.isEmpty()) {
                        commit(consumer, processedUpTo, consumer.assignment()); // one that failed before
                        continue;
                    }
                    StringBuilder out = new StringBuilder();
                    for (ConsumerRecord<String, String> r : records) {
                        out.append("R ").append(r.partition()).append(' ').append(r.offset()).append('\n');
                        processedUpTo.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                    }
                    System.out.print(out);
                    System.out.flush();
                    // Commit only what was processed (and reported): at-least-once
                    commit(consumer, processedUpTo, records.partitions());
                    Thread.sleep(pauseMs);
                }
            } catch (WakeupException e) {
                // SIGTERM: leave the group below
            } finally {
                consumer.close(Duration.ofSeconds(10));
                closed.countDown();
            }
        }

        private static void commit(KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> upTo,
                Collection<TopicPartition> partitions) {
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets = new HashMap<>();
            for (TopicPartition tp : partitions) {
                Long next = upTo.remove(tp);
                if (next != null) {
                    offsets.put(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(next));
                }
            }
            if (offsets.isEmpty()) {
                return;
            }
            try {
                consumer.commitSync(offsets);
            } catch (CommitFailedException e) {
                // A commit that races the heartbeat moving the member to a new epoch is refused
                // (STALE_MEMBER_EPOCH, as Kafka 4.1 answers it); an application goes on, and commits
                // these offsets with its next commit.
                System.err.println("Commit failed, retried with the next one: " + e.getMessage());
                offsets.forEach((tp, o) -> upTo.putIfAbsent(tp, o.offset()));
            }
        }

        private static void report(Set<TopicPartition> assigned, Collection<TopicPartition> gone) {
            List<Integer> parts = new ArrayList<>();
            for (TopicPartition tp : assigned) {
                if (!gone.contains(tp)) {
                    parts.add(tp.partition());
                }
            }
            System.out.println("A " + parts.stream().sorted().map(String::valueOf).collect(Collectors.joining(",")));
            System.out.flush();
        }
    }
}
