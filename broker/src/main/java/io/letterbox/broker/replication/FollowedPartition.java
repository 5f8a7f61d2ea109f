package io.letterbox.broker.replication;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

import io.letterbox.storage.log.Log;

/** A partition this broker follows: its local log, and the leader and leader epoch it fetches from. */
public record FollowedPartition(TopicPartition topicPartition, Uuid topicId, Log log, int leaderId, int leaderEpoch) {
}
