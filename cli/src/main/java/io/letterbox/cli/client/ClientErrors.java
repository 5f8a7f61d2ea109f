package io.letterbox.cli.client;

import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Turns a Kafka client exception into one line that says what went wrong and what to do. The
 * command's {@link ErrorSubject} supplies the topic or group name the exception itself may lack.
 */
public final class ClientErrors {

    private ClientErrors() {
    }

    public static String explain(Throwable e, ErrorSubject subject) {
        String topic = subject == null ? null : subject.topicName();
        String group = subject == null ? null : subject.groupName();
        if (e instanceof CliException) {
            return e.getMessage();
        }
        if (e instanceof UnknownTopicOrPartitionException || isMissingTopicTimeout(e)) {
            return topic == null ? "topic does not exist: " + e.getMessage()
                    : "topic " + topic + " does not exist: create it with `letterbox topic create " + topic + "`";
        }
        if (e instanceof TopicExistsException) {
            return (topic == null ? e.getMessage() : "topic " + topic + " already exists")
                    + " (pass --if-not-exists to accept that)";
        }
        if (e instanceof GroupIdNotFoundException) {
            return "group " + (group == null ? "" : group + " ") + "does not exist: `letterbox group list` shows the groups";
        }
        if (e instanceof GroupNotEmptyException) {
            return "group " + (group == null ? "" : group + " ") + "has active members: stop its consumers first";
        }
        if (e instanceof InvalidPartitionsException || e instanceof InvalidReplicationFactorException) {
            return e.getMessage();
        }
        if (e instanceof AuthenticationException || e instanceof AuthorizationException) {
            return e.getMessage() + ": check the security settings in --command-config";
        }
        if (e instanceof TimeoutException) {
            // A plaintext client on an SSL listener sees only this: the broker closes each connection
            return "the broker did not answer in time (" + e.getMessage() + "); if this address is an SSL "
                    + "listener, pass --command-config with security.protocol=SSL and a trust store";
        }
        String message = e.getMessage();
        return (message == null || message.isBlank() ? e.getClass().getSimpleName() : message)
                .lines().findFirst().orElse("");
    }

    /** The producer reports a missing topic (auto-creation off) only as a metadata wait that timed out. */
    private static boolean isMissingTopicTimeout(Throwable e) {
        return e instanceof TimeoutException && e.getMessage() != null && e.getMessage().contains("not present in metadata");
    }
}
