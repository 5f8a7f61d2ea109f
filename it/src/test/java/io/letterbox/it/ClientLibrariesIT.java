package io.letterbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerExtension;
import io.letterbox.it.support.ItSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The non-Java client libraries people run against Kafka, unmodified, against the broker:
 * confluent-kafka (librdkafka) and kafka-python from Python, KafkaJS from Node.js. Each runs a
 * script of {@code src/test/clients/} that creates a topic, produces keyed compressed records,
 * reads them back in a consumer group in per-key order, commits, checks the committed offsets
 * and deletes the topic. CI installs the libraries (.ci/run); on a developer machine without
 * one its test is skipped, in CI it fails.
 */
class ClientLibrariesIT {

    @RegisterExtension
    static final BrokerExtension BROKER = new BrokerExtension("client-libraries");

    /** Debian's packages install the Python libraries for the system interpreter, not for a pyenv one. */
    private static final String PYTHON = "/usr/bin/python3";
    private static final long TIMEOUT_S = 150;
    private static final Path CLIENTS = ItSupport.targetDir().resolveSibling("src/test/clients");

    @Test
    void confluentKafkaForPython() {
        requirePythonModule("confluent_kafka", "python3-confluent-kafka");
        assertThat(run(PYTHON, CLIENTS.resolve("confluent_kafka_check.py").toString(), BROKER.bootstrap()))
                .contains("confluent-kafka OK 3000");
    }

    @Test
    void kafkaPython() {
        requirePythonModule("kafka", "python3-kafka");
        assertThat(run(PYTHON, CLIENTS.resolve("kafka_python_check.py").toString(), BROKER.bootstrap()))
                .contains("kafka-python OK 2000");
    }

    @Test
    void kafkaJs() {
        Path dir = CLIENTS.resolve("kafkajs");
        ItSupport.requireInstalled(Files.isDirectory(dir.resolve("node_modules/kafkajs"))
                && exitsCleanly("node", "--version"), "Node.js and KafkaJS (npm ci --prefix " + dir + ")");
        assertThat(run("node", dir.resolve("check.js").toString(), BROKER.bootstrap())).contains("kafkajs OK 2000");
    }

    private static void requirePythonModule(String module, String debianPackage) {
        ItSupport.requireInstalled(exitsCleanly(PYTHON, "-c", "import " + module),
                "the Debian package " + debianPackage + " (apt-get install -y " + debianPackage + ")");
    }

    private static boolean exitsCleanly(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs a check script to its end and returns what it printed; fails with its output if it fails. */
    private static String run(String... command) {
        try {
            Path out = Files.createTempFile(ItSupport.tempDir("client"), "output", ".txt");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            boolean ended = p.waitFor(TIMEOUT_S, TimeUnit.SECONDS);
            if (!ended) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String output = Files.readString(out);
            ItSupport.deleteRecursively(out.getParent());
            if (!ended || p.exitValue() != 0) {
                throw new AssertionError(List.of(command) + (ended ? " exited with " + p.exitValue()
                        : " did not end in " + TIMEOUT_S + " s") + ":\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
