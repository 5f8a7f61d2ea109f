package io.letterbox.broker.handler;

import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.broker.group.ClassicGroupCoordinator;

/** Heartbeat (classic protocol): keeps the session; REBALANCE_IN_PROGRESS tells the member to rejoin. */
public final class HeartbeatHandler implements ApiHandler<HeartbeatRequest> {

    private final ClassicGroupCoordinator coordinator;

    public HeartbeatHandler(ClassicGroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.HEARTBEAT;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, HeartbeatRequest request) {
        return CompletableFuture.completedFuture(new HeartbeatResponse(
                new HeartbeatResponseData().setErrorCode(coordinator.heartbeat(request.data()).code())));
    }
}
