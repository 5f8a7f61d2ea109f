package io.letterbox.broker.handler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.metadata.controller.Controller;
import io.letterbox.metadata.controller.DeleteTopicResult;
import io.letterbox.metadata.controller.TopicRef;

/**
 * DeleteTopics, by name (every version) or by id (v6, where a topic gives exactly one of the
 * two). The controller removes the topics in one metadata write; each broker then deletes its
 * logs as it applies it. With {@code delete.topic.enable=false} every topic is refused:
 * TOPIC_DELETION_DISABLED, or INVALID_REQUEST before v3, which lacks that code.
 *
 * <p>A deletion not committed within the request's timeout answers REQUEST_TIMED_OUT; it may
 * still complete later, as in Kafka.
 */
public final class DeleteTopicsHandler implements ApiHandler<DeleteTopicsRequest> {

    private final Controller controller;
    private final boolean deletionEnabled;

    public DeleteTopicsHandler(Controller controller, boolean deletionEnabled) {
        this.controller = controller;
        this.deletionEnabled = deletionEnabled;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_TOPICS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DeleteTopicsRequest request) {
        DeleteTopicsRequestData data = request.data();
        short version = context.apiVersion();
        List<TopicRef> refs = new ArrayList<>();
        if (version >= 6) {
            for (DeleteTopicsRequestData.DeleteTopicState t : data.topics()) {
                Uuid id = t.topicId() == null || Uuid.ZERO_UUID.equals(t.topicId()) ? null : t.topicId();
                refs.add(new TopicRef(t.name(), id));
            }
        } else {
            data.topicNames().forEach(name -> refs.add(TopicRef.byName(name)));
        }
        DeleteTopicsResponseData response = new DeleteTopicsResponseData();
        if (!deletionEnabled) {
            Errors error = version >= 3 ? Errors.TOPIC_DELETION_DISABLED : Errors.INVALID_REQUEST;
            for (TopicRef ref : refs) {
                response.responses().add(result(ref.name(), ref.id(), error,
                        "Topic deletion is disabled (delete.topic.enable=false)."));
            }
            return CompletableFuture.completedFuture(new DeleteTopicsResponse(response));
        }
        if (refs.isEmpty()) {
            return CompletableFuture.completedFuture(new DeleteTopicsResponse(response));
        }
        CompletableFuture<List<DeleteTopicResult>> deleted =
                ControllerCalls.within(controller.deleteTopics(refs), data.timeoutMs(), "Topic deletion");
        return deleted.handle((results, failure) -> {
            if (failure != null) {
                ApiError error = ControllerCalls.errorOf(failure);
                for (TopicRef ref : refs) {
                    response.responses().add(result(ref.name(), ref.id(), error.error(), error.message()));
                }
            } else {
                for (DeleteTopicResult r : results) {
                    response.responses().add(result(r.name(), r.id(), r.error().error(), r.error().message()));
                }
            }
            return new DeleteTopicsResponse(response);
        });
    }

    private static DeletableTopicResult result(String name, Uuid id, Errors error, String message) {
        return new DeletableTopicResult().setName(name).setTopicId(id == null ? Uuid.ZERO_UUID : id)
                .setErrorCode(error.code()).setErrorMessage(message);
    }
}
