package io.letterbox.broker.handler;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.ListGroupsResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.broker.group.ClassicGroupCoordinator;
import io.letterbox.broker.group.consumer.ConsumerGroupCoordinator;

/**
 * ListGroups: the classic and consumer-protocol groups this broker coordinates, filtered by state
 * (v4+) and type (v5+). A group id the consumer coordinator holds is a consumer group, even if an
 * empty classic group of that id lingers from before.
 */
public final class ListGroupsHandler implements ApiHandler<ListGroupsRequest> {

    private final ClassicGroupCoordinator coordinator;
    private final ConsumerGroupCoordinator consumerGroups;

    public ListGroupsHandler(ClassicGroupCoordinator coordinator, ConsumerGroupCoordinator consumerGroups) {
        this.coordinator = coordinator;
        this.consumerGroups = consumerGroups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_GROUPS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, ListGroupsRequest request) {
        ListGroupsRequestData data = request.data();
        List<ListedGroup> groups = new java.util.ArrayList<>(consumerGroups.list(data.statesFilter(), data.typesFilter()));
        for (ListedGroup g : coordinator.list(data.statesFilter(), data.typesFilter())) {
            if (!consumerGroups.contains(g.groupId())) {
                groups.add(g);
            }
        }
        return CompletableFuture.completedFuture(new ListGroupsResponse(new ListGroupsResponseData().setGroups(groups)));
    }
}
