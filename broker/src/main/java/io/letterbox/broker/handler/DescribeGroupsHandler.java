package io.letterbox.broker.handler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.broker.group.ClassicGroupCoordinator;
import io.letterbox.broker.group.consumer.ConsumerGroupCoordinator;

/**
 * DescribeGroups for classic groups. An unknown group, and a consumer-protocol group (which
 * ConsumerGroupDescribe describes), is reported as Dead with no error before v6 and as
 * GROUP_ID_NOT_FOUND from v6, as Kafka does.
 */
public final class DescribeGroupsHandler implements ApiHandler<DescribeGroupsRequest> {

    private final ClassicGroupCoordinator coordinator;
    private final ConsumerGroupCoordinator consumerGroups;

    public DescribeGroupsHandler(ClassicGroupCoordinator coordinator, ConsumerGroupCoordinator consumerGroups) {
        this.coordinator = coordinator;
        this.consumerGroups = consumerGroups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_GROUPS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DescribeGroupsRequest request) {
        List<DescribedGroup> out = new ArrayList<>();
        for (String groupId : request.data().groups()) {
            Errors notHere = coordinator.checkCoordinator(groupId);
            boolean consumerGroup = notHere == Errors.NONE && consumerGroups.contains(groupId);
            DescribedGroup group = notHere != Errors.NONE ? DescribeGroupsResponse.groupError(groupId, notHere)
                    : consumerGroup ? null : coordinator.describe(groupId);
            if (group == null) {
                group = new DescribedGroup().setGroupId(groupId).setGroupState("Dead").setProtocolType("")
                        .setProtocolData("");
                if (context.apiVersion() >= 6) {
                    group.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage("Group " + groupId
                            + (consumerGroup ? " is not a classic group." : " not found."));
                }
            }
            if (request.data().includeAuthorizedOperations()) {
                group.setAuthorizedOperations(DescribeGroupsResponse.AUTHORIZED_OPERATIONS_OMITTED);
            }
            out.add(group);
        }
        return CompletableFuture.completedFuture(new DescribeGroupsResponse(new DescribeGroupsResponseData()
                .setGroups(out)));
    }
}
