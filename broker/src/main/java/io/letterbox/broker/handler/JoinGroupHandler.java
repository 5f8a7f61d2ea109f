package io.letterbox.broker.handler;

import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.broker.group.ClassicGroupCoordinator;
import io.letterbox.broker.group.consumer.ConsumerGroupCoordinator;

/**
 * JoinGroup (classic protocol): the answer waits until the group's rebalance completes its join
 * phase. From v4 a member without an id is first given one with MEMBER_ID_REQUIRED (KIP-394).
 * A group id that a consumer-protocol group with members holds is INCONSISTENT_GROUP_PROTOCOL
 * (Letterbox does not mix the protocols in one group); an empty one is handed over.
 */
public final class JoinGroupHandler implements ApiHandler<JoinGroupRequest> {

    private final ClassicGroupCoordinator coordinator;
    private final ConsumerGroupCoordinator consumerGroups;

    public JoinGroupHandler(ClassicGroupCoordinator coordinator, ConsumerGroupCoordinator consumerGroups) {
        this.coordinator = coordinator;
        this.consumerGroups = consumerGroups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.JOIN_GROUP;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, JoinGroupRequest request) {
        short version = context.apiVersion();
        String host = context.clientAddress == null ? "" : "/" + context.clientAddress.getHostAddress();
        String groupId = request.data().groupId();
        if (groupId != null && !groupId.isEmpty() && coordinator.checkCoordinator(groupId) == Errors.NONE
                && !consumerGroups.yieldToClassic(groupId)) {
            return CompletableFuture.completedFuture(new JoinGroupResponse(new JoinGroupResponseData()
                    .setErrorCode(Errors.INCONSISTENT_GROUP_PROTOCOL.code()).setGenerationId(-1)
                    .setProtocolName(version < 7 ? "" : null).setLeader("")
                    .setMemberId(request.data().memberId()), version));
        }
        return coordinator.join(request.data(), context.clientId(), host, version >= 4)
                .thenApply(data -> {
                    if (version < 7 && data.protocolName() == null) {
                        data.setProtocolName("");
                    }
                    return new JoinGroupResponse(data, version);
                });
    }
}
