package io.letterbox.broker.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.kafka.common.config.ConfigException;

/**
 * One entry of {@code listeners} or {@code advertised.listeners}: {@code NAME://host:port}.
 * An empty host means every interface when binding.
 */
public record Endpoint(String listenerName, String host, int port) {

    /** Parses a comma-separated listener list such as {@code PLAINTEXT://localhost:9092}. */
    public static List<Endpoint> parseList(String key, String value) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (String item : value.split(",")) {
            String entry = item.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int scheme = entry.indexOf("://");
            int colon = entry.lastIndexOf(':');
            if (scheme <= 0 || colon <= scheme + 2) {
                throw new ConfigException(key, value, "each listener must look like NAME://host:port");
            }
            String name = entry.substring(0, scheme).toUpperCase(Locale.ROOT);
            String host = entry.substring(scheme + 3, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(entry.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new ConfigException(key, value, "the port of " + entry + " is not a number");
            }
            if (port < 0 || port > 65535) {
                throw new ConfigException(key, value, "the port of " + entry + " must be in 0..65535");
            }
            if (endpoints.stream().anyMatch(e -> e.listenerName.equals(name))) {
                throw new ConfigException(key, value, "listener " + name + " appears twice");
            }
            endpoints.add(new Endpoint(name, host, port));
        }
        if (endpoints.isEmpty()) {
            throw new ConfigException(key, value, "at least one listener is required");
        }
        return List.copyOf(endpoints);
    }

    @Override
    public String toString() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return listenerName + "://" + h + ":" + port;
    }
}
