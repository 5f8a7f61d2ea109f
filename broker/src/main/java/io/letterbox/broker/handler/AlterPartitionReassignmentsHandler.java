package io.letterbox.broker.handler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignablePartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignableTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsRequest;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsResponse;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.metadata.controller.Controller;

/**
 * AlterPartitionReassignments (KIP-455; v1 adds allowReplicationFactorChange, KIP-860): starts, retargets
 * or (with null replicas) cancels partition reassignments through the controller, one result per
 * partition. Answers once the change is in this broker's image; the data moves afterwards, and
 * ListPartitionReassignments tells when it is done. A failed controller call (not within the request's
 * timeout: REQUEST_TIMED_OUT) is the top-level error and every partition's.
 */
public final class AlterPartitionReassignmentsHandler implements ApiHandler<AlterPartitionReassignmentsRequest> {

    private final Controller controller;

    public AlterPartitionReassignmentsHandler(Controller controller) {
        this.controller = controller;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_PARTITION_REASSIGNMENTS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context,
                                                      AlterPartitionReassignmentsRequest request) {
        AlterPartitionReassignmentsRequestData data = request.data();
        Map<TopicPartition, List<Integer>> targets = new LinkedHashMap<>();
        for (ReassignableTopic t : data.topics()) {
            for (ReassignablePartition p : t.partitions()) {
                targets.put(new TopicPartition(t.name(), p.partitionIndex()),
                        p.replicas() == null ? null : List.copyOf(p.replicas()));
            }
        }
        AlterPartitionReassignmentsResponseData response = new AlterPartitionReassignmentsResponseData()
                .setAllowReplicationFactorChange(data.allowReplicationFactorChange());
        if (targets.isEmpty()) {
            return CompletableFuture.completedFuture(new AlterPartitionReassignmentsResponse(response));
        }
        CompletableFuture<Map<TopicPartition, ApiError>> altered = ControllerCalls.within(
                controller.alterPartitionReassignments(targets, data.allowReplicationFactorChange()),
                data.timeoutMs(), "Partition reassignment");
        return altered.handle((results, failure) -> {
            Map<TopicPartition, ApiError> errors = results;
            if (failure != null) {
                ApiError error = ControllerCalls.errorOf(failure);
                response.setErrorCode(error.error().code()).setErrorMessage(error.message());
                errors = new LinkedHashMap<>();
                for (TopicPartition tp : targets.keySet()) {
                    errors.put(tp, error);
                }
            }
            Map<String, ReassignableTopicResponse> byTopic = new LinkedHashMap<>();
            errors.forEach((tp, error) -> byTopic.computeIfAbsent(tp.topic(),
                            name -> new ReassignableTopicResponse().setName(name))
                    .partitions().add(new ReassignablePartitionResponse().setPartitionIndex(tp.partition())
                            .setErrorCode(error.error().code()).setErrorMessage(error.message())));
            response.setResponses(new ArrayList<>(byTopic.values()));
            return new AlterPartitionReassignmentsResponse(response);
        });
    }
}
