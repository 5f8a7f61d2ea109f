package io.letterbox.broker.replication;

import java.util.HashSet;
import java.util.Set;

/**
 * The replicas a topic's {@code leader.replication.throttled.replicas} or
 * {@code follower.replication.throttled.replicas} names: {@code *} for all of them, else a
 * comma-separated list of {@code partition:brokerId}, as {@code kafka-reassign-partitions.sh
 * --throttle} writes it. Empty names none.
 */
public final class ThrottledReplicas {
    public static final ThrottledReplicas NONE = new ThrottledReplicas(false, Set.of());
    private static final ThrottledReplicas ALL = new ThrottledReplicas(true, Set.of());

    private final boolean all;
    private final Set<Long> replicas;

    private ThrottledReplicas(boolean all, Set<Long> replicas) {
        this.all = all;
        this.replicas = replicas;
    }

    /** Parses a config value; IllegalArgumentException says what is wrong with it. */
    public static ThrottledReplicas parse(String value) {
        String v = value == null ? "" : value.trim();
        if (v.isEmpty()) {
            return NONE;
        }
        if (v.equals("*")) {
            return ALL;
        }
        Set<Long> replicas = new HashSet<>();
        for (String entry : v.split(",")) {
            String e = entry.trim();
            int colon = e.indexOf(':');
            try {
                if (colon < 0) {
                    throw new NumberFormatException();
                }
                int partition = Integer.parseInt(e.substring(0, colon).trim());
                int broker = Integer.parseInt(e.substring(colon + 1).trim());
                if (partition < 0 || broker < 0) {
                    throw new NumberFormatException();
                }
                replicas.add(key(partition, broker));
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("'" + e + "' is not partition:brokerId; the value must be * or a "
                        + "comma-separated list of partition:brokerId, for example 0:101,0:102,1:101");
            }
        }
        return new ThrottledReplicas(false, Set.copyOf(replicas));
    }

    public boolean contains(int partition, int brokerId) {
        return all || !replicas.isEmpty() && replicas.contains(key(partition, brokerId));
    }

    private static long key(int partition, int broker) {
        return ((long) partition << 32) | (broker & 0xffffffffL);
    }
}
