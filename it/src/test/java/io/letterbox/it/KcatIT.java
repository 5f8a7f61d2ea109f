package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.createTopic;
import static io.letterbox.it.support.ItSupport.get;
import static io.letterbox.it.support.ItSupport.producer;
import static io.letterbox.it.support.ItSupport.readAll;
import static io.letterbox.it.support.ItSupport.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerExtension;
import io.letterbox.it.support.ItSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * librdkafka, through the {@code kcat} binary, against the broker: metadata, keyed produce and
 * consume, and records crossing between kcat and the Java client both ways. CI installs kcat
 * (.ci/run); on a developer machine without it the class is skipped, in CI it fails.
 */
class KcatIT {

    @RegisterExtension
    static final BrokerExtension BROKER = new BrokerExtension("kcat");

    private static final long KCAT_TIMEOUT_S = 30;
    private static String kcat;

    @BeforeAll
    static void findKcat() {
        kcat = ItSupport.onPath("kcat", "kafkacat");
        ItSupport.requireInstalled(kcat != null, "kcat (apt-get install -y kcat)");
    }

    @Test
    void kcatListsTheBrokerAndTheTopicsPartitions() {
        String topic = uniqueTopic("kcat-metadata");
        createTopic(BROKER.bootstrap(), topic, 3, Map.of());

        String out = kcat(null, "-L", "-t", topic).stdout;

        String port = BROKER.bootstrap().split(":")[1];
        assertThat(out).contains(" 1 brokers:");
        assertThat(out).containsPattern("broker \\d+ at [^ ]+:" + port);
        assertThat(out).contains("topic \"" + topic + "\" with 3 partitions:");
        for (int p = 0; p < 3; p++) {
            assertThat(out).containsPattern("partition " + p + ", leader \\d+, replicas: \\d+, isrs: \\d+");
        }
    }

    @Test
    void kcatProducesKeyedMessagesThatKcatAndJavaReadBack() {
        // Given a three-partition topic
        String topic = uniqueTopic("kcat-produce");
        createTopic(BROKER.bootstrap(), topic, 3, Map.of());

        // When kcat produces 40 keyed messages, half uncompressed, half with gzip
        List<String> lines = IntStream.range(0, 40).mapToObj(i -> "key-" + i % 5 + ":value#" + i).toList();
        kcat(String.join("\n", lines.subList(0, 20)) + "\n", "-P", "-t", topic, "-K:");
        kcat(String.join("\n", lines.subList(20, 40)) + "\n", "-P", "-t", topic, "-K:", "-z", "gzip");

        // Then kcat reads back every key and value
        List<String> kcatRead = kcat(null, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k:%s\\n")
                .stdout.lines().toList();
        assertThat(kcatRead).containsExactlyInAnyOrderElementsOf(lines);

        // And so does the Java consumer, one partition per key, in the order kcat sent them
        List<ConsumerRecord<String, String>> javaRead = readAll(BROKER.bootstrap(), topic);
        assertThat(javaRead).extracting(r -> r.key() + ":" + r.value()).containsExactlyInAnyOrderElementsOf(lines);
        ItSupport.assertPerKeyOrder(javaRead);
    }

    @Test
    void kcatReadsWhatTheJavaProducerWrote() {
        // Given 30 keyed records with a header, written by the Java producer
        String topic = uniqueTopic("kcat-consume");
        createTopic(BROKER.bootstrap(), topic, 3, Map.of());
        Map<String, RecordMetadata> acked = new HashMap<>();
        try (KafkaProducer<String, String> p = producer(BROKER.bootstrap())) {
            List<String> values = new ArrayList<>();
            List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                ProducerRecord<String, String> r = new ProducerRecord<>(topic, "k" + i % 3, "java#" + i);
                r.headers().add(new RecordHeader("origin", "java".getBytes(StandardCharsets.UTF_8)));
                values.add(r.value());
                sent.add(p.send(r));
            }
            for (int i = 0; i < 30; i++) {
                acked.put(values.get(i), get(sent.get(i)));
            }
        }

        // When kcat consumes the topic from the beginning to its end
        List<String> out = kcat(null, "-C", "-t", topic, "-o", "beginning", "-e", "-q",
                "-f", "%p|%o|%k|%s|%h\\n").stdout.lines().toList();

        // Then it sees every record at its acknowledged partition and offset, key and header intact
        assertThat(out).hasSize(30);
        for (String line : out) {
            String[] f = line.split("\\|", -1);
            RecordMetadata m = acked.get(f[3]);
            assertThat(m).as("acknowledgement for %s", line).isNotNull();
            assertThat(Integer.parseInt(f[0])).isEqualTo(m.partition());
            assertThat(Long.parseLong(f[1])).isEqualTo(m.offset());
            assertThat(f[2]).isEqualTo("k" + Integer.parseInt(f[3].substring("java#".length())) % 3);
            assertThat(f[4]).isEqualTo("origin=java");
        }
    }

