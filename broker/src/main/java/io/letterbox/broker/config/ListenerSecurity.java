package io.letterbox.broker.config;

import org.apache.kafka.common.security.auth.SecurityProtocol;

/**
 * How one listener secures its connections: its protocol, its TLS settings (SSL and SASL_SSL,
 * else null) and the users it authenticates (SASL_PLAINTEXT and SASL_SSL, else null).
 */
public record ListenerSecurity(SecurityProtocol protocol, TlsConfig tls, PlainUsers plainUsers) {

    public static final ListenerSecurity PLAINTEXT = new ListenerSecurity(SecurityProtocol.PLAINTEXT, null, null);

    /** Whether clients authenticate with SASL before anything else. */
    public boolean sasl() {
        return plainUsers != null;
    }
}
