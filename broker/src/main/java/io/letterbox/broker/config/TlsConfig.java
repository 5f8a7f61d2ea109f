package io.letterbox.broker.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

import org.apache.kafka.common.config.ConfigException;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;

/**
 * The TLS settings of one SSL listener, with Kafka's key names: {@code ssl.keystore.*} (the
 * broker's certificate and key), {@code ssl.truststore.*} (whom it trusts: clients under
 * {@code ssl.client.auth}, leaders it fetches from), {@code ssl.client.auth},
 * {@code ssl.protocol}, {@code ssl.enabled.protocols}, {@code ssl.cipher.suites} and
 * {@code ssl.endpoint.identification.algorithm}. Each key may be set for one listener as
 * {@code listener.name.<listener in lower case>.<key>}, which wins over the plain key, as in Kafka.
 *
 * <p>Stores are read once, when the broker starts; a wrong path or password stops the start with
 * the key named.
 */
public final class TlsConfig {

    public static final String KEYSTORE_TYPE = "ssl.keystore.type";
    public static final String KEYSTORE_LOCATION = "ssl.keystore.location";
    public static final String KEYSTORE_PASSWORD = "ssl.keystore.password";
    public static final String KEY_PASSWORD = "ssl.key.password";
    public static final String TRUSTSTORE_TYPE = "ssl.truststore.type";
    public static final String TRUSTSTORE_LOCATION = "ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "ssl.truststore.password";
    public static final String CLIENT_AUTH = "ssl.client.auth";
    public static final String PROTOCOL = "ssl.protocol";
    public static final String ENABLED_PROTOCOLS = "ssl.enabled.protocols";
    public static final String CIPHER_SUITES = "ssl.cipher.suites";
    public static final String ENDPOINT_IDENTIFICATION = "ssl.endpoint.identification.algorithm";

    /** The keys a {@code listener.name.<listener>.} prefix may carry. */
    public static final List<String> KEYS = List.of(KEYSTORE_TYPE, KEYSTORE_LOCATION, KEYSTORE_PASSWORD, KEY_PASSWORD,
            TRUSTSTORE_TYPE, TRUSTSTORE_LOCATION, TRUSTSTORE_PASSWORD, CLIENT_AUTH, PROTOCOL, ENABLED_PROTOCOLS,
            CIPHER_SUITES, ENDPOINT_IDENTIFICATION);

    private final SSLContext context;
    private final ClientAuth clientAuth;
    private final String[] protocols;
    private final String[] cipherSuites;
    private final String endpointIdentification;

    private TlsConfig(SSLContext context, ClientAuth clientAuth, String[] protocols, String[] cipherSuites,
            String endpointIdentification) {
        this.context = context;
        this.clientAuth = clientAuth;
        this.protocols = protocols;
        this.cipherSuites = cipherSuites;
        this.endpointIdentification = endpointIdentification;
    }

