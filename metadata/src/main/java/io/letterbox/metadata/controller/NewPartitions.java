package io.letterbox.metadata.controller;

import java.util.List;

/**
 * Grow {@code topic} to {@code totalCount} partitions. {@code assignments}, when not null, gives
 * the replicas of each new partition in order (one list per new partition).
 */
public record NewPartitions(String topic, int totalCount, List<List<Integer>> assignments) {
}
