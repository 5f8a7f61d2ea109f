package io.letterbox.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed certificates for TLS tests, made with the JDK's {@code keytool}: a broker key store
 * whose certificate names {@code localhost} and {@code 127.0.0.1}, a client key store, and trust
 * stores holding the other side's certificate, all PKCS12 under one password. {@code brokerPem}
 * is the broker's certificate for clients that take PEM (kcat, confluent-kafka).
 */
public record TestCertificates(Path brokerKeystore, Path brokerTruststore, Path clientKeystore,
        Path clientTruststore, Path brokerPem) {

    public static final String PASSWORD = "letterbox-test";

    /** Makes them in {@code dir} (a few seconds: keytool generates RSA keys). */
    public static TestCertificates create(Path dir) {
        TestCertificates c = new TestCertificates(dir.resolve("broker.p12"), dir.resolve("broker-trust.p12"),
                dir.resolve("client.p12"), dir.resolve("client-trust.p12"), dir.resolve("broker.pem"));
        Path clientPem = dir.resolve("client.pem");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-keystore", c.brokerKeystore);
        keytool("-genkeypair", "-alias", "client", "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
                "-dname", "CN=letterbox-test-client", "-keystore", c.clientKeystore);
        keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", c.brokerKeystore, "-file", c.brokerPem);
        keytool("-exportcert", "-rfc", "-alias", "client", "-keystore", c.clientKeystore, "-file", clientPem);
        keytool("-importcert", "-noprompt", "-alias", "broker", "-file", c.brokerPem, "-keystore", c.clientTruststore);
        keytool("-importcert", "-noprompt", "-alias", "client", "-file", clientPem, "-keystore", c.brokerTruststore);
        // The brokers of a cluster share the certificate, so a follower trusts its leader too
        keytool("-importcert", "-noprompt", "-alias", "broker", "-file", c.brokerPem, "-keystore", c.brokerTruststore);
        return c;
    }

    /** The broker settings of an SSL listener with these stores (client certificates trusted, not asked for). */
    public Map<String, String> brokerSettings() {
        return Map.of("ssl.keystore.location", brokerKeystore.toString(), "ssl.keystore.password", PASSWORD,
                "ssl.keystore.type", "PKCS12", "ssl.truststore.location", brokerTruststore.toString(),
                "ssl.truststore.password", PASSWORD, "ssl.truststore.type", "PKCS12");
    }

    /** Builds and starts the broker of {@code builder} with {@link #brokerSettings()} added. */
    public BrokerProcess startBroker(BrokerProcess.Builder builder) {
        brokerSettings().forEach(builder::override);
        BrokerProcess broker = builder.build();
        broker.start();
        return broker;
    }

    /** Java client settings for an SSL connection that trusts the broker, with a client certificate or without. */
    public Map<String, Object> clientSettings(boolean withCertificate) {
        Map<String, Object> m = new java.util.HashMap<>(Map.of("security.protocol", "SSL",
                "ssl.truststore.location", clientTruststore.toString(), "ssl.truststore.password", PASSWORD,
                "ssl.truststore.type", "PKCS12"));
        if (withCertificate) {
            m.putAll(Map.of("ssl.keystore.location", clientKeystore.toString(), "ssl.keystore.password", PASSWORD,
                    "ssl.keystore.type", "PKCS12"));
        }
        return m;
    }

    private static void keytool(Object... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        for (Object a : args) {
            cmd.add(a.toString());
        }
        cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + cmd + "\n" + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
