package io.letterbox.broker.handler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingPartitionReassignment;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingTopicReassignment;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListPartitionReassignmentsRequest;
import org.apache.kafka.common.requests.ListPartitionReassignmentsResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.image.PartitionImage;
import io.letterbox.metadata.image.TopicImage;

/**
 * ListPartitionReassignments: the reassignments in progress, from this broker's metadata image; every
 * one when no topics are named, else those among the named partitions. As in Kafka, an unknown topic or
 * partition, or one not being reassigned, is left out.
 */
public final class ListPartitionReassignmentsHandler implements ApiHandler<ListPartitionReassignmentsRequest> {

    private final Supplier<MetadataImage> image;

    public ListPartitionReassignmentsHandler(Supplier<MetadataImage> image) {
        this.image = image;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_PARTITION_REASSIGNMENTS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, ListPartitionReassignmentsRequest request) {
        ListPartitionReassignmentsRequestData data = request.data();
        MetadataImage current = image.get();
        List<OngoingTopicReassignment> topics = new ArrayList<>();
        if (data.topics() == null) {
            for (TopicImage topic : current.topics().byName().values()) {
                add(topics, topic, new ArrayList<>(topic.partitions().keySet()));
            }
        } else {
            for (ListPartitionReassignmentsTopics t : data.topics()) {
                TopicImage topic = current.topics().get(t.name());
                if (topic != null) {
                    add(topics, topic, t.partitionIndexes());
                }
            }
        }
        return CompletableFuture.completedFuture(new ListPartitionReassignmentsResponse(
                new ListPartitionReassignmentsResponseData().setTopics(topics)));
    }

    private static void add(List<OngoingTopicReassignment> topics, TopicImage topic, List<Integer> indexes) {
        List<OngoingPartitionReassignment> ongoing = new ArrayList<>();
        Map<Integer, PartitionImage> partitions = topic.partitions();
        for (int index : indexes) {
            PartitionImage p = partitions.get(index);
            if (p != null && p.reassigning()) {
                ongoing.add(new OngoingPartitionReassignment().setPartitionIndex(index)
                        .setReplicas(list(p.replicas())).setAddingReplicas(list(p.addingReplicas()))
                        .setRemovingReplicas(list(p.removingReplicas())));
            }
        }
        if (!ongoing.isEmpty()) {
            topics.add(new OngoingTopicReassignment().setName(topic.name()).setPartitions(ongoing));
        }
    }

    private static List<Integer> list(int[] brokers) {
        List<Integer> out = new ArrayList<>(brokers.length);
        for (int b : brokers) {
            out.add(b);
        }
        return out;
    }
}
