package io.letterbox.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SASL/PLAIN listeners in the broker's configuration: users from Kafka's JAAS line, and what stops a start. */
class SaslConfigTest {

    private static final String JAAS_KEY = "listener.name.sasl_plaintext.plain.sasl.jaas.config";
    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "user_alice=\"alice-secret\" user_bob=\"b\\\"ob\";";

    @TempDir
    Path dir;

    private Map<String, String> saslListener(String jaas) {
        Map<String, String> props = new HashMap<>(Map.of("listeners", "SASL_PLAINTEXT://127.0.0.1:9092",
                "log.dirs", dir.toString()));
        if (jaas != null) {
            props.put(JAAS_KEY, jaas);
        }
        return props;
    }

    @Test
    void theJaasLineNamesTheUsersAndTheirPasswords() {
        BrokerConfig config = BrokerConfig.parse(saslListener(JAAS));
        ListenerSecurity security = config.security("SASL_PLAINTEXT");

        assertThat(security.protocol()).isEqualTo(SecurityProtocol.SASL_PLAINTEXT);
        assertThat(security.sasl()).isTrue();
        assertThat(security.tls()).isNull();
        PlainUsers users = security.plainUsers();
        assertThat(users.authenticate("alice", "alice-secret".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(users.authenticate("bob", "b\"ob".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(users.authenticate("alice", "bob-secret".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(users.authenticate("alice", new byte[0])).isFalse();
        assertThat(users.authenticate("carol", new byte[0])).isFalse();
    }

    @Test
    void whatStopsAStartNamesTheKeyAndWhatToDo() {
        assertThatThrownBy(() -> BrokerConfig.parse(saslListener(null))).isInstanceOf(ConfigException.class)
                .hasMessageContaining(JAAS_KEY).hasMessageContaining("user_alice=");
        assertThatThrownBy(() -> BrokerConfig.parse(saslListener("not a jaas line")))
                .hasMessageContaining(JAAS_KEY).hasMessageContaining("not a JAAS line")
                .hasMessageNotContaining("not a jaas line");
        assertThatThrownBy(() -> BrokerConfig.parse(saslListener(
                "org.apache.kafka.common.security.scram.ScramLoginModule required;")))
                .hasMessageContaining("PlainLoginModule");
        assertThatThrownBy(() -> BrokerConfig.parse(saslListener(
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\";")))
                .hasMessageContaining("names no user");

        Map<String, String> scram = saslListener(JAAS);
        scram.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512");
        assertThatThrownBy(() -> BrokerConfig.parse(scram)).hasMessageContaining("SCRAM-SHA-512 is not supported yet");

        Map<String, String> cluster = saslListener(JAAS);
        cluster.put("listeners", "SASL_PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093");
        cluster.put("controller.listener.names", "CONTROLLER");
        cluster.put("controller.quorum.voters", "1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097");
        assertThatThrownBy(() -> BrokerConfig.parse(cluster)).as("followers need a login on a SASL inter-broker listener")
                .hasMessageContaining(JAAS_KEY).hasMessageContaining("username=");
        cluster.put(JAAS_KEY, JAAS.replace("required", "required username=\"alice\" password=\"alice-secret\""));
        assertThat(BrokerConfig.parse(cluster).replication().interBrokerLogin())
                .isEqualTo(new PlainUsers.Login("alice", "alice-secret"));
        cluster.put("sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-256");
        assertThatThrownBy(() -> BrokerConfig.parse(cluster)).hasMessageContaining("only PLAIN");
    }
}
