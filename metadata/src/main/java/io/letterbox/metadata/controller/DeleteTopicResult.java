package io.letterbox.metadata.controller;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.requests.ApiError;

/** The outcome for one {@link TopicRef}; name and id are both filled in when the topic was found. */
public record DeleteTopicResult(String name, Uuid id, ApiError error) {
}
