package io.letterbox.broker.handler;

import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.broker.group.ClassicGroupCoordinator;

/**
 * JoinGroup (classic protocol): the answer waits until the group's rebalance completes its join
 * phase. From v4 a member without an id is first given one with MEMBER_ID_REQUIRED (KIP-394).
 */
public final class JoinGroupHandler implements ApiHandler<JoinGroupRequest> {

    private final ClassicGroupCoordinator coordinator;

    public JoinGroupHandler(ClassicGroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.JOIN_GROUP;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, JoinGroupRequest request) {
        short version = context.apiVersion();
        String host = context.clientAddress == null ? "" : "/" + context.clientAddress.getHostAddress();
        return coordinator.join(request.data(), context.clientId(), host, version >= 4)
                .thenApply(data -> {
                    if (version < 7 && data.protocolName() == null) {
                        data.setProtocolName("");
                    }
                    return new JoinGroupResponse(data, version);
                });
    }
}
