package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.createTopic;
import static io.letterbox.it.support.ItSupport.failureOf;
import static io.letterbox.it.support.ItSupport.get;
import static io.letterbox.it.support.ItSupport.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerProcess;
import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.TestCertificates;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SSL listeners with the Java client: one broker with a PLAINTEXT, an SSL and a mutual-TLS
 * listener (an SSL listener named MTLS whose {@code listener.name.mtls.ssl.client.auth=required}).
 * Replication over TLS is {@link SecureClusterIT}'s.
 */
class TlsIT {

    static final int RECORDS = 3000;
    /** Larger than a TLS record, so that a fetch answer spans many file chunks. */
    static final String VALUE = "v".repeat(1000);

    private static Path dir;
    private static TestCertificates certs;
    private static BrokerProcess broker;
    private static int tlsPort;
    private static int mutualPort;

    @BeforeAll
    static void start() {
        dir = ItSupport.tempDir("tls");
        certs = TestCertificates.create(dir);
        int plainPort = ItSupport.freePort();
        tlsPort = ItSupport.freePort();
        mutualPort = ItSupport.freePort();
        BrokerProcess.Builder b = BrokerProcess.builder("tls").port(plainPort)
                .override("listeners", "PLAINTEXT://127.0.0.1:" + plainPort + ",SSL://127.0.0.1:" + tlsPort
                        + ",MTLS://127.0.0.1:" + mutualPort)
                .override("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SSL:SSL,MTLS:SSL")
                .override("listener.name.mtls.ssl.client.auth", "required");
        broker = certs.startBroker(b);
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
        ItSupport.deleteRecursively(dir);
    }

    private static String tls() {
        return "127.0.0.1:" + tlsPort;
    }

    @Test
    void recordsProducedOverTlsAreReadOverTlsAndPlaintextAlike() {
        String topic = uniqueTopic("tls");
        createTopic(broker.bootstrap(), topic, 2, Map.of());

        try (KafkaProducer<String, String> producer = ItSupport.producer(tls(), new HashMap<>(certs.clientSettings(false)))) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, i + VALUE));
            }
            producer.flush();
        }

        assertReadsEverything(tls(), certs.clientSettings(false), topic);
        assertReadsEverything(broker.bootstrap(), Map.of(), topic);
    }

    @Test
    void eachListenerAdvertisesItsOwnAddress() {
        try (Admin admin = ItSupport.admin(tls(), certs.clientSettings(false))) {
            Collection<Node> nodes = get(admin.describeCluster().nodes());
            assertThat(nodes).singleElement().satisfies(n -> assertThat(n.port()).isEqualTo(tlsPort));
        }
    }

    @Test
    void aClientThatDoesNotTrustTheBrokerIsRefusedAtTheHandshake() {
        Map<String, Object> untrusting = Map.of("security.protocol", "SSL");
        try (Admin admin = ItSupport.admin(tls(), untrusting)) {
            assertThat(failureOf(admin.describeCluster().nodes())).isInstanceOf(SslAuthenticationException.class);
        }
    }

    @Test
    void theMutualTlsListenerTakesOnlyClientsWithATrustedCertificate() {
        String mutual = "127.0.0.1:" + mutualPort;
        try (Admin admin = ItSupport.admin(mutual, certs.clientSettings(true))) {
            assertThat(get(admin.describeCluster().nodes())).singleElement()
                    .satisfies(n -> assertThat(n.port()).isEqualTo(mutualPort));
        }
        try (Admin admin = ItSupport.admin(mutual, certs.clientSettings(false))) {
            assertThat(failureOf(admin.describeCluster().nodes())).isInstanceOf(SslAuthenticationException.class);
        }
    }

    @Test
    void plaintextOnTheTlsPortIsClosedWithOneLineAndTheBrokerServesOn() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", tlsPort), 5000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            // An ApiVersions v3 request in the clear: size, api key 18, version 3, correlation id 1
            out.write(new byte[] {0, 0, 0, 10, 0, 18, 0, 3, 0, 0, 0, 1, 0, 0});
            out.flush();
            InputStream in = s.getInputStream();
            int read;
            do {
                read = in.read(new byte[512]);
            } while (read > 0);
            assertThat(read).as("the broker closes the connection").isEqualTo(-1);
        }
        ItSupport.await("the handshake failure logged", () -> broker.output().contains("it does not speak TLS"));
        assertThat(broker.output().lines().filter(l -> l.contains("it does not speak TLS")))
                .singleElement().asString().contains("Closing connection from /127.0.0.1");
        assertThat(broker.isAlive()).isTrue();
        eachListenerAdvertisesItsOwnAddress();
    }

    /** librdkafka over TLS: kcat lists the broker at its SSL address and reads what the Java client wrote. */
    @Test
    void kcatReadsOverTls() throws Exception {
        String kcat = ItSupport.onPath("kcat", "kafkacat");
        ItSupport.requireInstalled(kcat != null, "kcat (apt-get install -y kcat)");
        String topic = uniqueTopic("tls-kcat");
        createTopic(broker.bootstrap(), topic, 1, Map.of());
        try (KafkaProducer<String, String> producer = ItSupport.producer(broker.bootstrap())) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, i + VALUE));
            }
        }
        Path out = dir.resolve("kcat.out");
        Process p = new ProcessBuilder(kcat, "-b", tls(), "-X", "security.protocol=ssl",
                "-X", "ssl.ca.location=" + certs.brokerPem(), "-C", "-t", topic, "-o", "beginning", "-e", "-q",
                "-f", "%k\n").redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).as("kcat ended").isTrue();
        List<String> keys = java.nio.file.Files.readAllLines(out);
        assertThat(p.exitValue()).as("kcat's exit code; it printed %s", keys).isZero();
        assertThat(keys).hasSize(100).startsWith("k0", "k1").endsWith("k99");
    }

    /** Reads {@code topic} back with {@code settings}: every one of the records the tests write, intact. */
    static void assertReadsEverything(String bootstrap, Map<String, Object> settings, String topic) {
        try (KafkaConsumer<String, String> consumer = ItSupport.consumer(bootstrap, settings)) {
            List<ConsumerRecord<String, String>> read = new ArrayList<>(ItSupport.readAll(consumer, topic));
            assertThat(read).hasSize(RECORDS);
            assertThat(read).allSatisfy(r -> assertThat(r.value()).endsWith(VALUE)
                    .isEqualTo(r.key().substring(1) + VALUE));
        }
    }
}
