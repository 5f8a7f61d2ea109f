package io.letterbox.broker.handler;

import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.ListGroupsResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.broker.group.GroupRegistry;

/**
 * ListGroups: every group this broker coordinates (simple groups as classic and Empty, as Kafka
 * lists them), filtered by state (v4+) and type (v5+), both case-insensitive; an unknown state or
 * type matches nothing.
 */
public final class ListGroupsHandler implements ApiHandler<ListGroupsRequest> {

    private final GroupRegistry groups;

    public ListGroupsHandler(GroupRegistry groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_GROUPS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, ListGroupsRequest request) {
        ListGroupsRequestData data = request.data();
        return CompletableFuture.completedFuture(new ListGroupsResponse(new ListGroupsResponseData()
                .setGroups(groups.list(data.statesFilter(), data.typesFilter()))));
    }
}
