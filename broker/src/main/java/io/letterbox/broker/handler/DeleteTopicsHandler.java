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
 * DeleteTopics, by name (every version) or by id (v6). The controller removes each topic in
 * one batch; the answer comes once that batch is applied here, so a Metadata request that
 * follows no longer sees the topic. Logs go when the partition manager sees the new image.
 *
 * <p>With {@code delete.topic.enable=false} nothing is deleted: every topic is answered
 * TOPIC_DELETION_DISABLED (INVALID_REQUEST before v3, which lacks that code), as Kafka does.
 * A deletion not committed within the request's timeout answers REQUEST_TIMED_OUT.
 */
public final class DeleteTopicsHandler implements ApiHandler<DeleteTopicsRequest> {

    private final Controller controller;
    private final boolean deleteEnabled;

    public DeleteTopicsHandler(Controller controller, boolean deleteEnabled) {
        this.controller = controller;
        this.deleteEnabled = deleteEnabled;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_TOPICS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DeleteTopicsRequest request) {
        DeleteTopicsRequestData data = request.data();
        List<TopicRef> refs = new ArrayList<>();
        if (context.apiVersion() >= 6) {
            for (DeleteTopicsRequestData.DeleteTopicState t : data.topics()) {
                Uuid id = Uuid.ZERO_UUID.equals(t.topicId()) ? null : t.topicId();
                refs.add(new TopicRef(t.name(), id));
            }
        } else {
            data.topicNames().forEach(name -> refs.add(TopicRef.byName(name)));
        }
        DeleteTopicsResponseData response = new DeleteTopicsResponseData();
        if (!deleteEnabled) {
            Errors error = context.apiVersion() < 3 ? Errors.INVALID_REQUEST : Errors.TOPIC_DELETION_DISABLED;
            for (TopicRef ref : refs) {
                response.responses().add(new DeletableTopicResult().setName(ref.name())
                        .setTopicId(ref.id() == null ? Uuid.ZERO_UUID : ref.id())
                        .setErrorCode(error.code())
                        .setErrorMessage("Topic deletion is disabled (delete.topic.enable=false)."));
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
                    response.responses().add(new DeletableTopicResult().setName(ref.name())
                            .setTopicId(ref.id() == null ? Uuid.ZERO_UUID : ref.id())
                            .setErrorCode(error.error().code()).setErrorMessage(error.message()));
                }
                return new DeleteTopicsResponse(response);
            }
            for (DeleteTopicResult r : results) {
                response.responses().add(new DeletableTopicResult().setName(r.name())
                        .setTopicId(r.id() == null ? Uuid.ZERO_UUID : r.id())
                        .setErrorCode(r.error().error().code())
                        .setErrorMessage(r.error().message()));
            }
            return new DeleteTopicsResponse(response);
        });
    }
}
