package io.letterbox.broker.handler;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.broker.group.ClassicGroupCoordinator;

/**
 * LeaveGroup (classic protocol): one member before v3, a batch (by member or instance id) from
 * v3. Before v3 the single member's error is the response's error.
 */
public final class LeaveGroupHandler implements ApiHandler<LeaveGroupRequest> {

    private final ClassicGroupCoordinator coordinator;

    public LeaveGroupHandler(ClassicGroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LEAVE_GROUP;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, LeaveGroupRequest request) {
        Errors notHere = coordinator.checkCoordinator(request.data().groupId());
        if (notHere != Errors.NONE) {
            return CompletableFuture.completedFuture(new LeaveGroupResponse(List.of(), notHere, 0, context.apiVersion()));
        }
        List<MemberResponse> members = coordinator.leave(request.data().groupId(), request.members());
        return CompletableFuture.completedFuture(new LeaveGroupResponse(members, Errors.NONE, 0, context.apiVersion()));
    }
}
