package io.letterbox.broker.handler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ConsumerGroupDescribeRequest;
import org.apache.kafka.common.requests.ConsumerGroupDescribeResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.broker.group.ClassicGroupCoordinator;
import io.letterbox.broker.group.consumer.ConsumerGroupCoordinator;

/**
 * ConsumerGroupDescribe v0-1 (KIP-848): members, their assignments and targets, the group's state,
 * epochs and assignor. A classic or unknown group is GROUP_ID_NOT_FOUND, as in Kafka, which is
 * what sends AdminClient to DescribeGroups for classic groups.
 */
public final class ConsumerGroupDescribeHandler implements ApiHandler<ConsumerGroupDescribeRequest> {

    private final ConsumerGroupCoordinator consumerGroups;
    private final ClassicGroupCoordinator classicGroups;
    private final Consumer<String> coordinatorCheck;

    /**
     * @param coordinatorCheck throws NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS unless this
     *                         broker serves the group now
     */
    public ConsumerGroupDescribeHandler(ConsumerGroupCoordinator consumerGroups, ClassicGroupCoordinator classicGroups,
            Consumer<String> coordinatorCheck) {
        this.consumerGroups = consumerGroups;
        this.classicGroups = classicGroups;
        this.coordinatorCheck = coordinatorCheck;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CONSUMER_GROUP_DESCRIBE;
    }

    @Override
    public short latestVersion() {
        return 1;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, ConsumerGroupDescribeRequest request) {
        List<DescribedGroup> out = new ArrayList<>();
        for (String groupId : request.data().groupIds()) {
            out.add(describe(groupId));
        }
        return CompletableFuture.completedFuture(new ConsumerGroupDescribeResponse(
                new ConsumerGroupDescribeResponseData().setGroups(out)));
    }

    private DescribedGroup describe(String groupId) {
        try {
            coordinatorCheck.accept(groupId);
        } catch (RuntimeException e) {
            return error(groupId, ErrorMapping.errorOf(e), ErrorMapping.messageOf(e));
        }
        DescribedGroup group = consumerGroups.describeConsumerGroup(groupId);
        if (group != null) {
            return group;
        }
        if (classicGroups.stateOf(groupId) != null) {
            return error(groupId, Errors.GROUP_ID_NOT_FOUND, "Group " + groupId + " is not a consumer group.");
        }
        return error(groupId, Errors.GROUP_ID_NOT_FOUND, "Group " + groupId + " not found.");
    }

    private static DescribedGroup error(String groupId, Errors error, String message) {
        return new DescribedGroup().setGroupId(groupId).setErrorCode(error.code()).setErrorMessage(message);
    }
}
