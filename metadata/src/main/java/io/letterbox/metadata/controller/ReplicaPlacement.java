package io.letterbox.metadata.controller;

import io.letterbox.metadata.image.BrokerRegistration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;

/**
 * Where new partitions' replicas go: round-robin over the live brokers from a given start, the
 * first replica being the leader. With racks, the brokers are first ordered so that racks
 * alternate (one broker of each rack in turn), so consecutive replicas of a partition sit on
 * different racks whenever there are enough racks. Brokers without a rack form one rack of their own.
 *
 * <p>Stateless: the caller chooses the start (random, advancing) so leaders spread.
 */
final class ReplicaPlacement {
    private ReplicaPlacement() {
    }

    /**
     * @return one replica list per partition
     * @throws InvalidReplicationFactorException when there are fewer live brokers than replicas
     */
    static List<List<Integer>> place(Collection<BrokerRegistration> live, int numPartitions, int replicationFactor,
                                     int start) {
        if (replicationFactor > live.size()) {
            throw new InvalidReplicationFactorException("Unable to replicate the partition " + replicationFactor
                    + " time(s): The target replication factor of " + replicationFactor
                    + " cannot be reached because only " + live.size() + " broker(s) are registered.");
        }
        List<Integer> order = rackAlternating(live);
        int first = Math.floorMod(start, order.size());
        List<List<Integer>> assignment = new ArrayList<>(numPartitions);
        for (int p = 0; p < numPartitions; p++) {
            List<Integer> replicas = new ArrayList<>(replicationFactor);
            for (int r = 0; r < replicationFactor; r++) {
                replicas.add(order.get((first + p + r) % order.size()));
            }
            assignment.add(replicas);
        }
        return assignment;
    }

    /** Broker ids with racks taken in turn (racks by name, brokers by id within a rack). */
    static List<Integer> rackAlternating(Collection<BrokerRegistration> brokers) {
        Map<String, List<Integer>> byRack = new TreeMap<>();
        brokers.stream().sorted((a, b) -> Integer.compare(a.id(), b.id())).forEach(b ->
                byRack.computeIfAbsent(Objects.requireNonNullElse(b.rack(), ""), r -> new ArrayList<>()).add(b.id()));
        List<Integer> order = new ArrayList<>(brokers.size());
        for (int i = 0; order.size() < brokers.size(); i++) {
            for (List<Integer> rack : byRack.values()) {
                if (i < rack.size()) {
                    order.add(rack.get(i));
                }
            }
        }
        return order;
    }
}
