package io.letterbox.cli.record;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import io.letterbox.cli.client.Json;

/**
 * One consumed record as one output line. {@code value} and {@code key-value} follow Kafka's console
 * consumer and its properties ({@code print.key}, {@code print.value}, {@code print.timestamp},
 * {@code print.partition}, {@code print.offset}, {@code print.headers}, {@code key.separator},
 * {@code headers.separator}, {@code null.literal}), fields in its order: timestamp, partition,
 * offset, headers, key, value. {@code json} is one JSON object a line with every field. Keys,
 * values and headers are read as UTF-8. Not thread-safe.
 */
final class RecordFormatter {

    /** The output formats of {@code letterbox consume}. */
    enum Format {
        value, key_value, json;

        /** {@code value}, {@code key-value} or {@code json}; {@link IllegalArgumentException} otherwise. */
        static Format of(String name) {
            return switch (name) {
                case "value" -> value;
                case "key-value" -> key_value;
                case "json" -> json;
                default -> throw new IllegalArgumentException("--format takes value, key-value or json, not '" + name + "'");
            };
        }
    }

    static final Set<String> PROPERTIES = Set.of("print.key", "print.value", "print.timestamp", "print.partition",
            "print.offset", "print.headers", "key.separator", "headers.separator", "null.literal");

    private final Format format;
    private final boolean printKey;
    private final boolean printValue;
    private final boolean printTimestamp;
    private final boolean printPartition;
    private final boolean printOffset;
    private final boolean printHeaders;
    private final String separator;
    private final String headersSeparator;
    private final String nullLiteral;
    private final StringBuilder line = new StringBuilder(256);

    /** {@link IllegalArgumentException} for an unknown property. */
    RecordFormatter(Format format, Map<String, String> properties) {
        for (String key : properties.keySet()) {
            if (!PROPERTIES.contains(key)) {
                throw new IllegalArgumentException("unknown --property " + key + " (known: "
                        + String.join(", ", PROPERTIES.stream().sorted().toList()) + ")");
            }
        }
        this.format = format;
        this.printKey = format == Format.key_value || flag(properties, "print.key", false);
        this.printValue = flag(properties, "print.value", true);
        this.printTimestamp = flag(properties, "print.timestamp", false);
        this.printPartition = flag(properties, "print.partition", false);
        this.printOffset = flag(properties, "print.offset", false);
        this.printHeaders = flag(properties, "print.headers", false);
        this.separator = properties.getOrDefault("key.separator", "\t");
        this.headersSeparator = properties.getOrDefault("headers.separator", ",");
        this.nullLiteral = properties.getOrDefault("null.literal", "null");
    }

    /** The record's line, without the line break. */
    String format(ConsumerRecord<byte[], byte[]> r) {
        return format == Format.json ? json(r) : text(r);
    }

    private String text(ConsumerRecord<byte[], byte[]> r) {
        line.setLength(0);
        if (printTimestamp) {
            field(r.timestampType() + ":" + r.timestamp());
        }
        if (printPartition) {
            field("Partition:" + r.partition());
        }
        if (printOffset) {
            field("Offset:" + r.offset());
        }
        if (printHeaders) {
            List<String> hs = new ArrayList<>();
            for (Header h : r.headers()) {
                hs.add(h.key() + ":" + string(h.value()));
            }
            field(hs.isEmpty() ? "NO_HEADERS" : String.join(headersSeparator, hs));
        }
        if (printKey) {
            field(string(r.key()));
        }
        if (printValue) {
            field(string(r.value()));
        }
        if (!line.isEmpty()) {
            line.setLength(line.length() - separator.length());
        }
        return line.toString();
    }

    private void field(String text) {
        line.append(text).append(separator);
    }

    private static String json(ConsumerRecord<byte[], byte[]> r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("topic", r.topic());
        m.put("partition", r.partition());
        m.put("offset", r.offset());
        m.put("timestamp", r.timestamp());
        m.put("timestampType", r.timestampType().name);
        m.put("key", utf8(r.key()));
        m.put("value", utf8(r.value()));
        List<Map<String, Object>> headers = new ArrayList<>();
        for (Header h : r.headers()) {
            Map<String, Object> hm = new LinkedHashMap<>();
            hm.put("key", h.key());
            hm.put("value", utf8(h.value()));
            headers.add(hm);
        }
        m.put("headers", headers);
        return Json.write(m);
    }

    private String string(byte[] bytes) {
        return bytes == null ? nullLiteral : new String(bytes, StandardCharsets.UTF_8);
    }

    private static String utf8(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static boolean flag(Map<String, String> properties, String key, boolean fallback) {
        String v = properties.get(key);
        return v == null ? fallback : Boolean.parseBoolean(v);
    }
}
