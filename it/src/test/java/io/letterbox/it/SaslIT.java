package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.createTopic;
import static io.letterbox.it.support.ItSupport.failureOf;
import static io.letterbox.it.support.ItSupport.get;
import static io.letterbox.it.support.ItSupport.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerProcess;
import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.RawConnection;
import io.letterbox.it.support.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.requests.SaslHandshakeResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SASL/PLAIN with unmodified clients: one broker with a PLAINTEXT listener, a SASL_PLAINTEXT one
 * and a SASL_SSL one, each SASL listener with its users in Kafka's JAAS line.
 */
class SaslIT {

    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "user_alice=\"alice-secret\" user_bob=\"bob-secret\";";

    private static Path dir;
    private static TestCertificates certs;
    private static BrokerProcess broker;
    private static String sasl;
    private static String saslTls;

    @BeforeAll
    static void start() {
        dir = ItSupport.tempDir("sasl");
        certs = TestCertificates.create(dir);
        int plainPort = ItSupport.freePort();
        int saslPort = ItSupport.freePort();
        int saslTlsPort = ItSupport.freePort();
        sasl = "127.0.0.1:" + saslPort;
        saslTls = "127.0.0.1:" + saslTlsPort;
        BrokerProcess.Builder b = BrokerProcess.builder("sasl").port(plainPort)
                .override("listeners", "PLAINTEXT://127.0.0.1:" + plainPort + ",SASL_PLAINTEXT://" + sasl
                        + ",SASL_SSL://" + saslTls)
                .override("sasl.enabled.mechanisms", "PLAIN")
                .override("listener.name.sasl_plaintext.plain.sasl.jaas.config", JAAS)
                .override("listener.name.sasl_ssl.plain.sasl.jaas.config", JAAS);
        broker = certs.startBroker(b);
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
        ItSupport.deleteRecursively(dir);
    }

    private static Map<String, Object> plain(String protocol, String user, String password) {
        Map<String, Object> m = new HashMap<>(protocol.equals("SASL_SSL") ? certs.clientSettings(false) : Map.of());
        m.put("security.protocol", protocol);
        m.put("sasl.mechanism", "PLAIN");
        m.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                + user + "\" password=\"" + password + "\";");
        return m;
    }

    @Test
    void aKnownUserProducesAndConsumesOverSaslPlaintextAndSaslSsl() {
        String topic = uniqueTopic("sasl");
        createTopic(broker.bootstrap(), topic, 2, Map.of());
        try (KafkaProducer<String, String> producer = ItSupport.producer(sasl, plain("SASL_PLAINTEXT", "alice",
                "alice-secret"))) {
            for (int i = 0; i < 200; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
            }
            producer.flush();
        }
        try (KafkaConsumer<String, String> consumer = ItSupport.consumer(saslTls, plain("SASL_SSL", "bob",
                "bob-secret"))) {
            List<ConsumerRecord<String, String>> read = ItSupport.readAll(consumer, topic);
            assertThat(read).hasSize(200).allSatisfy(r -> assertThat(r.value()).isEqualTo("v" + r.key().substring(1)));
        }
    }

    @Test
    void aWrongPasswordIsRefusedWithKafkasErrorAndOneLogLine() {
        try (Admin admin = ItSupport.admin(sasl, plain("SASL_PLAINTEXT", "alice", "guess"))) {
            assertThat(failureOf(admin.describeCluster().nodes())).isInstanceOf(SaslAuthenticationException.class)
                    .hasMessageContaining("Invalid username or password");
        }
        ItSupport.await("the refusal logged", () -> broker.output().contains("authentication failed for user alice"));
        try (Admin admin = ItSupport.admin(sasl, plain("SASL_PLAINTEXT", "mallory", "alice-secret"))) {
            assertThat(failureOf(admin.describeCluster().nodes())).isInstanceOf(SaslAuthenticationException.class);
        }
    }

    @Test
    void nothingButApiVersionsAndTheHandshakeIsServedBeforeAuthenticating() {
        try (RawConnection raw = new RawConnection(sasl)) {
            raw.writeFrame(new MetadataRequest.Builder(List.of(), false).build((short) 12)
                    .serializeWithHeader(new RequestHeader(ApiKeys.METADATA, (short) 12, "raw", 1)));
            raw.assertClosedByBroker();
        }
        ItSupport.await("the reason logged", () -> broker.output().contains("METADATA before authenticating"));
        try (RawConnection raw = new RawConnection(sasl)) {
            SaslHandshakeResponse r = raw.send(new SaslHandshakeRequest.Builder(
                    new SaslHandshakeRequestData().setMechanism("SCRAM-SHA-256")).build((short) 1));
            assertThat(Errors.forCode(r.data().errorCode())).isEqualTo(Errors.UNSUPPORTED_SASL_MECHANISM);
            assertThat(r.data().mechanisms()).containsExactly("PLAIN");
        }
        try (RawConnection raw = new RawConnection(broker.bootstrap())) {
            SaslHandshakeResponse r = raw.send(new SaslHandshakeRequest.Builder(
                    new SaslHandshakeRequestData().setMechanism("PLAIN")).build((short) 1));
            assertThat(Errors.forCode(r.data().errorCode())).as("SASL on a plaintext listener")
                    .isEqualTo(Errors.ILLEGAL_SASL_STATE);
        }
        assertThat(broker.isAlive()).isTrue();
    }

    /** librdkafka: kcat authenticates with PLAIN and lists the broker at the SASL listener's address. */
    @Test
    void kcatAuthenticatesWithPlain() throws Exception {
        String kcat = ItSupport.onPath("kcat", "kafkacat");
        ItSupport.requireInstalled(kcat != null, "kcat (apt-get install -y kcat)");
        Path out = dir.resolve("kcat-sasl.out");
        Process p = new ProcessBuilder(kcat, "-b", sasl, "-X", "security.protocol=sasl_plaintext",
                "-X", "sasl.mechanisms=PLAIN", "-X", "sasl.username=bob", "-X", "sasl.password=bob-secret", "-L")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("kcat ended").isTrue();
        String listed = Files.readString(out);
        assertThat(p.exitValue()).as("kcat's exit code; it printed %s", listed).isZero();
        assertThat(listed).contains(" 1 brokers:").contains("at " + sasl);
        try (Admin admin = ItSupport.admin(sasl, plain("SASL_PLAINTEXT", "bob", "bob-secret"))) {
            assertThat(get(admin.describeCluster().nodes())).singleElement()
                    .satisfies(n -> assertThat(n.host() + ":" + n.port()).isEqualTo(sasl));
        }
    }
}
