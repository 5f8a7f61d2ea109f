package io.letterbox.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What every integration test shares: which broker to run, free ports and temporary directories,
 * Kafka clients with short timeouts, and reading a topic back with a deadline. Every wait here is
 * bounded; a broker that does not answer fails the test with a message, never hangs it.
 */
public final class ItSupport {

    /** The longest any single wait in a test may take (reading a topic back, a future). */
    public static final Duration DEADLINE = Duration.ofSeconds(60);

    private ItSupport() {
    }

    // ---- which broker ----------------------------------------------------------------------

    /** {@code -Dit.bootstrap=host:port}: run against a broker someone else started. */
    public static boolean external() {
        String b = System.getProperty("it.bootstrap");
        return b != null && !b.isBlank();
    }

    /**
     * Starts the broker the run asks for: the external one if {@code it.bootstrap} is set, the
     * in-process one if {@code it.broker=in-process}, otherwise a child process. {@code overrides}
     * are Kafka config keys for the brokers the run starts itself.
     */
    public static TestBroker startBroker(String name, Map<String, String> overrides) {
        if (external()) {
            return new ExternalBroker(System.getProperty("it.bootstrap").trim());
        }
        TestBroker broker;
        if ("in-process".equals(System.getProperty("it.broker"))) {
            broker = new InProcessBroker(name, overrides);
        } else {
            BrokerProcess.Builder b = BrokerProcess.builder(name);
            overrides.forEach(b::override);
            broker = b.build();
        }
        broker.start();
        return broker;
    }

    /**
     * Skips an assertion where issue 3 asks more of Letterbox than Apache Kafka does, when the run
     * says it targets Kafka ({@code -Dit.peer=kafka}, used to validate the tests themselves).
     */
    public static void assumeLetterboxBehaviour(String kafkaDiffers) {
        org.junit.jupiter.api.Assumptions.assumeFalse(kafkaPeer(),
                "Letterbox-specific (issue 3); the Kafka peer differs: " + kafkaDiffers);
    }

    /** {@code -Dit.peer=kafka}: the broker under test is Apache Kafka, validating the tests. */
    public static boolean kafkaPeer() {
        return "kafka".equalsIgnoreCase(System.getProperty("it.peer"));
    }

    // ---- ports, directories, names ------------------------------------------------------------

    private static final int FIRST_PORT = 20_000;
    private static final int PORT_RANGE = 12_000;
    private static final AtomicInteger NEXT_PORT =
            new AtomicInteger(ThreadLocalRandom.current().nextInt(PORT_RANGE));

