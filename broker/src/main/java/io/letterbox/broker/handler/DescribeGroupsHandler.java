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

import io.letterbox.broker.group.GroupRegistry;

/**
 * DescribeGroups. A simple group is Empty with no protocol type; an unknown (or deleted) group is
 * reported as Dead with no error before v6 and as GROUP_ID_NOT_FOUND from v6, as Kafka does.
 */
public final class DescribeGroupsHandler implements ApiHandler<DescribeGroupsRequest> {

    private static final String DEAD = "Dead";

    private final GroupRegistry groups;

    public DescribeGroupsHandler(GroupRegistry groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_GROUPS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DescribeGroupsRequest request) {
        List<DescribedGroup> out = new ArrayList<>();
        for (String groupId : request.data().groups()) {
            DescribedGroup group;
            try {
                group = groups.describe(groupId);
            } catch (RuntimeException e) {
                group = DescribeGroupsResponse.groupError(groupId, ErrorMapping.errorOf(e));
            }
            if (group == null) {
                group = new DescribedGroup().setGroupId(groupId).setGroupState(DEAD).setProtocolType("")
                        .setProtocolData("").setErrorMessage("Group " + groupId + " not found.");
            }
            if (DEAD.equals(group.groupState()) && group.errorCode() == Errors.NONE.code()) {
                // Before v6 a missing group is Dead without error; from v6 it is GROUP_ID_NOT_FOUND.
                if (context.apiVersion() >= 6) {
                    group.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code());
                } else {
                    group.setErrorMessage(null);
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
