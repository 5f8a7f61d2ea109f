package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.assumeLetterboxBehaviour;
import static io.letterbox.it.support.ItSupport.createTopic;
import static io.letterbox.it.support.ItSupport.get;
import static io.letterbox.it.support.ItSupport.producer;
import static io.letterbox.it.support.ItSupport.readAll;
import static io.letterbox.it.support.ItSupport.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerProcess;
import io.letterbox.it.support.ItSupport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The broker as a process: its banner, quiet logs, clean shutdown on SIGTERM, refusal to share a
 * data directory or to start with a bad config, and topics with their configs surviving restarts.
 * Each test starts its own child process.
 */
class LifecycleIT {

    /** The promise for SIGTERM. */
    private static final Duration CLEAN_SHUTDOWN = Duration.ofSeconds(5);
    private static final Duration REFUSAL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration LAUNCHER_FIRST_START = Duration.ofMinutes(3);

    @BeforeAll
    static void needsChildProcesses() {
        Assumptions.assumeFalse(ItSupport.external(), "starts its own broker processes: run without -Dit.bootstrap");
    }

    @Test
    void startsWithOnlyListenersAndLogDirsAndPrintsOneBanner() {
        try (BrokerProcess broker = BrokerProcess.builder("lifecycle-minimal").without("node.id").build()) {
            broker.start();

            String address = "127.0.0.1:" + broker.port();
            List<String> bannerLines = broker.output().lines()
                    .filter(l -> l.contains("started") && l.contains(address)).toList();
            assertThat(bannerLines).as("banner lines").hasSize(1);
            assertThat(bannerLines.get(0)).contains(broker.dataDir().toString()).containsPattern("\\d+ ?ms");
            try (Admin admin = ItSupport.admin(broker.bootstrap())) {
                assertThat(get(admin.describeCluster().nodes())).hasSize(1);
            }
        }
    }

    @Test
    void aHealthyRunLogsOneLinePerTopicChangeAndPerRebalanceAndACleanRestartOnlyItsBanner() {
        assumeLetterboxBehaviour("Kafka logs much more at INFO");
        // Through bin/letterbox, as users start it: its logging setup is the one under test. The
        // first start after a build records the class archive, which takes a while on CI.
        try (BrokerProcess broker = BrokerProcess.builder("lifecycle-quiet").launcher(ItSupport.letterboxLauncher())
                .startTimeout(LAUNCHER_FIRST_START).build()) {
            // Given a broker that creates a topic, takes records, serves a consumer group and deletes the topic
            broker.start();
            String topic = uniqueTopic("quiet");
            String group = "quiet-group";
            createTopic(broker.bootstrap(), topic, 2, Map.of());
            try (KafkaProducer<String, String> p = producer(broker.bootstrap())) {
                for (int i = 0; i < 10; i++) {
                    get(p.send(new ProducerRecord<>(topic, "k" + i, "v" + i)));
                }
            }
            try (KafkaConsumer<String, String> c = ItSupport.consumer(broker.bootstrap(),
                    Map.of(ConsumerConfig.GROUP_ID_CONFIG, group))) {
                c.subscribe(List.of(topic));
                assertThat(ItSupport.poll(c, 10, ItSupport.DEADLINE)).hasSize(10);
                c.commitSync();
            }
            try (Admin admin = ItSupport.admin(broker.bootstrap())) {
                get(admin.deleteTopics(List.of(topic)).all());
            }

            // Then it logged those changes, one line each, and nothing else
            ItSupport.await("the deletion logged", () -> loggedLines(broker).stream()
                    .anyMatch(l -> l.endsWith("Deleted topic " + topic)));
            List<String> logged = loggedLines(broker);
            assertThat(logged).as("output:%n%s", broker.output())
                    .allMatch(l -> l.contains(" INFO ") && (l.endsWith("Created topic " + topic
                            + " with 2 partitions, replication factor 1")
                            || l.contains("Created topic __consumer_offsets with ")
                            || l.matches(".* Group " + group + " generation \\d+ with 1 members .*")
                            || l.endsWith("Deleted topic " + topic)))
                    .anyMatch(l -> l.contains("Group " + group + " generation 1 with 1 members"))
                    .filteredOn(l -> l.contains("Created topic " + topic)).hasSize(1);

            // And after a clean restart nothing beside the banner, unless loading the logs was slow
            broker.restart();
            assertThat(loggedLines(broker)).as("output:%n%s", broker.output())
                    .allMatch(l -> l.matches(".* INFO .* Loaded \\d+ partitions from .* after a clean shutdown"));
        }
    }

    @Test
    void theLauncherRefusesAnUnknownOptionWithExitCodeTwoAndAHint() {
        assumeLetterboxBehaviour("Kafka's scripts take other options");
        try (BrokerProcess broker = BrokerProcess.builder("lifecycle-bad-usage").launcher(ItSupport.letterboxLauncher())
                .args("--no-such-option").build()) {
            BrokerProcess.Outcome outcome = broker.startExpectingExit(REFUSAL_TIMEOUT);
            assertThat(outcome.exitCode()).as("output:%n%s", outcome.output()).isEqualTo(2);
            assertThat(outcome.output()).contains("Unknown option: '--no-such-option'")
                    .contains("Try 'letterbox server start --help'.");
        }
    }

    /** The output lines that the broker's logger wrote (level after the time), not the banner or JVM notes. */
    private static List<String> loggedLines(BrokerProcess broker) {
        return broker.output().lines().filter(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} +[A-Z]+ .*"))
                .toList();
    }

