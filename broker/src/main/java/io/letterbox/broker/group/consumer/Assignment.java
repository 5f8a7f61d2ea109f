package io.letterbox.broker.group.consumer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Function;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;

/**
 * A set of partitions named by topic id and index, as KIP-848 speaks of them: a member's
 * assignment, its target, the partitions it reports owning. Immutable (every operation returns a
 * new value) and thread-safe; topics without partitions are never kept, so equal sets are equal.
 */
public final class Assignment {

    public static final Assignment EMPTY = new Assignment(Collections.emptySortedMap());

    private final SortedMap<Uuid, NavigableSet<Integer>> partitions;
    private final int size;

    private Assignment(SortedMap<Uuid, NavigableSet<Integer>> partitions) {
        this.partitions = partitions;
        this.size = partitions.values().stream().mapToInt(NavigableSet::size).sum();
    }

    /** An assignment of these partitions; the map and sets are copied. */
    public static Assignment of(Map<Uuid, ? extends Collection<Integer>> partitions) {
        Builder b = new Builder();
        partitions.forEach((topic, ps) -> ps.forEach(p -> b.add(topic, p)));
        return b.build();
    }

    /** What a heartbeat reports owning; null when the member did not send it. */
    public static Assignment fromRequest(List<ConsumerGroupHeartbeatRequestData.TopicPartitions> owned) {
        if (owned == null) {
            return null;
        }
        Builder b = new Builder();
        owned.forEach(t -> t.partitions().forEach(p -> b.add(t.topicId(), p)));
        return b.build();
    }

    /** Collects partitions one at a time. Not thread-safe. */
    public static final class Builder {
        private final SortedMap<Uuid, NavigableSet<Integer>> partitions = new TreeMap<>();

        public Builder add(Uuid topicId, int partition) {
            partitions.computeIfAbsent(topicId, t -> new TreeSet<>()).add(partition);
            return this;
        }

        public Builder addAll(Assignment other) {
            other.partitions.forEach((t, ps) -> ps.forEach(p -> add(t, p)));
            return this;
        }

        public Assignment build() {
            if (partitions.isEmpty()) {
                return EMPTY;
            }
            SortedMap<Uuid, NavigableSet<Integer>> copy = new TreeMap<>();
            partitions.forEach((t, ps) -> copy.put(t, Collections.unmodifiableNavigableSet(new TreeSet<>(ps))));
            return new Assignment(Collections.unmodifiableSortedMap(copy));
        }
    }

    /** Topic id to its partitions, in id and index order. */
    public SortedMap<Uuid, NavigableSet<Integer>> partitions() {
        return partitions;
    }

    public boolean contains(Uuid topicId, int partition) {
        NavigableSet<Integer> ps = partitions.get(topicId);
        return ps != null && ps.contains(partition);
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The number of partitions. */
    public int size() {
        return size;
    }

    /** The partitions of this set that {@code keep} accepts. */
    public Assignment filter(BiPredicate<Uuid, Integer> keep) {
        Builder b = new Builder();
        partitions.forEach((t, ps) -> ps.forEach(p -> {
            if (keep.test(t, p)) {
                b.add(t, p);
            }
        }));
        return b.build();
    }

    public Assignment minus(Assignment other) {
        return filter((t, p) -> !other.contains(t, p));
    }

    public Assignment intersect(Assignment other) {
        return filter(other::contains);
    }

    public Assignment plus(Assignment other) {
        return new Builder().addAll(this).addAll(other).build();
    }

    /** Whether a partition is in both sets. */
    public boolean overlaps(Assignment other) {
        for (Map.Entry<Uuid, NavigableSet<Integer>> e : partitions.entrySet()) {
            for (int p : e.getValue()) {
                if (other.contains(e.getKey(), p)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Every partition of this set is in {@code other}. */
    public boolean isSubsetOf(Assignment other) {
        return minus(other).isEmpty();
    }

    /** Calls {@code action} for each partition, in order. */
    public void forEach(BiConsumer<Uuid, Integer> action) {
        partitions.forEach((t, ps) -> ps.forEach(p -> action.accept(t, p)));
    }

    /** The assignment as a heartbeat response carries it. */
    public ConsumerGroupHeartbeatResponseData.Assignment toHeartbeat() {
        List<ConsumerGroupHeartbeatResponseData.TopicPartitions> topics = new ArrayList<>();
        partitions.forEach((t, ps) -> topics.add(new ConsumerGroupHeartbeatResponseData.TopicPartitions()
                .setTopicId(t).setPartitions(new ArrayList<>(ps))));
        return new ConsumerGroupHeartbeatResponseData.Assignment().setTopicPartitions(topics);
    }

    /** The assignment as ConsumerGroupDescribe shows it; {@code names} gives a topic id's name ("" if gone). */
    public ConsumerGroupDescribeResponseData.Assignment toDescribe(Function<Uuid, String> names) {
        List<ConsumerGroupDescribeResponseData.TopicPartitions> topics = new ArrayList<>();
        partitions.forEach((t, ps) -> topics.add(new ConsumerGroupDescribeResponseData.TopicPartitions()
                .setTopicId(t).setTopicName(names.apply(t)).setPartitions(new ArrayList<>(ps))));
        return new ConsumerGroupDescribeResponseData.Assignment().setTopicPartitions(topics);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Assignment a && partitions.equals(a.partitions);
    }

    @Override
    public int hashCode() {
        return partitions.hashCode();
    }

    @Override
    public String toString() {
        return partitions.toString();
    }
}
