package io.letterbox.broker.handler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreatePartitionsResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.metadata.controller.Controller;
import io.letterbox.metadata.controller.NewPartitions;

/**
 * CreatePartitions: grows topics to a new partition count, placed by the controller or as the
 * request assigns them; {@code validateOnly} checks without writing. Partitions only grow: the
 * controller refuses a count at or below the current one. Answers once the new partitions are
 * in this broker's image, so their leaders are already known; not within the request's
 * timeout, REQUEST_TIMED_OUT.
 */
public final class CreatePartitionsHandler implements ApiHandler<CreatePartitionsRequest> {

    private final Controller controller;

    public CreatePartitionsHandler(Controller controller) {
        this.controller = controller;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_PARTITIONS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, CreatePartitionsRequest request) {
        CreatePartitionsRequestData data = request.data();
        List<NewPartitions> changes = new ArrayList<>();
        for (CreatePartitionsTopic t : data.topics()) {
            List<List<Integer>> assignments = null;
            if (t.assignments() != null) {
                assignments = new ArrayList<>();
                for (CreatePartitionsAssignment a : t.assignments()) {
                    assignments.add(List.copyOf(a.brokerIds()));
                }
            }
            changes.add(new NewPartitions(t.name(), t.count(), assignments));
        }
        CreatePartitionsResponseData response = new CreatePartitionsResponseData();
        if (changes.isEmpty()) {
            return CompletableFuture.completedFuture(new CreatePartitionsResponse(response));
        }
        CompletableFuture<List<ApiError>> created = ControllerCalls.within(
                controller.createPartitions(changes, data.validateOnly()), data.timeoutMs(), "Partition creation");
        return created.handle((errors, failure) -> {
            for (int i = 0; i < changes.size(); i++) {
                ApiError error = failure != null ? ControllerCalls.errorOf(failure) : errors.get(i);
                response.results().add(new CreatePartitionsTopicResult().setName(changes.get(i).topic())
                        .setErrorCode(error.error().code()).setErrorMessage(error.message()));
            }
            return new CreatePartitionsResponse(response);
        });
    }
}
