package io.letterbox.broker.handler;

import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestContext;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.SyncGroupResponse;

import io.letterbox.broker.group.ClassicGroupCoordinator;

/** SyncGroup (classic protocol): the leader hands in the assignment; followers wait for theirs. */
public final class SyncGroupHandler implements ApiHandler<SyncGroupRequest> {

    private final ClassicGroupCoordinator coordinator;

    public SyncGroupHandler(ClassicGroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SYNC_GROUP;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, SyncGroupRequest request) {
        return coordinator.sync(request.data()).thenApply(SyncGroupResponse::new);
    }
}
