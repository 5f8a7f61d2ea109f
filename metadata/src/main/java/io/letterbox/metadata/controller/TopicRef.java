package io.letterbox.metadata.controller;

import org.apache.kafka.common.Uuid;

/** A topic named either by name or by id: exactly one of the two is set. */
public record TopicRef(String name, Uuid id) {
    public static TopicRef byName(String name) {
        return new TopicRef(name, null);
    }

    public static TopicRef byId(Uuid id) {
        return new TopicRef(null, id);
    }
}
