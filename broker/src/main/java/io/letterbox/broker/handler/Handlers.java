package io.letterbox.broker.handler;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.utils.Time;

import io.letterbox.broker.Brokers;
import io.letterbox.broker.config.BrokerConfig;
import io.letterbox.broker.delayed.DelayedFetches;
import io.letterbox.broker.fetch.FetchSessionCache;
import io.letterbox.broker.group.ClassicGroupCoordinator;
import io.letterbox.broker.group.GroupMembership;
import io.letterbox.broker.group.GroupMetadataManager;
import io.letterbox.broker.replication.ReplicationThrottles;
import io.letterbox.broker.group.GroupRegistry;
import io.letterbox.broker.group.SimpleGroupMembership;
import io.letterbox.broker.group.consumer.ConsumerGroupCoordinator;
import io.letterbox.broker.partition.PartitionManager;
import io.letterbox.metadata.MetadataNode;
import io.letterbox.storage.log.LogManager;

/** Builds the registry of every API this broker answers. */
public final class Handlers {

    private Handlers() {
    }

    public static HandlerRegistry registry(BrokerConfig config, MetadataNode metadata, PartitionManager partitions,
            LogManager logManager, FetchSessionCache sessions, DelayedFetches delayedFetches,
            ReplicationThrottles throttles, GroupMetadataManager groups,
            Time time, ClassicGroupCoordinator classicGroups, ConsumerGroupCoordinator consumerGroups,
            GroupRegistry allGroups) {
        HandlerRegistry registry = new HandlerRegistry();
        Brokers brokers = new Brokers(config, metadata::leaderId, metadata::image);
        registry.register(new ApiVersionsHandler(registry));
        registry.register(new MetadataHandler(metadata::image, metadata.controller(), brokers, config.autoCreateTopics(),
                config.nodeId(), partitions::isOffline));
        registry.register(new ProduceHandler(metadata::image, partitions, brokers, time));
        registry.register(new FetchHandler(metadata::image, partitions, brokers, sessions, delayedFetches, throttles));
        registry.register(new ListOffsetsHandler(metadata::image, partitions));
        registry.register(new CreateTopicsHandler(metadata::image, metadata.controller(), config));
        registry.register(new InitProducerIdHandler(new ProducerIdAllocator(metadata.controller()::allocateProducerIds)));
        registry.register(new DeleteTopicsHandler(metadata.controller(), config.deleteTopicEnable()));
        registry.register(new CreatePartitionsHandler(metadata.controller()));
        registry.register(new ElectLeadersHandler(metadata.controller()));
        registry.register(new AlterPartitionReassignmentsHandler(metadata.controller()));
        registry.register(new ListPartitionReassignmentsHandler(metadata::image));
        registry.register(new DescribeClusterHandler(metadata::image, brokers));
        registry.register(new DescribeQuorumHandler(metadata::describeQuorum, controllerAddresses(config, metadata),
                config.cluster().controllerListener() == null ? "CONTROLLER" : config.cluster().controllerListener().listenerName()));
        registry.register(new DescribeConfigsHandler(metadata::image, config));
        registry.register(new AlterConfigsHandler(metadata.controller()));
        registry.register(new IncrementalAlterConfigsHandler(metadata.controller()));
        registry.register(new DescribeLogDirsHandler(logManager));
        for (ApiKeys acls : List.of(ApiKeys.DESCRIBE_ACLS, ApiKeys.CREATE_ACLS, ApiKeys.DELETE_ACLS)) {
            registry.register(RefusingHandler.aclsDisabled(acls));
        }
        for (ApiKeys sasl : List.of(ApiKeys.SASL_HANDSHAKE, ApiKeys.SASL_AUTHENTICATE)) {
            registry.register(RefusingHandler.saslOutOfPlace(sasl));
        }
        // DeleteRecords fsyncs; rare enough that the common pool serves, off the network threads.
        registry.register(new DeleteRecordsHandler(metadata::image, partitions, delayedFetches, ForkJoinPool.commonPool()));
        registry.register(new OffsetForLeaderEpochHandler(metadata::image, partitions));
        // Groups: each coordinator checks members of the groups it manages; the rest are simple groups.
        GroupMembership membership = classicGroups.membership(consumerGroups.membership(new SimpleGroupMembership()));
        registry.register(new FindCoordinatorHandler(metadata::image, groups, brokers));
        registry.register(new OffsetCommitHandler(metadata::image, groups, membership, config.offsetMetadataMaxBytes(), time));
        registry.register(new OffsetFetchHandler(groups, membership));
        registry.register(new JoinGroupHandler(classicGroups, consumerGroups));
        registry.register(new SyncGroupHandler(classicGroups));
        registry.register(new HeartbeatHandler(classicGroups));
        registry.register(new LeaveGroupHandler(classicGroups, consumerGroups));
        registry.register(new ListGroupsHandler(allGroups));
        registry.register(new DescribeGroupsHandler(allGroups));
        registry.register(new DeleteGroupsHandler(allGroups, time));
        registry.register(new OffsetDeleteHandler(metadata::image, groups, allGroups, time));
        registry.register(new ConsumerGroupHeartbeatHandler(consumerGroups));
        registry.register(new ConsumerGroupDescribeHandler(consumerGroups, classicGroups, groups::checkCoordinator));
        return registry;
    }

    /** Each voter's controller listener; a single node's is the loopback port its Raft server picked. */
    private static Map<Integer, String> controllerAddresses(BrokerConfig config, MetadataNode metadata) {
        if (!config.cluster().voters().isEmpty()) {
            return config.cluster().voters();
        }
        return Map.of(config.nodeId(), metadata.rpcAddress().getHostString() + ":" + metadata.rpcAddress().getPort());
    }
}
