package io.letterbox.metadata.record;

import java.util.Objects;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/** A listener a broker accepts client connections on, as advertised to clients. */
public record Endpoint(String listenerName, String host, int port, SecurityProtocol securityProtocol) {
    public Endpoint {
        Objects.requireNonNull(listenerName, "listenerName");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(securityProtocol, "securityProtocol");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("Invalid port " + port);
        }
    }
}
