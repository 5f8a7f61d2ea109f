package io.letterbox.broker.handler;

import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatRequest;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.broker.group.consumer.ConsumerGroupCoordinator;

/**
 * ConsumerGroupHeartbeat v0-1 (KIP-848): join, heartbeat and leave of the consumer group protocol.
 * v0 members may let the coordinator pick their id; from v1 they bring their own and may subscribe
 * by regular expression. Answered once the group state the answer shows is durable.
 */
public final class ConsumerGroupHeartbeatHandler implements ApiHandler<ConsumerGroupHeartbeatRequest> {

    private final ConsumerGroupCoordinator coordinator;

    public ConsumerGroupHeartbeatHandler(ConsumerGroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CONSUMER_GROUP_HEARTBEAT;
    }

    @Override
    public short latestVersion() {
        return 1;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, ConsumerGroupHeartbeatRequest request) {
        String host = context.clientAddress == null ? "" : "/" + context.clientAddress.getHostAddress();
        return coordinator.heartbeat(request.data(), context.clientId(), host, context.apiVersion())
                .thenApply(ConsumerGroupHeartbeatResponse::new);
    }
}
