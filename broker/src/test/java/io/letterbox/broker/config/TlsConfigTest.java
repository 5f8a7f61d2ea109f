package io.letterbox.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SSL listeners in the broker's configuration: protocols per listener, stores, and the errors that stop a start. */
class TlsConfigTest {

    private static final String PASSWORD = "changeit";

    @TempDir
    static Path dir;
    private static Path keystore;

    @BeforeAll
    static void makeKeystore() throws Exception {
        keystore = dir.resolve("broker.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "broker", "-keyalg", "EC", "-validity", "2", "-dname", "CN=localhost",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0).as("keytool: %s", out).isTrue();
    }

    private static Map<String, String> withListeners(String listeners) {
        return new HashMap<>(Map.of("listeners", listeners, "log.dirs", dir.toString()));
    }

    private static Map<String, String> withStore(String listeners) {
        Map<String, String> props = withListeners(listeners);
        props.put("ssl.keystore.location", keystore.toString());
        props.put("ssl.keystore.password", PASSWORD);
        props.put("ssl.keystore.type", "PKCS12");
        return props;
    }

    @Test
    void aListenerNamedSslIsTlsAndOthersArePlaintextUnlessMapped() {
        BrokerConfig config = BrokerConfig.parse(withStore(
                "PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.1:9093,INTERNAL://127.0.0.1:9094"));

        assertThat(config.securityProtocol("PLAINTEXT")).isEqualTo(SecurityProtocol.PLAINTEXT);
        assertThat(config.securityProtocol("SSL")).isEqualTo(SecurityProtocol.SSL);
        assertThat(config.securityProtocol("INTERNAL")).isEqualTo(SecurityProtocol.PLAINTEXT);
        assertThat(config.tls("SSL")).isNotNull();
        assertThat(config.tls("PLAINTEXT")).isNull();

        Map<String, String> mapped = withStore("CLIENTS://127.0.0.1:9093");
        mapped.put("listener.security.protocol.map", "CLIENTS:SSL");
        assertThat(BrokerConfig.parse(mapped).securityProtocol("CLIENTS")).isEqualTo(SecurityProtocol.SSL);
    }

    @Test
    void aListenerPrefixedKeyWinsForThatListenerOnly() {
        Map<String, String> props = withListeners("A://127.0.0.1:9092,B://127.0.0.1:9093");
        props.put("listener.security.protocol.map", "A:SSL,B:SSL");
        props.put("ssl.keystore.location", keystore.toString());
        props.put("ssl.keystore.type", "PKCS12");
        props.put("ssl.keystore.password", PASSWORD);
        // A's own password is wrong: only A fails
        props.put("listener.name.a.ssl.keystore.password", "wrong");

        assertThatThrownBy(() -> BrokerConfig.parse(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("ssl.keystore.location").hasMessageContaining("wrong password");
        props.put("listener.name.a.ssl.keystore.password", PASSWORD);
        props.put("listener.name.b.ssl.client.auth", "required");

        assertThatThrownBy(() -> BrokerConfig.parse(props)).as("client certificates need a trust store")
                .isInstanceOf(ConfigException.class).hasMessageContaining("ssl.truststore.location");
    }

    @Test
    void whatStopsAStartNamesTheKeyAndWhatToDo() {
        assertThatThrownBy(() -> BrokerConfig.parse(withListeners("SSL://127.0.0.1:9093")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("set ssl.keystore.location");

        Map<String, String> missing = withStore("SSL://127.0.0.1:9093");
        missing.put("ssl.keystore.location", dir.resolve("nowhere.p12").toString());
        assertThatThrownBy(() -> BrokerConfig.parse(missing)).hasMessageContaining("no such file");

        Map<String, String> pem = withStore("SSL://127.0.0.1:9093");
        pem.put("ssl.keystore.type", "PEM");
        assertThatThrownBy(() -> BrokerConfig.parse(pem)).hasMessageContaining("use PKCS12 or JKS");


        Map<String, String> unknown = withListeners("PLAINTEXT://127.0.0.1:9092");
        unknown.put("listener.security.protocol.map", "PLAINTEXT:TLS");
        assertThatThrownBy(() -> BrokerConfig.parse(unknown)).hasMessageContaining("unknown security protocol TLS");

        Map<String, String> controller = withStore("PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093");
        controller.put("controller.listener.names", "CONTROLLER");
        controller.put("controller.quorum.voters", "1@127.0.0.1:9093");
        controller.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:SSL");
        assertThatThrownBy(() -> BrokerConfig.parse(controller)).hasMessageContaining("must be PLAINTEXT");

        Map<String, String> typo = withListeners("PLAINTEXT://127.0.0.1:9092");
        typo.put("listener.name.plaintext.ssl.keystore.locaton", "x");
        assertThatThrownBy(() -> BrokerConfig.parse(typo)).hasMessageContaining("Unknown configuration");
    }
}
