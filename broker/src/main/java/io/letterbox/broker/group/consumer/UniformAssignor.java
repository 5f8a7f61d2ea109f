package io.letterbox.broker.group.consumer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.apache.kafka.common.Uuid;

import io.letterbox.broker.group.consumer.AssignmentSpec.SubscribedTopic;

/**
 * The {@code uniform} assignor (the default): spreads the partitions of all subscribed topics
 * evenly over the members, keeping each partition with its previous owner wherever balance allows.
 *
 * <p>Three passes: every member keeps the partitions of its previous target that still exist and
 * that it still subscribes to; each unowned partition goes to the least loaded member that
 * subscribes to its topic (partitions with fewer candidates first); then, while a member holds at
 * least two more partitions than one that could take one of them, one moves over, preferably one
 * the member does not own yet (its target ran ahead of it), which costs no revocation. With equal
 * subscriptions the counts end up differing by at most one, and a partition moves only when a
 * member joined or left or the topics changed. Ties go to the smaller member id, so the result is
 * deterministic.
 */
public final class UniformAssignor implements PartitionAssignor {

    public static final String NAME = "uniform";

    @Override
    public String name() {
        return NAME;
    }

    /** A partition, ordered by topic name, topic id, index. */
    private record Slot(SubscribedTopic topic, int partition) implements Comparable<Slot> {
        private static final Comparator<Slot> ORDER = Comparator.comparing((Slot s) -> s.topic.name())
                .thenComparing(s -> s.topic.id()).thenComparingInt(Slot::partition);

        @Override
        public int compareTo(Slot o) {
            return ORDER.compare(this, o);
        }
    }

    /** One member's share while the assignment is built. */
    private static final class Share {
        final String memberId;
        final int rank;
        final Set<Uuid> topics;
        final Assignment owned;
        final TreeSet<Slot> slots = new TreeSet<>();

        Share(String memberId, int rank, Set<Uuid> topics, Assignment owned) {
            this.memberId = memberId;
            this.rank = rank;
            this.topics = topics;
            this.owned = owned;
        }

        /** Its partitions in the order it gives them up: those it does not own yet first, each group from the end. */
        List<Slot> inGivingOrder() {
            List<Slot> out = new ArrayList<>();
            for (Slot s : slots.descendingSet()) {
                if (!owned.contains(s.topic.id(), s.partition)) {
                    out.add(s);
                }
            }
            for (Slot s : slots.descendingSet()) {
                if (owned.contains(s.topic.id(), s.partition)) {
                    out.add(s);
                }
            }
            return out;
        }
    }

    private static final Comparator<Share> LEAST_LOADED = Comparator.comparingInt((Share s) -> s.slots.size())
            .thenComparingInt(s -> s.rank);

    @Override
    public Map<String, Assignment> assign(AssignmentSpec spec) {
        List<Share> shares = new ArrayList<>();
        spec.memberTopics().forEach((m, topics) -> shares.add(new Share(m, shares.size(), topics, spec.ownedBy(m))));
        Map<Slot, Share> owner = new HashMap<>();

        // Keep what each member had, as far as it still exists and is still subscribed.
        for (Share share : shares) {
            spec.previousOf(share.memberId).forEach((topicId, p) -> {
                SubscribedTopic topic = spec.topics().get(topicId);
                if (topic != null && p < topic.numPartitions() && share.topics.contains(topicId)) {
                    Slot slot = new Slot(topic, p);
                    if (owner.putIfAbsent(slot, share) == null) {
                        share.slots.add(slot);
                    }
                }
            });
        }

        // Hand out the rest, the most constrained partitions first.
        Map<Uuid, List<Share>> candidates = new HashMap<>();
        List<Slot> unowned = new ArrayList<>();
        for (SubscribedTopic topic : spec.topicsInOrder()) {
            List<Share> subscribers = shares.stream().filter(s -> s.topics.contains(topic.id())).toList();
            candidates.put(topic.id(), subscribers);
            if (subscribers.isEmpty()) {
                continue;
            }
            for (int p = 0; p < topic.numPartitions(); p++) {
                Slot slot = new Slot(topic, p);
                if (!owner.containsKey(slot)) {
                    unowned.add(slot);
                }
            }
        }
        unowned.sort(Comparator.comparingInt((Slot s) -> candidates.get(s.topic.id()).size())
                .thenComparing(Comparator.naturalOrder()));
        for (Slot slot : unowned) {
            Share least = candidates.get(slot.topic.id()).stream().min(LEAST_LOADED).orElseThrow();
            least.slots.add(slot);
            owner.put(slot, least);
        }

        balance(shares);

        Map<String, Assignment> out = new LinkedHashMap<>();
        for (Share share : shares) {
            Assignment.Builder b = new Assignment.Builder();
            share.slots.forEach(s -> b.add(s.topic.id(), s.partition));
            out.put(share.memberId, b.build());
        }
        return out;
    }

    /** Moves one partition at a time from a fuller member to an emptier one that can take it. */
    private static void balance(List<Share> shares) {
        boolean moved = true;
        while (moved) {
            moved = false;
            List<Share> ascending = new ArrayList<>(shares);
            ascending.sort(LEAST_LOADED);
            search:
            for (int d = ascending.size() - 1; d > 0; d--) {
                Share donor = ascending.get(d);
                for (Share receiver : ascending) {
                    if (receiver.slots.size() >= donor.slots.size() - 1) {
                        break;
                    }
                    for (Slot slot : donor.inGivingOrder()) {
                        if (receiver.topics.contains(slot.topic.id())) {
                            donor.slots.remove(slot);
                            receiver.slots.add(slot);
                            moved = true;
                            break search;
                        }
                    }
                }
            }
        }
    }
}
