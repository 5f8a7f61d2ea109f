package io.letterbox.metadata.controller;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A topic to create. Either {@code assignments} is empty and the controller places
 * {@code numPartitions} x {@code replicationFactor} replicas (-1 = the configured default), or
 * {@code assignments} maps every partition index 0..n-1 to its replica broker ids and both
 * counts are -1. Config values may not be null.
 */
public record NewTopic(String name, int numPartitions, short replicationFactor,
                       Map<Integer, List<Integer>> assignments, Map<String, String> configs) {
    public NewTopic {
        assignments = assignments == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(assignments));
        configs = configs == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(configs));
    }

    /** A topic placed by the controller, without config overrides. */
    public static NewTopic of(String name, int numPartitions, short replicationFactor) {
        return new NewTopic(name, numPartitions, replicationFactor, Map.of(), Map.of());
    }
}
