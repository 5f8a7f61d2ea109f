package io.letterbox.broker.handler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.errors.InvalidGroupIdException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResultCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DeleteGroupsResponse;
import org.apache.kafka.common.requests.RequestContext;
import org.apache.kafka.common.utils.Time;

import io.letterbox.broker.group.GroupRegistry;

/**
 * DeleteGroups v0-2: each named group that has no members is removed with its committed offsets.
 * Per group, as Kafka answers: NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS when this broker
 * cannot serve it now, GROUP_ID_NOT_FOUND when there is no such group, NON_EMPTY_GROUP when it has
 * members; the empty id is a group like any other, and INVALID_GROUP_ID is kept for a missing one.
 * A deleted group's tombstones are written to {@code __consumer_offsets} like commits, and its
 * answer waits until they are durable (at most {@link OffsetCommitHandler#COMMIT_TIMEOUT_MS}), so a
 * restart does not bring it back.
 */
public final class DeleteGroupsHandler implements ApiHandler<DeleteGroupsRequest> {

    private final GroupRegistry groups;
    private final Time time;

    public DeleteGroupsHandler(GroupRegistry groups, Time time) {
        this.groups = groups;
        this.time = time;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_GROUPS;
    }

    @Override
    public short latestVersion() {
        return 2;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DeleteGroupsRequest request) {
        List<DeletableGroupResult> results = new ArrayList<>();
        List<CompletableFuture<Void>> done = new ArrayList<>();
        long now = time.milliseconds();
        for (String groupId : request.data().groupsNames()) {
            DeletableGroupResult result = new DeletableGroupResult().setGroupId(groupId);
            results.add(result);
            CompletableFuture<Void> deleted;
            try {
                if (groupId == null) {
                    throw new InvalidGroupIdException("The group id is missing.");
                }
                deleted = groups.delete(groupId, now);
            } catch (RuntimeException e) {
                deleted = CompletableFuture.failedFuture(e);
            }
            done.add(deleted.orTimeout(OffsetCommitHandler.COMMIT_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .handle((ok, error) -> {
                        if (error != null) {
                            Throwable cause = ErrorMapping.unwrap(error);
                            result.setErrorCode(ErrorMapping.coordinatorWriteErrorOf(
                                    cause instanceof java.util.concurrent.TimeoutException
                                            ? new TimeoutException("group deletion not durable in time") : cause)
                                    .code());
                        }
                        return null;
                    }));
        }
        return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            DeletableGroupResultCollection collection = new DeletableGroupResultCollection();
            results.forEach(collection::add);
            return new DeleteGroupsResponse(new DeleteGroupsResponseData().setResults(collection));
        });
    }
}
