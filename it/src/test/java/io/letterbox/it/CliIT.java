package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.admin;
import static io.letterbox.it.support.ItSupport.createTopic;
import static io.letterbox.it.support.ItSupport.get;
import static io.letterbox.it.support.ItSupport.producer;
import static io.letterbox.it.support.ItSupport.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerExtension;
import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.LetterboxCli;
import io.letterbox.it.support.LetterboxCli.Result;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code letterbox} client commands as a user runs them: each a child JVM against one real
 * broker, judged by what it prints and its exit code; the Kafka Admin client checks what the
 * commands changed. Bad usage exits 2 with a one-line reason, a missing broker exits 1 with the
 * line that says what to do. The progress line of {@code bench} is checked in a real terminal
 * (tmux) when tmux is installed.
 */
class CliIT {

    @RegisterExtension
    static final BrokerExtension BROKER = new BrokerExtension("cli");

    private static Result cli(String... args) {
        return LetterboxCli.run(withBootstrap(args));
    }

    private static Result cliWithInput(String stdin, String... args) {
        return LetterboxCli.runWithInput(stdin, withBootstrap(args));
    }

    private static String[] withBootstrap(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--bootstrap-server");
        all.add(BROKER.bootstrap());
        return all.toArray(String[]::new);
    }

    private static Result ok(Result r) {
        assertThat(r.exitCode()).as(r.describe()).isZero();
        return r;
    }

