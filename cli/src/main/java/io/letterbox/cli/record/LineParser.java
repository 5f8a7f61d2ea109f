package io.letterbox.cli.record;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Splits an input line of {@code letterbox produce} into headers, key and value, with the
 * properties of Kafka's console producer: {@code parse.key}, {@code key.separator} (tab),
 * {@code parse.headers}, {@code headers.delimiter} (tab), {@code headers.separator} (comma),
 * {@code headers.key.separator} (colon), {@code null.marker} and {@code ignore.error}. A line is
 * {@code [headers<headers.delimiter>][key<key.separator>]value}. Not thread-safe.
 */
final class LineParser {

    static final Set<String> PROPERTIES = Set.of("parse.key", "key.separator", "parse.headers", "headers.delimiter",
            "headers.separator", "headers.key.separator", "null.marker", "ignore.error");

    /** One input line, split; {@code key} and {@code value} may be null (the null marker). */
    record Parsed(byte[] key, byte[] value, List<Header> headers) {
    }

    private final boolean parseKey;
    private final String keySeparator;
    private final boolean parseHeaders;
    private final String headersDelimiter;
    private final String headersSeparator;
    private final String headerKeySeparator;
    private final String nullMarker;
    private final boolean ignoreError;
    private final List<Header> fixedHeaders;

    /** {@link IllegalArgumentException} for an unknown property or an empty separator. */
    LineParser(Map<String, String> properties, List<Header> fixedHeaders) {
        for (String key : properties.keySet()) {
            if (!PROPERTIES.contains(key)) {
                throw new IllegalArgumentException("unknown --property " + key + " (known: "
                        + String.join(", ", PROPERTIES.stream().sorted().toList()) + ")");
            }
        }
        this.parseKey = Boolean.parseBoolean(properties.getOrDefault("parse.key", "false"));
        this.keySeparator = nonEmpty(properties, "key.separator", "\t");
        this.parseHeaders = Boolean.parseBoolean(properties.getOrDefault("parse.headers", "false"));
        this.headersDelimiter = nonEmpty(properties, "headers.delimiter", "\t");
        this.headersSeparator = nonEmpty(properties, "headers.separator", ",");
        this.headerKeySeparator = nonEmpty(properties, "headers.key.separator", ":");
        this.nullMarker = properties.get("null.marker");
        this.ignoreError = Boolean.parseBoolean(properties.getOrDefault("ignore.error", "false"));
        this.fixedHeaders = List.copyOf(fixedHeaders);
    }

    /** Splits one line; {@link IllegalArgumentException} when a separator the properties ask for is missing. */
    Parsed parse(String line, long lineNumber) {
        String rest = line;
        List<Header> headers = new ArrayList<>(fixedHeaders);
        if (parseHeaders) {
            int end = rest.indexOf(headersDelimiter);
            if (end < 0) {
                if (!ignoreError) {
                    throw new IllegalArgumentException("line " + lineNumber + " has no headers delimiter '"
                            + printable(headersDelimiter) + "'");
                }
            } else {
                for (String h : rest.substring(0, end).split(java.util.regex.Pattern.quote(headersSeparator), -1)) {
                    if (h.isEmpty()) {
                        continue;
                    }
                    int colon = h.indexOf(headerKeySeparator);
                    String k = colon < 0 ? h : h.substring(0, colon);
                    String v = colon < 0 ? null : h.substring(colon + headerKeySeparator.length());
                    headers.add(new RecordHeader(k, bytes(v)));
                }
                rest = rest.substring(end + headersDelimiter.length());
            }
        }
        String key = null;
        if (parseKey) {
            int sep = rest.indexOf(keySeparator);
            if (sep < 0) {
                if (!ignoreError) {
                    throw new IllegalArgumentException("line " + lineNumber + " has no key separator '"
                            + printable(keySeparator) + "' (pass --property ignore.error=true to send it as a value)");
                }
            } else {
                key = rest.substring(0, sep);
                rest = rest.substring(sep + keySeparator.length());
            }
        }
        return new Parsed(bytes(key), bytes(rest), headers);
    }

    private byte[] bytes(String s) {
        return s == null || s.equals(nullMarker) ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static String nonEmpty(Map<String, String> properties, String key, String fallback) {
        String v = properties.getOrDefault(key, fallback);
        if (v.isEmpty()) {
            throw new IllegalArgumentException("--property " + key + " must not be empty");
        }
        return v;
    }

    private static String printable(String s) {
        return s.replace("\t", "\\t");
    }
}
