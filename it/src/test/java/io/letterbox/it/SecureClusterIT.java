package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.get;
import static io.letterbox.it.support.ItSupport.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.TestCertificates;
import io.letterbox.it.support.ThreeNodeCluster;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Three-node clusters whose every listener but the controller's is secured, so that followers
 * fetch from leaders over it: TLS, and TLS with a SASL/PLAIN login. A topic with
 * {@code min.insync.replicas=3} takes {@code acks=all} records only once both followers fetched them.
 */
class SecureClusterIT {

    @Test
    void followersFetchOverTls() {
        replicatesAcrossThree("tls-cluster", "SSL", Map.of(), false);
    }

    @Test
    void followersLogInWithSaslPlainOverTls() {
        String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"broker\" "
                + "password=\"broker-secret\" user_broker=\"broker-secret\" user_alice=\"alice-secret\";";
        replicatesAcrossThree("sasl-cluster", "SASL_SSL",
                Map.of("listener.name.plaintext.plain.sasl.jaas.config", jaas), true);
    }

    private static void replicatesAcrossThree(String name, String protocol, Map<String, String> extra, boolean sasl) {
        Path dir = ItSupport.tempDir(name);
        TestCertificates certs = TestCertificates.create(dir);
        Map<String, String> overrides = new HashMap<>(certs.brokerSettings());
        overrides.putAll(extra);
        // The listener the cluster names PLAINTEXT carries clients and followers alike
        overrides.put("listener.security.protocol.map", "PLAINTEXT:" + protocol + ",CONTROLLER:PLAINTEXT");
        Map<String, Object> client = new HashMap<>(certs.clientSettings(false));
        client.put("security.protocol", protocol);
        if (sasl) {
            client.put("sasl.mechanism", "PLAIN");
            client.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                    + "username=\"alice\" password=\"alice-secret\";");
        }
        try (ThreeNodeCluster cluster = new ThreeNodeCluster(name, overrides).start()) {
            String topic = uniqueTopic(name);
            try (Admin admin = ItSupport.admin(cluster.bootstrap(), client)) {
                get(admin.createTopics(List.of(new NewTopic(topic, 3, (short) 3)
                        .configs(Map.of("min.insync.replicas", "3")))).all());
                ItSupport.await("every replica in sync", () -> get(admin.describeTopics(List.of(topic))
                        .allTopicNames()).get(topic).partitions().stream().allMatch(p -> p.isr().size() == 3));
            }
            Map<String, Object> producerSettings = new HashMap<>(client);
            producerSettings.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<String, String> producer = ItSupport.producer(cluster.bootstrap(), producerSettings)) {
                for (int i = 0; i < TlsIT.RECORDS; i++) {
                    producer.send(new ProducerRecord<>(topic, "k" + i, i + TlsIT.VALUE));
                }
                producer.flush();
            }
            TlsIT.assertReadsEverything(cluster.bootstrap(), client, topic);
            try (Admin admin = ItSupport.admin(cluster.bootstrap(), client)) {
                assertThat(get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic).partitions())
                        .allSatisfy(p -> assertThat(p.isr()).hasSize(3));
            }
        } finally {
            ItSupport.deleteRecursively(dir);
        }
    }
}