    @Test
    void topicCreateListDescribeAlterDelete() {
        String topic = uniqueTopic("cli-topic");
        try (Admin admin = admin(BROKER.bootstrap())) {
            // create: the topic exists with what was asked
            assertThat(ok(cli("topic", "create", topic, "--partitions", "3", "--config", "retention.ms=3600000")).out())
                    .isEqualTo("Created topic " + topic + ".\n");
            TopicDescription d = get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic);
            assertThat(d.partitions()).hasSize(3);

            // create again: exit 1 with what to do; with --if-not-exists it succeeds
            Result again = cli("topic", "create", topic);
            assertThat(again.exitCode()).as(again.describe()).isEqualTo(1);
            assertThat(again.err()).isEqualTo("letterbox: topic " + topic + " already exists (pass --if-not-exists to accept that)\n");

            // list, as JSON: an array holding the name
            assertThat(ok(cli("topic", "list", "-o", "json")).out()).startsWith("[").contains("\"" + topic + "\"");

            // describe, table: one row per partition and the non-default setting
            try (KafkaProducer<String, String> p = producer(BROKER.bootstrap())) {
                get(p.send(new ProducerRecord<>(topic, 1, "k", "v")));
            }
            Result table = ok(cli("topic", "describe", topic));
            List<String> lines = table.out().lines().toList();
            assertThat(lines.get(0)).startsWith("Topic " + topic + " (id ").contains("3 partitions, replication factor 1");
            assertThat(lines.get(1)).matches("PARTITION +LEADER +REPLICAS +ISR +START +END +SIZE");
            assertThat(lines.get(3)).as(table.describe()).matches(" +1 +\\d+ +\\d+ +\\d+ +0 +1 +\\d+(\\.\\d)? [KMG]?i?B");
            assertThat(table.out()).contains("retention.ms=3600000 (DYNAMIC_TOPIC_CONFIG)");

            // describe, JSON: offsets and the size in bytes per partition
            String json = ok(cli("topic", "describe", topic, "-o", "json")).out();
            assertThat(json).startsWith("{\"topic\":\"" + topic + "\"").contains("\"partitionCount\":3")
                    .contains("{\"partition\":1,\"leader\":").contains("\"startOffset\":0,\"endOffset\":1,\"sizeBytes\":")
                    .contains("\"retention.ms\":{\"value\":\"3600000\"");

            // alter: more partitions, a setting changed and one removed
            assertThat(ok(cli("topic", "alter", topic, "--partitions", "4", "--config", "segment.ms=600000",
                    "--delete-config", "retention.ms")).out()).startsWith("Altered topic " + topic);
            assertThat(get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic).partitions()).hasSize(4);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Map<String, ConfigEntry> configs = get(admin.describeConfigs(List.of(resource)).all()).get(resource).entries()
                    .stream().collect(Collectors.toMap(ConfigEntry::name, e -> e));
            assertThat(configs.get("segment.ms").value()).isEqualTo("600000");
            assertThat(configs.get("retention.ms").source()).isNotEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);

            // delete: gone; describing it now says how to create it
            assertThat(ok(cli("topic", "delete", topic)).out()).isEqualTo("Deleted topic " + topic + ".\n");
            ItSupport.await("topic " + topic + " deleted",
                    () -> !get(admin.listTopics().names()).contains(topic));
            Result missing = cli("topic", "describe", topic);
            assertThat(missing.exitCode()).isEqualTo(1);
            assertThat(missing.err()).isEqualTo("letterbox: topic " + topic + " does not exist: create it with `letterbox topic create "
                    + topic + "`\n");
        }
    }

    @Test
    void produceFromStdinThenConsumeInEveryFormat() {
        // Given a one-partition topic and three keyed lines with a header
        String topic = uniqueTopic("cli-records");
        createTopic(BROKER.bootstrap(), topic, 1, Map.of());

        // When they are produced from stdin
        Result produced = ok(cliWithInput("k1:first\nk2:second \"quoted\"\nk3:third\n", "produce", topic,
                "--key-separator", ":", "--header", "source=cli", "--compression-type", "lz4"));

        // Then all three are acknowledged, and reading them back shows them in each format
        assertThat(produced.err()).isEqualTo("3 records acknowledged\n");
        Result values = ok(cli("consume", topic, "--from-beginning", "--max-messages", "3"));
        assertThat(values.out()).isEqualTo("first\nsecond \"quoted\"\nthird\n");
        assertThat(values.err()).isEqualTo("Consumed 3 records.\n");
        assertThat(ok(cli("consume", topic, "--from-beginning", "--max-messages", "2", "--format", "key-value")).out())
                .isEqualTo("k1\tfirst\nk2\tsecond \"quoted\"\n");
        List<String> json = ok(cli("consume", topic, "--partition", "0", "--offset", "1", "--max-messages", "1",
                "--format", "json")).out().lines().toList();
        assertThat(json).hasSize(1);
        assertThat(json.get(0)).startsWith("{\"topic\":\"" + topic + "\",\"partition\":0,\"offset\":1,\"timestamp\":")
                .endsWith("\"key\":\"k2\",\"value\":\"second \\\"quoted\\\"\",\"headers\":[{\"key\":\"source\",\"value\":\"cli\"}]}");
        // Kafka's console-consumer properties, and exit after an idle timeout
        assertThat(ok(cli("consume", topic, "--from-beginning", "--timeout-ms", "1500", "--property", "print.key=true",
                "key.separator=|", "print.offset=true")).out()).isEqualTo("Offset:0|k1|first\nOffset:1|k2|second \"quoted\"\nOffset:2|k3|third\n");
    }

    @Test
    void aGroupConsumesToLagZeroThenItsOffsetsAreResetAndItIsDeleted() {
        // Given five records in a topic
        String topic = uniqueTopic("cli-group");
        String group = uniqueTopic("cli-group");
        createTopic(BROKER.bootstrap(), topic, 1, Map.of());
        try (KafkaProducer<String, String> p = producer(BROKER.bootstrap())) {
            for (int i = 0; i < 5; i++) {
                p.send(new ProducerRecord<>(topic, "v" + i));
            }
        }
        TopicPartition tp = new TopicPartition(topic, 0);
        try (Admin admin = admin(BROKER.bootstrap())) {
            // When the group reads all five, it has committed what it printed: lag 0
            assertThat(ok(cli("consume", topic, "--group", group, "--from-beginning", "--max-messages", "5")).out())
                    .isEqualTo("v0\nv1\nv2\nv3\nv4\n");
            String described = ok(cli("group", "describe", "--group", group, "-o", "json")).out();
            assertThat(described).as(described).contains("\"group\":\"" + group + "\"")
                    .contains("{\"topic\":\"" + topic + "\",\"partition\":0,\"committedOffset\":5,\"endOffset\":5,\"lag\":0");
            assertThat(ok(cli("group", "list")).out()).contains(group);

            // A reset without --execute only shows the plan
            Result plan = ok(cli("group", "reset-offsets", "--group", group, "--topic", topic, "--to-earliest"));
            assertThat(plan.out().lines().toList()).containsExactly("TOPIC" + " ".repeat(topic.length() - 5)
                    + "  PARTITION  CURRENT  NEW", topic + "          0        5    0");
            assertThat(plan.err()).isEqualTo("dry run: pass --execute to apply\n");
            assertThat(committed(admin, group, tp)).isEqualTo(5);

            // With --execute the committed offset moves
            Result applied = ok(cli("group", "reset-offsets", "--group", group, "--topic", topic + ":0", "--shift-by", "-2",
                    "--execute"));
            assertThat(applied.err()).isEqualTo("Reset the offsets of 1 partitions of group " + group + ".\n");
            assertThat(committed(admin, group, tp)).isEqualTo(3);

            // And the group can be deleted
            assertThat(ok(cli("group", "delete", "--group", group)).out()).isEqualTo("Deleted group " + group + ".\n");
            assertThat(get(admin.listGroups().all())).extracting(GroupListing::groupId).doesNotContain(group);
        }
    }

    @Test
    void aRunningGroupRefusesAResetAndCtrlCClosesItCleanlyCommittingWhatItPrinted() throws Exception {
        // Given a group consumer with no limit, which has printed three records
        String topic = uniqueTopic("cli-sigint");
        String group = uniqueTopic("cli-sigint");
        createTopic(BROKER.bootstrap(), topic, 1, Map.of());
        try (KafkaProducer<String, String> p = producer(BROKER.bootstrap())) {
            for (int i = 0; i < 3; i++) {
                p.send(new ProducerRecord<>(topic, "r" + i));
            }
        }
        LetterboxCli.Running consumer = LetterboxCli.start(withBootstrap("consume", topic, "--group", group,
                "--from-beginning"));
        try {
            ItSupport.await("three records printed", () -> consumer.out().lines().count() == 3);

            // While it runs, its group's offsets cannot be reset: the command says why
            Result refused = cli("group", "reset-offsets", "--group", group, "--topic", topic, "--to-earliest", "--execute");
            assertThat(refused.exitCode()).as(refused.describe()).isEqualTo(1);
            assertThat(refused.err()).startsWith("letterbox: group " + group + " has active members (state ")
                    .endsWith("): stop its consumers first, then run this again\n");

            // When the user presses Ctrl-C
            new ProcessBuilder("kill", ctrlC(consumer.process()), Long.toString(consumer.process().pid())).start()
                    .waitFor();

            // Then it exits 0 at once, says what it read, and its group committed all three
            assertThat(consumer.process().waitFor(20, TimeUnit.SECONDS)).as("exited after SIGINT").isTrue();
            assertThat(consumer.process().exitValue()).as(consumer.err()).isZero();
            assertThat(consumer.out()).isEqualTo("r0\nr1\nr2\n");
            assertThat(consumer.err()).isEqualTo("Consumed 3 records.\n");
            try (Admin admin = admin(BROKER.bootstrap())) {
                assertThat(committed(admin, group, new TopicPartition(topic, 0))).isEqualTo(3);
            }
        } finally {
            consumer.process().destroyForcibly();
        }
    }

    @Test
    void clusterDescribeShowsTheBrokerAndTheProtocol() {
        Result r = ok(cli("cluster", "describe"));
        assertThat(r.out()).containsPattern("Cluster id: +\\S+").containsPattern("Controller: +\\d+")
                .containsPattern("Topics: +\\d+").containsPattern("Version: +Kafka protocol, \\d+ APIs \\(Produce v\\d+-v\\d+, Fetch v\\d+-v\\d+\\)")
                .containsPattern("BROKER +HOST +PORT +RACK");
        String port = BROKER.bootstrap().substring(BROKER.bootstrap().lastIndexOf(':') + 1);
        assertThat(r.out()).containsPattern(" " + port + " ");
    }

    @Test
    void benchProduceConsumeAndEndToEndPrintTheirTables() {
        String topic = uniqueTopic("cli-bench");
        createTopic(BROKER.bootstrap(), topic, 2, Map.of());
        Result produce = ok(cli("bench", "produce", "--topic", topic, "--num-records", "2000", "--record-size", "64"));
        assertBenchTable(produce, "produce", 2000);
        assertThat(produce.err()).as("progress lines, not rewritten in place off a terminal")
                .doesNotContain("\r").contains("produce: 2000/2000 records");
        assertBenchTable(ok(cli("bench", "consume", "--topic", topic, "--num-records", "2000")), "consume", 2000);
        assertBenchTable(ok(cli("bench", "e2e", "--topic", topic, "--num-records", "300", "--throughput", "300")), "e2e", 300);
        String json = ok(cli("bench", "consume", "--topic", topic, "--num-records", "100", "-o", "json")).out();
        assertThat(json).startsWith("{\"benchmark\":\"consume\",\"records\":").contains("\"p99Ms\":");
    }

    private static void assertBenchTable(Result r, String name, int records) {
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).as(r.describe())
                .matches("BENCHMARK +RECORDS +SECONDS +RECORDS/S +MIB/S +P50 MS +P99 MS +P99\\.9 MS +MAX MS");
        assertThat(lines.get(1)).as(r.describe()).matches(name + " +" + records + "( +\\d+(\\.\\d+)?){7}");
    }

    @Test
    void completionPrintsABashScript() {
        Result r = ok(LetterboxCli.run("completion", "bash"));
        assertThat(r.out()).contains("complete -F").contains("reset-offsets").contains("--from-beginning");
    }

    @Test
    void noBrokerNoTopicAndBadUsageAreOneLineWithTheirExitCodes() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String nowhere = "127.0.0.1:" + closedPort;
        // The JVMs do not need each other: start them all at once.
        CompletableFuture<Result> noBroker = ItSupport.async(
                () -> LetterboxCli.run("topic", "list", "--bootstrap-server", nowhere));
        String missingTopic = uniqueTopic("cli-missing");
        CompletableFuture<Result> noTopic = ItSupport.async(() -> cli("consume", missingTopic));
        Map<String, String[]> badUsage = Map.of(
                "Unknown options: '--partitionz'", new String[] {"topic", "create", "t", "--partitionz", "3"},
                "Missing required parameter: 'TOPIC'", new String[] {"consume"},
                "Invalid value for option '--max-messages': 'ten' is not a long",
                new String[] {"consume", "t", "--max-messages", "ten"},
                "--to-earliest, --to-latest are mutually exclusive", new String[] {"group", "reset-offsets",
                    "--group", "g", "--topic", "t", "--to-earliest", "--to-latest"});
        Map<String, CompletableFuture<Result>> running = new java.util.HashMap<>();
        badUsage.forEach((reason, args) -> running.put(reason, ItSupport.async(() -> LetterboxCli.run(args))));

        Result none = noBroker.get(LetterboxCli.TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS);
        assertThat(none.exitCode()).as(none.describe()).isEqualTo(1);
        assertThat(none.err()).isEqualTo("letterbox: no broker at " + nowhere
                + ": start one with `bin/letterbox server start` or pass --bootstrap-server\n");
        Result missing = noTopic.get(LetterboxCli.TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS);
        assertThat(missing.exitCode()).as(missing.describe()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("letterbox: topic " + missingTopic
                + " does not exist: create it with `letterbox topic create " + missingTopic + "`\n");
        for (Map.Entry<String, CompletableFuture<Result>> e : running.entrySet()) {
            Result r = e.getValue().get(LetterboxCli.TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS);
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
            List<String> lines = r.err().lines().toList();
            assertThat(lines).as(r.describe()).hasSize(2);
            assertThat(lines.get(0)).startsWith("letterbox: ").contains(e.getKey());
            assertThat(lines.get(1)).startsWith("Try 'letterbox ").endsWith(" --help'.");
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void benchShowsItsProgressInPlaceOnATerminalAndThenTheTable() throws Exception {
        Assumptions.assumeTrue(commandExists("tmux"), "tmux is not installed (CI installs it: .ci/run)");
        String topic = uniqueTopic("cli-tmux");
        createTopic(BROKER.bootstrap(), topic, 1, Map.of());
        // A script, because the class path is too long for a comfortable tmux command line
        Path dir = ItSupport.tempDir("cli-tmux");
        Path script = dir.resolve("bench.sh");
        List<String> cmd = LetterboxCli.command(List.of("bench", "produce", "--topic", topic, "--num-records", "4000",
                "--throughput", "1000", "--record-size", "50", "--bootstrap-server", BROKER.bootstrap()));
        Files.writeString(script, cmd.stream().map(CliIT::shellQuote).collect(Collectors.joining(" "))
                + "\necho \"EXIT=$?\"\nsleep 60\n");
        String session = "lbcli" + ProcessHandle.current().pid();
        exec("tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "40", "bash " + script);
        try {
            // While it runs: one progress line whose numbers change in place
            List<String> seen = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
            String screen = "";
            while (System.nanoTime() < deadline && !screen.contains("EXIT=")) {
                screen = exec("tmux", "capture-pane", "-p", "-t", session);
                List<String> progress = screen.lines().filter(l -> l.startsWith("produce: ")).toList();
                assertThat(progress).as("progress lines on screen:\n%s", screen).hasSizeLessThanOrEqualTo(1);
                if (progress.size() == 1 && !seen.contains(progress.get(0))) {
                    seen.add(progress.get(0));
                }
                Thread.sleep(150);
            }
            assertThat(screen).as(screen).contains("EXIT=0");
            assertThat(seen).as("distinct states of the progress line").hasSizeGreaterThanOrEqualTo(2);
            // After it: the last progress state and the table
            assertThat(screen).contains("produce: 4000/4000 records")
                    .containsPattern("BENCHMARK +RECORDS +SECONDS +RECORDS/S")
                    .containsPattern("produce +4000 ");
        } finally {
            exec("tmux", "kill-session", "-t", session);
            ItSupport.deleteRecursively(dir);
        }
    }

    private static long committed(Admin admin, String group, TopicPartition tp) {
        OffsetAndMetadata om = get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()).get(tp);
        return om == null ? -1 : om.offset();
    }

    private static boolean commandExists(String name) {
        try {
            return new ProcessBuilder("sh", "-c", "command -v " + name).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " hung");
        }
        return out;
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /**
     * The signal that stands for Ctrl-C: SIGINT, unless this test runs where SIGINT is ignored (a build
     * started in the background by a non-interactive shell): children inherit that and the JVM cannot
     * undo it, so SIGTERM, which the command handles the same way, stands in.
     */
    private static String ctrlC(Process p) throws IOException {
        String sigIgn = Files.readAllLines(Path.of("/proc/" + p.pid() + "/status")).stream()
                .filter(l -> l.startsWith("SigIgn:")).findFirst().orElse("SigIgn: 0").substring(7).trim();
        boolean intIgnored = (Long.parseUnsignedLong(sigIgn, 16) & (1L << 1)) != 0;
        return intIgnored ? "-TERM" : "-INT";
    }
}
