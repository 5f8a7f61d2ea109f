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
import io.letterbox.broker.group.consumer.ConsumerGroupCoordinator;

/**
 * LeaveGroup: one member before v3, a batch (by member or instance id) from v3. Before v3 the
 * single member's error is the response's error. For a consumer-protocol group it removes the
 * members, as Kafka does (this is how {@code Admin.removeMembersFromConsumerGroup} works).
 */
public final class LeaveGroupHandler implements ApiHandler<LeaveGroupRequest> {

    private final ClassicGroupCoordinator coordinator;
    private final ConsumerGroupCoordinator consumerGroups;

    public LeaveGroupHandler(ClassicGroupCoordinator coordinator, ConsumerGroupCoordinator consumerGroups) {
        this.coordinator = coordinator;
        this.consumerGroups = consumerGroups;
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
        String groupId = request.data().groupId();
        List<MemberResponse> members = consumerGroups.contains(groupId)
                ? consumerGroups.removeMembers(groupId, request.members())
                : coordinator.leave(groupId, request.members());
        return CompletableFuture.completedFuture(new LeaveGroupResponse(members, Errors.NONE, 0, context.apiVersion()));
    }
}