    @Test
    void twoKcatBalancedConsumersShareTheGroupsPartitions() throws Exception {
        // Given a 4-partition topic and two kcat processes in balanced consumer mode (-G), one group
        String topic = uniqueTopic("kcat-group");
        createTopic(BROKER.bootstrap(), topic, 4, Map.of());
        String group = "g-" + topic;
        Path dir = ItSupport.tempDir("kcat-group");
        List<Process> members = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                members.add(new ProcessBuilder(kcat, "-b", BROKER.bootstrap(), "-X", "auto.offset.reset=earliest",
                        "-q", "-u", "-f", "%p %o %s\\n", "-G", group, topic)
                        .redirectOutput(dir.resolve("member" + i).toFile())
                        .redirectError(dir.resolve("member" + i + ".err").toFile())
                        .start());
            }
            try (Admin admin = ItSupport.admin(BROKER.bootstrap())) {
                awaitUntil("both kcat members own partitions of the group", () -> {
                    ConsumerGroupDescription d;
                    try {
                        d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof GroupIdNotFoundException) {
                            return false; // the members have not joined yet
                        }
                        throw e;
                    }
                    return d.members().size() == 2
                            && d.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
                });
            }

            // When 40 records are produced, 10 to each partition
            try (KafkaProducer<String, String> p = producer(BROKER.bootstrap())) {
                for (int i = 0; i < 40; i++) {
                    p.send(new ProducerRecord<>(topic, i % 4, null, "r" + i));
                }
                p.flush();
            }

            // Then the two members together print every record once, each from partitions of its own
            awaitUntil("the members print all 40 records",
                    () -> lines(dir.resolve("member0")).size() + lines(dir.resolve("member1")).size() >= 40);
            List<String> m0 = lines(dir.resolve("member0"));
            List<String> m1 = lines(dir.resolve("member1"));
            List<String> values = new ArrayList<>();
            Stream.concat(m0.stream(), m1.stream()).forEach(l -> values.add(l.split(" ")[2]));
            assertThat(values).hasSize(40).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 40).mapToObj(i -> "r" + i).toList());
            Set<String> partitions0 = m0.stream().map(l -> l.split(" ")[0]).collect(Collectors.toSet());
            Set<String> partitions1 = m1.stream().map(l -> l.split(" ")[0]).collect(Collectors.toSet());
            assertThat(partitions0).isNotEmpty().doesNotContainAnyElementsOf(partitions1);
            assertThat(partitions1).isNotEmpty();
        } finally {
            for (Process m : members) {
                m.destroy(); // SIGTERM: kcat leaves the group and exits
                if (!m.waitFor(20, TimeUnit.SECONDS)) {
                    m.destroyForcibly();
                }
            }
            ItSupport.deleteRecursively(dir);
        }
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.readString(file).lines().filter(l -> !l.isBlank()).toList();
    }

    private static void awaitUntil(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(KCAT_TIMEOUT_S);
        while (!condition.call()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    // ---- running kcat ----------------------------------------------------------------------------

    private record Result(int exitCode, String stdout, String stderr) {
    }

    /** Runs kcat against the broker with {@code stdin}, at most 30 s; fails unless it exits 0. */
    private static Result kcat(String stdin, String... args) {
        List<String> cmd = new ArrayList<>(List.of(kcat, "-b", BROKER.bootstrap(), "-X", "socket.timeout.ms=10000"));
        cmd.addAll(List.of(args));
        try {
            Path dir = ItSupport.tempDir("kcat");
            Path in = dir.resolve("stdin");
            Path out = dir.resolve("stdout");
            Path err = dir.resolve("stderr");
            Files.writeString(in, stdin == null ? "" : stdin);
            Process p = new ProcessBuilder(cmd)
                    .redirectInput(in.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!p.waitFor(KCAT_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("kcat did not finish in " + KCAT_TIMEOUT_S + " s: " + cmd + "\nstderr:\n"
                        + Files.readString(err));
            }
            Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            ItSupport.deleteRecursively(dir);
            if (r.exitCode != 0) {
                throw new AssertionError("kcat exited with " + r.exitCode + ": " + cmd + "\nstderr:\n" + r.stderr);
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
