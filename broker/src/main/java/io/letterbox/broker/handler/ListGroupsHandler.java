package io.letterbox.broker.handler;

import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.ListGroupsResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.broker.group.ClassicGroupCoordinator;

/** ListGroups: the classic groups this broker coordinates, filtered by state (v4+) and type (v5+). */
public final class ListGroupsHandler implements ApiHandler<ListGroupsRequest> {

    private final ClassicGroupCoordinator coordinator;

    public ListGroupsHandler(ClassicGroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_GROUPS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, ListGroupsRequest request) {
        ListGroupsRequestData data = request.data();
        return CompletableFuture.completedFuture(new ListGroupsResponse(new ListGroupsResponseData()
                .setGroups(coordinator.list(data.statesFilter(), data.typesFilter()))));
    }
}