    @Test
    void sigtermShutsDownCleanlyWithinFiveSecondsWithExitCodeZero() {
        try (BrokerProcess broker = BrokerProcess.builder("lifecycle-sigterm").build()) {
            // Given a broker that has just written data
            broker.start();
            String topic = uniqueTopic("before-sigterm");
            createTopic(broker.bootstrap(), topic, 2, Map.of());
            try (KafkaProducer<String, String> p = producer(broker.bootstrap())) {
                for (int i = 0; i < 50; i++) {
                    p.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
                }
                p.flush();
            }

            // When it gets SIGTERM
            Optional<Integer> exit = broker.stopAndWait(CLEAN_SHUTDOWN);

            // Then it exits by itself, in time, with 0
            assertThat(exit).as("exit code within %s of SIGTERM", CLEAN_SHUTDOWN).isPresent();
            assumeLetterboxBehaviour("Kafka exits with 143 on SIGTERM");
            assertThat(exit).contains(0);
        }
    }

    @Test
    void aSecondBrokerOnTheSameDataDirectoryRefusesToStart() {
        try (BrokerProcess first = BrokerProcess.builder("lifecycle-first").build()) {
            first.start();
            String topic = uniqueTopic("locked");
            createTopic(first.bootstrap(), topic, 1, Map.of());

            // When a second broker (another port) is started on the same data directory
            BrokerProcess second = BrokerProcess.builder("lifecycle-second").dataDir(first.dataDir()).build();
            BrokerProcess.Outcome outcome = second.startExpectingExit(REFUSAL_TIMEOUT);

            // Then it exits non-zero with a line about the lock, and the first one serves on
            assertThat(outcome.started()).as("second broker started; output:%n%s", outcome.output()).isFalse();
            assertThat(outcome.exitCode()).as("exit code; output:%n%s", outcome.output()).isNotNull().isNotZero();
            assertThat(outcome.output().lines().filter(l -> !l.startsWith("# ")))
                    .anySatisfy(l -> assertThat(l.toLowerCase()).contains("lock"));
            assumeLetterboxBehaviour("Kafka's second instance starts its controller on the shared metadata log "
                    + "before it fails on the lock, and the first one can then no longer allocate producer ids");
            assertThat(readAll(first.bootstrap(), topic)).isEmpty();
            try (KafkaProducer<String, String> p = producer(first.bootstrap())) {
                assertThat(get(p.send(new ProducerRecord<>(topic, "k", "v"))).offset()).isZero();
            }
        }
    }

    @Test
    void anUnknownConfigKeyStopsStartUpWithOneLineNamingIt() {
        assumeLetterboxBehaviour("Kafka ignores unknown keys");
        assertRefusedNaming("no.such.key", "1");
    }

    @Test
    void aBadConfigValueStopsStartUpWithOneLineNamingTheKey() {
        assertRefusedNaming("num.partitions", "many");
    }

    @Test
    void topicsTheirConfigsAndRecordsSurviveRestartAndKill() {
        try (BrokerProcess broker = BrokerProcess.builder("lifecycle-restart").build()) {
            // Given a topic with four partitions, a config override and some records
            broker.start();
            String topic = uniqueTopic("survivor");
            createTopic(broker.bootstrap(), topic, 4, Map.of("retention.ms", "1234567"));
            try (KafkaProducer<String, String> p = producer(broker.bootstrap())) {
                for (int i = 0; i < 20; i++) {
                    get(p.send(new ProducerRecord<>(topic, "k" + i, "v" + i)));
                }
            }
            Uuid id = describe(broker, topic).topicId();

            // When the broker restarts cleanly, and then after kill -9
            broker.restart();
            assertSame(broker, topic, id);
            broker.killAndRestart();

            // Then the topic keeps its id, partitions, config and records each time
            assertSame(broker, topic, id);
        }
    }

    private static void assertSame(BrokerProcess broker, String topic, Uuid id) {
        TopicDescription d = describe(broker, topic);
        assertThat(d.topicId()).isEqualTo(id);
        assertThat(d.partitions()).hasSize(4);
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try (Admin admin = ItSupport.admin(broker.bootstrap())) {
            Config config = get(admin.describeConfigs(List.of(r)).all()).get(r);
            assertThat(config.get("retention.ms").value()).isEqualTo("1234567");
        }
        assertThat(readAll(broker.bootstrap(), topic)).extracting(ConsumerRecord::value).hasSize(20)
                .doesNotHaveDuplicates();
    }

    private static TopicDescription describe(BrokerProcess broker, String topic) {
        try (Admin admin = ItSupport.admin(broker.bootstrap())) {
            ItSupport.await("topic " + topic + " described", () -> {
                try {
                    get(admin.describeTopics(List.of(topic)).allTopicNames());
                    return true;
                } catch (RuntimeException notYet) {
                    return false;
                }
            });
            return get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic);
        }
    }

    /** Start-up refused: non-zero exit, a line naming the key, no stack trace. */
    private static void assertRefusedNaming(String key, String value) {
        BrokerProcess broker = BrokerProcess.builder("lifecycle-bad-" + key).override(key, value).build();
        try {
            BrokerProcess.Outcome outcome = broker.startExpectingExit(REFUSAL_TIMEOUT);

            assertThat(outcome.started()).as("started despite %s=%s; output:%n%s", key, value, outcome.output())
                    .isFalse();
            assertThat(outcome.exitCode()).as("exit code; output:%n%s", outcome.output()).isNotNull().isNotZero();
            List<String> lines = outcome.output().lines().filter(l -> !l.startsWith("# ")).toList();
            assertThat(lines).as("output").anySatisfy(l -> assertThat(l).contains(key));
            assumeLetterboxBehaviour("Kafka prints a stack trace");
            assertThat(lines).as("a user error prints no stack trace").noneMatch(l -> l.startsWith("\tat "));
        } finally {
            broker.close();
        }
    }
}