    /**
     * A loopback port that was free a moment ago, from below the kernel's ephemeral range
     * (32768-60999 here): a port the kernel hands out could be taken by any client connection
     * between this call and the broker's bind, which made starts fail with "Address already in
     * use". Each test JVM walks the range from a random point, so two JVMs rarely meet.
     */
    public static int freePort() {
        for (int i = 0; i < PORT_RANGE; i++) {
            int port = FIRST_PORT + Math.floorMod(NEXT_PORT.getAndIncrement(), PORT_RANGE);
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                return port;
            } catch (IOException taken) {
                // in use: the next one
            }
        }
        throw new IllegalStateException("no free loopback port in " + FIRST_PORT + "-" + (FIRST_PORT + PORT_RANGE - 1));
    }

    /** The absolute path of the first of {@code names} found on the PATH, or null. */
    public static String onPath(String... names) {
        for (String name : names) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
                java.io.File f = new java.io.File(dir, name);
                if (f.canExecute()) {
                    return f.getAbsolutePath();
                }
            }
        }
        return null;
    }

    /**
     * Skips the calling test when a tool it drives is not installed, on a developer machine; fails
     * it in CI ({@code CI} set), where .ci/run installs every such tool.
     */
    public static void requireInstalled(boolean present, String what) {
        if (present) {
            return;
        }
        if (System.getenv("CI") != null) {
            throw new AssertionError(what + " is not installed, and CI must run these tests (see .ci/run)");
        }
        org.junit.jupiter.api.Assumptions.abort(what + " is not installed; CI fails instead of skipping");
    }

    /** The module's {@code target/} directory (failsafe runs in the module's base directory). */
    public static Path targetDir() {
        return Path.of(System.getProperty("basedir", ".")).resolve("target").toAbsolutePath();
    }

    /** {@code bin/letterbox}, the launcher users run (its first server start records a class archive). */
    public static String letterboxLauncher() {
        return targetDir().getParent().getParent().resolve("bin").resolve("letterbox").toString();
    }

    /** A fresh directory under {@code target/it-tmp/}. */
    public static Path tempDir(String name) {
        try {
            Path parent = Files.createDirectories(targetDir().resolve("it-tmp"));
            return Files.createTempDirectory(parent, name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A topic name no earlier run used, so tests also run against a long-lived external broker. */
    public static String uniqueTopic(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    // ---- clients ------------------------------------------------------------------------------

    public static Admin admin(String bootstrap) {
        return admin(bootstrap, Map.of());
    }

    public static Admin admin(String bootstrap, Map<String, Object> extra) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "it-admin");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        p.putAll(extra);
        return Admin.create(p);
    }

    /**
     * Producer settings: bootstrap, String serializers and bounded timeouts, nothing else, so that
     * {@code acks=all} and idempotence stay at the client's defaults unless {@code extra} says so.
     */
    public static Map<String, Object> producerConfig(String bootstrap, Map<String, Object> extra) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        p.putAll(extra);
        return p;
    }

    /** A producer whose {@code close()} gives up after 10 s instead of waiting forever for a dead broker. */
    public static KafkaProducer<String, String> producer(String bootstrap, Map<String, Object> extra) {
        return new KafkaProducer<>(producerConfig(bootstrap, extra)) {
            @Override
            public void close() {
                close(Duration.ofSeconds(10));
            }
        };
    }

    public static KafkaProducer<String, String> producer(String bootstrap) {
        return producer(bootstrap, Map.of());
    }

    /** A consumer without a group: tests {@code assign()} partitions and seek. */
    public static KafkaConsumer<String, String> consumer(String bootstrap, Map<String, Object> extra) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        p.putAll(extra);
        return new KafkaConsumer<>(p);
    }

    public static KafkaConsumer<String, String> consumer(String bootstrap) {
        return consumer(bootstrap, Map.of());
    }

    // ---- topics and reading back ----------------------------------------------------------------

    /** Creates a topic and waits until the broker describes it with a leader for every partition. */
    public static void createTopic(Admin admin, String topic, int partitions, Map<String, String> configs) {
        NewTopic t = new NewTopic(topic, partitions, (short) 1).configs(configs);
        get(admin.createTopics(List.of(t)).all());
        await("topic " + topic + " has leaders", () -> {
            try {
                var d = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
                return d.partitions().size() == partitions
                        && d.partitions().stream().allMatch(p -> p.leader() != null && p.leader().id() >= 0);
            } catch (ExecutionException | TimeoutException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }

    public static void createTopic(String bootstrap, String topic, int partitions, Map<String, String> configs) {
        try (Admin admin = admin(bootstrap)) {
            createTopic(admin, topic, partitions, configs);
        }
    }

    /** The topic's partitions as the broker reports them, waiting until it reports some. */
    public static List<TopicPartition> partitions(Consumer<?, ?> consumer, String topic) {
        List<TopicPartition> result = new ArrayList<>();
        await("metadata for " + topic, () -> {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            result.clear();
            if (infos != null) {
                infos.forEach(i -> result.add(new TopicPartition(i.topic(), i.partition())));
            }
            return !result.isEmpty();
        });
        result.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
        return result;
    }

    /**
     * Every record of {@code topic} from the log start to the end offsets as of the call, each
     * partition's in offset order (partitions one after another).
     */
    public static List<ConsumerRecord<String, String>> readAll(String bootstrap, String topic) {
        try (KafkaConsumer<String, String> c = consumer(bootstrap)) {
            return readAll(c, topic);
        }
    }

    public static List<ConsumerRecord<String, String>> readAll(Consumer<String, String> c, String topic) {
        List<TopicPartition> tps = partitions(c, topic);
        c.assign(tps);
        c.seekToBeginning(tps);
        Map<TopicPartition, Long> end = c.endOffsets(tps, DEADLINE);
        Map<TopicPartition, List<ConsumerRecord<String, String>>> byPartition = new HashMap<>();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!tps.stream().allMatch(tp -> c.position(tp, DEADLINE) >= end.get(tp))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("read " + count(byPartition) + " records of " + topic + " in " + DEADLINE
                        + "; positions " + positions(c, tps) + ", end offsets " + end);
            }
            for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                byPartition.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new ArrayList<>()).add(r);
            }
        }
        List<ConsumerRecord<String, String>> all = new ArrayList<>();
        tps.forEach(tp -> all.addAll(byPartition.getOrDefault(tp, List.of())));
        return all;
    }

    /**
     * Per-key order, for values written as {@code <anything>#<sequence>} with the sequence rising
     * per key: each key's records sit in one partition, in offset order, sequences rising, no
     * sequence twice.
     */
    public static void assertPerKeyOrder(List<ConsumerRecord<String, String>> read) {
        Map<String, List<ConsumerRecord<String, String>>> byKey = read.stream()
                .collect(Collectors.groupingBy(ConsumerRecord::key));
        byKey.forEach((key, records) -> {
            assertThat(records).extracting(ConsumerRecord::partition).as("partitions of key %s", key)
                    .containsOnly(records.get(0).partition());
            assertThat(records).extracting(ConsumerRecord::offset).as("offsets of key %s", key).isSorted();
            assertThat(records).extracting(r -> sequenceOf(r.value())).as("sequences of key %s", key).isSorted()
                    .doesNotHaveDuplicates();
        });
    }

    /** The number after the last {@code #} of a value. */
    public static int sequenceOf(String value) {
        return Integer.parseInt(value.substring(value.lastIndexOf('#') + 1));
    }

    /** Polls until {@code count} records arrived or the deadline passed (then fails). */
    public static List<ConsumerRecord<String, String>> poll(Consumer<String, String> c, int count, Duration deadline) {
        List<ConsumerRecord<String, String>> got = new ArrayList<>();
        long until = System.nanoTime() + deadline.toNanos();
        while (got.size() < count) {
            if (System.nanoTime() > until) {
                throw new AssertionError("got " + got.size() + " of " + count + " records in " + deadline);
            }
            ConsumerRecords<String, String> batch = c.poll(Duration.ofMillis(200));
            batch.forEach(got::add);
        }
        return got;
    }

    private static int count(Map<?, ? extends List<?>> m) {
        return m.values().stream().mapToInt(List::size).sum();
    }

    private static String positions(Consumer<?, ?> c, List<TopicPartition> tps) {
        return tps.stream().map(tp -> tp + "=" + c.position(tp)).collect(Collectors.joining(", ", "{", "}"));
    }

    // ---- waiting ------------------------------------------------------------------------------

    /** Waits until {@code condition} holds, at most {@link #DEADLINE}; fails naming {@code what}. */
    public static void await(String what, BooleanSupplier condition) {
        await(what, DEADLINE, condition);
    }

    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long until = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            sleep(100);
        }
    }

    /** The future's value within {@link #DEADLINE}; its failure is rethrown as is (unchecked). */
    public static <T> T get(KafkaFuture<T> f) {
        return get((Future<T>) f);
    }

    public static <T> T get(Future<T> f) {
        try {
            return f.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause);
        } catch (TimeoutException e) {
            throw new AssertionError("no answer within " + DEADLINE, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The exception the future failed with; fails the test if it succeeded or took too long. */
    public static Throwable failureOf(Future<?> f) {
        try {
            Object v = f.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("expected a failure, got " + v);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("no answer within " + DEADLINE, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Runs {@code task} on a thread of its own. CompletableFuture's default pool is the common pool on
     * JDK 25 even when that has one thread (as on 2 cores), so blocking tasks given to it run one after
     * another: three nodes that each wait for a quorum would never start.
     */
    public static <T> java.util.concurrent.CompletableFuture<T> async(java.util.function.Supplier<T> task) {
        return java.util.concurrent.CompletableFuture.supplyAsync(task, r -> {
            Thread t = new Thread(r, "it-async");
            t.setDaemon(true);
            t.start();
        });
    }

    /** As {@link #async(java.util.function.Supplier)}, for a task without a result. */
    public static java.util.concurrent.CompletableFuture<Void> asyncRun(Runnable task) {
        return async(() -> {
            task.run();
            return null;
        });
    }

    /**
     * The flags bin/letterbox gives every JVM on JDK 24+: native code (epoll, lz4, syncfs) and Netty's
     * Unsafe allowed, without the JDK's warnings on the child's output.
     */
    public static List<String> launcherJdkFlags() {
        return Runtime.version().feature() >= 24
                ? List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow")
                : List.of();
    }
}
