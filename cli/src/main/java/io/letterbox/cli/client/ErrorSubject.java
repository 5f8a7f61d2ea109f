package io.letterbox.cli.client;

/**
 * What a command works on, so that an error about "the topic" or "the group" can name it and
 * say what to do. Commands implement the parts they have.
 */
public interface ErrorSubject {

    default String topicName() {
        return null;
    }

    default String groupName() {
        return null;
    }
}
