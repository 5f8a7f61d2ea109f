package io.letterbox.metadata.controller;

import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.requests.ApiError;

/**
 * The outcome for one topic name of a create request. On success: the topic id (ZERO_UUID when
 * only validating), the resolved counts and the config overrides. On failure: the error and
 * ZERO_UUID, -1, -1, no configs.
 */
public record CreateTopicResult(String name, ApiError error, Uuid topicId, int numPartitions,
                                short replicationFactor, Map<String, String> configs) {
    static CreateTopicResult failed(String name, ApiError error) {
        return new CreateTopicResult(name, error, Uuid.ZERO_UUID, -1, (short) -1, Map.of());
    }
}
