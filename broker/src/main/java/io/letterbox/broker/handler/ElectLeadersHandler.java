package io.letterbox.broker.handler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.message.ElectLeadersResponseData.ReplicaElectionResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.ElectLeadersRequest;
import org.apache.kafka.common.requests.ElectLeadersResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.metadata.controller.Controller;

/**
 * ElectLeaders (KIP-183, KIP-460): preferred (v0 knows no other) or unclean elections through the
 * controller, one result per partition asked for; with no partitions named, every partition, and only
 * those that needed an election are answered. Answers once the new leaders are in this broker's image.
 * A failure of the controller call (not within the request's timeout: REQUEST_TIMED_OUT) is every
 * named partition's error, and the top-level error from v1 on.
 */
public final class ElectLeadersHandler implements ApiHandler<ElectLeadersRequest> {

    private final Controller controller;

    public ElectLeadersHandler(Controller controller) {
        this.controller = controller;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ELECT_LEADERS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, ElectLeadersRequest request) {
        ElectLeadersRequestData data = request.data();
        short version = context.apiVersion();
        List<TopicPartition> partitions = requested(data);
        ElectionType type;
        try {
            type = ElectionType.valueOf(version == 0 ? ElectionType.PREFERRED.value : data.electionType());
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(failed(partitions, version,
                    new ApiError(Errors.INVALID_REQUEST, "Unknown election type " + data.electionType())));
        }
        CompletableFuture<Map<TopicPartition, ApiError>> elected = ControllerCalls.within(
                controller.electLeaders(type, partitions), data.timeoutMs(), "Leader election");
        return elected.handle((results, failure) -> failure != null
                ? failed(partitions, version, ControllerCalls.errorOf(failure))
                : new ElectLeadersResponse(respond(results)));
    }

    /** The partitions named, or null for every partition. */
    private static List<TopicPartition> requested(ElectLeadersRequestData data) {
        if (data.topicPartitions() == null) {
            return null;
        }
        List<TopicPartition> partitions = new ArrayList<>();
        for (ElectLeadersRequestData.TopicPartitions t : data.topicPartitions()) {
            for (int p : t.partitions()) {
                partitions.add(new TopicPartition(t.topic(), p));
            }
        }
        return partitions;
    }

    private static ElectLeadersResponseData respond(Map<TopicPartition, ApiError> results) {
        Map<String, ReplicaElectionResult> byTopic = new LinkedHashMap<>();
        results.forEach((tp, error) -> byTopic.computeIfAbsent(tp.topic(),
                        topic -> new ReplicaElectionResult().setTopic(topic))
                .partitionResult().add(new PartitionResult().setPartitionId(tp.partition())
                        .setErrorCode(error.error().code()).setErrorMessage(error.message())));
        return new ElectLeadersResponseData().setReplicaElectionResults(new ArrayList<>(byTopic.values()));
    }

    private static ElectLeadersResponse failed(List<TopicPartition> partitions, short version, ApiError error) {
        Map<TopicPartition, ApiError> results = new LinkedHashMap<>();
        if (partitions != null) {
            partitions.forEach(tp -> results.put(tp, error));
        }
        ElectLeadersResponseData response = respond(results);
        if (version >= 1) {
            response.setErrorCode(error.error().code());
        }
        return new ElectLeadersResponse(response);
    }
}