    /**
     * Reads the settings of {@code listener} and loads its stores.
     *
     * @param value a key's value for this listener (the prefixed key's, else the plain one's), or null
     * @throws ConfigException naming the key, when a store is missing, unreadable or its password wrong
     */
    public static TlsConfig load(String listener, Function<String, String> value) {
        String keystore = value.apply(KEYSTORE_LOCATION);
        if (keystore == null || keystore.isBlank()) {
            throw new ConfigException(KEYSTORE_LOCATION, null, "listener " + listener
                    + " uses SSL, so the broker needs its certificate and key: set " + KEYSTORE_LOCATION
                    + " (and " + KEYSTORE_PASSWORD + ") to a PKCS12 or JKS key store");
        }
        char[] storePassword = chars(value.apply(KEYSTORE_PASSWORD));
        char[] keyPassword = value.apply(KEY_PASSWORD) == null ? storePassword : chars(value.apply(KEY_PASSWORD));
        KeyStore keys = store(KEYSTORE_LOCATION, keystore, value.apply(KEYSTORE_TYPE), storePassword);
        String truststore = value.apply(TRUSTSTORE_LOCATION);
        KeyStore trusted = truststore == null || truststore.isBlank() ? null
                : store(TRUSTSTORE_LOCATION, truststore, value.apply(TRUSTSTORE_TYPE),
                        chars(value.apply(TRUSTSTORE_PASSWORD)));
        ClientAuth clientAuth = clientAuth(value.apply(CLIENT_AUTH));
        if (clientAuth != ClientAuth.NONE && trusted == null) {
            throw new ConfigException(CLIENT_AUTH, value.apply(CLIENT_AUTH), "checking client certificates needs "
                    + "the certificates to trust: set " + TRUSTSTORE_LOCATION);
        }
        String protocol = orDefault(value.apply(PROTOCOL), "TLSv1.3");
        SSLContext context;
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, keyPassword);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            context = SSLContext.getInstance(protocol);
            context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        } catch (java.security.UnrecoverableKeyException e) {
            throw new ConfigException(KEY_PASSWORD, "(hidden)", "cannot read the key in " + keystore
                    + ": wrong " + KEY_PASSWORD + " or " + KEYSTORE_PASSWORD);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new ConfigException(PROTOCOL, protocol, "this JDK does not offer it");
        } catch (GeneralSecurityException e) {
            throw new ConfigException(KEYSTORE_LOCATION, keystore, "cannot set up TLS with it: " + e.getMessage());
        }
        String[] protocols = list(orDefault(value.apply(ENABLED_PROTOCOLS), "TLSv1.2,TLSv1.3"));
        String[] ciphers = list(value.apply(CIPHER_SUITES));
        // Kafka's rule: unset means https; set empty, no host name check
        String identification = value.apply(ENDPOINT_IDENTIFICATION) == null ? "https"
                : value.apply(ENDPOINT_IDENTIFICATION).trim();
        return new TlsConfig(context, clientAuth, protocols, ciphers, identification);
    }

    private static KeyStore store(String key, String location, String type, char[] password) {
        String storeType = orDefault(type, "JKS").toUpperCase(Locale.ROOT);
        if (storeType.equals("PEM")) {
            throw new ConfigException(key.replace("location", "type"), type,
                    "PEM stores are not supported yet; use PKCS12 or JKS (keytool -importkeystore converts)");
        }
        Path path = Path.of(location);
        try (InputStream in = Files.newInputStream(path)) {
            KeyStore store = KeyStore.getInstance(storeType);
            store.load(in, password);
            return store;
        } catch (IOException e) {
            String why = e.getCause() instanceof java.security.UnrecoverableKeyException
                    || String.valueOf(e.getMessage()).contains("password")
                    ? "wrong password (" + key.replace("location", "password") + ")"
                    : Files.exists(path) ? "cannot read it as " + storeType + ": " + e.getMessage() : "no such file";
            throw new ConfigException(key, location, why);
        } catch (GeneralSecurityException e) {
            throw new ConfigException(key, location, "cannot read it as " + storeType + ": " + e.getMessage());
        }
    }

    private static ClientAuth clientAuth(String value) {
        return switch (orDefault(value, "none").toLowerCase(Locale.ROOT)) {
            case "none" -> ClientAuth.NONE;
            case "requested" -> ClientAuth.OPTIONAL;
            case "required" -> ClientAuth.REQUIRE;
            default -> throw new ConfigException(CLIENT_AUTH, value, "must be none, requested or required");
        };
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static String[] list(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        return java.util.Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .toArray(String[]::new);
    }

    private static char[] chars(String password) {
        return password == null ? null : password.toCharArray();
    }

    /** The server side, for the listener's connections. */
    public SslContext serverContext() {
        return new JdkSslContext(context, false, cipherSuites == null ? null : List.of(cipherSuites),
                IdentityCipherSuiteFilter.INSTANCE, null, clientAuth, protocols, false);
    }

    /** The client side, for a follower's connection to a leader on this listener. */
    public SSLSocketFactory clientSocketFactory() {
        return context.getSocketFactory();
    }

    /** What a client socket checks and offers: the leader's host name (unless disabled), protocols, suites. */
    public SSLParameters clientParameters() {
        SSLParameters p = context.getDefaultSSLParameters();
        if (!endpointIdentification.isEmpty()) {
            p.setEndpointIdentificationAlgorithm(endpointIdentification.toUpperCase(Locale.ROOT));
        }
        if (protocols != null) {
            p.setProtocols(protocols);
        }
        if (cipherSuites != null) {
            p.setCipherSuites(cipherSuites);
        }
        return p;
    }
}
