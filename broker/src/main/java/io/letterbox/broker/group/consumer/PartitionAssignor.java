package io.letterbox.broker.group.consumer;

import java.util.Map;

/**
 * A server-side assignor (KIP-848): from the members' subscriptions, the topics' partition counts
 * and the previous target, the next target assignment of every member. Implementations are
 * deterministic (same input, same output) and stateless, hence thread-safe.
 */
public interface PartitionAssignor {

    /** The name members ask for in {@code ServerAssignor} and ConsumerGroupDescribe shows. */
    String name();

    /**
     * Every member of {@code spec} mapped to its target; members that get nothing map to
     * {@link Assignment#EMPTY}. Each partition of a subscribed topic goes to at most one member.
     */
    Map<String, Assignment> assign(AssignmentSpec spec);

    /**
     * The assignor called {@code name}: Letterbox's short names, or Kafka's class names for the
     * same two assignors (so a server.properties written for Kafka works). Null if unknown.
     */
    static PartitionAssignor byName(String name) {
        return switch (name.trim()) {
            case UniformAssignor.NAME, "org.apache.kafka.coordinator.group.assignor.UniformAssignor" ->
                    new UniformAssignor();
            case RangeAssignor.NAME, "org.apache.kafka.coordinator.group.assignor.RangeAssignor" -> new RangeAssignor();
            default -> null;
        };
    }
}
