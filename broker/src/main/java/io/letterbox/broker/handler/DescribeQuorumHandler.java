package io.letterbox.broker.handler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.message.DescribeQuorumRequestData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.message.DescribeQuorumResponseData.Listener;
import org.apache.kafka.common.message.DescribeQuorumResponseData.ListenerCollection;
import org.apache.kafka.common.message.DescribeQuorumResponseData.Node;
import org.apache.kafka.common.message.DescribeQuorumResponseData.NodeCollection;
import org.apache.kafka.common.message.DescribeQuorumResponseData.PartitionData;
import org.apache.kafka.common.message.DescribeQuorumResponseData.ReplicaState;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeQuorumRequest;
import org.apache.kafka.common.requests.DescribeQuorumResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.metadata.quorum.QuorumState;

/**
 * DescribeQuorum ({@code kafka-metadata-quorum.sh}, {@code Admin.describeMetadataQuorum}): the
 * metadata quorum as its leader sees it, asked of the leader from any node, as a Kafka broker
 * forwards the request to the active controller. The metadata log is {@code __cluster_metadata}
 * partition 0, as in Kafka; its offsets are Raft indexes plus one ({@link QuorumState}).
 *
 * <p>A request for any other partition gets UNKNOWN_TOPIC_OR_PARTITION for it, as Kafka answers;
 * no reachable leader gives NOT_LEADER_OR_FOLLOWER, which clients retry. The nodes (v2) are the
 * voters' controller endpoints from {@code controller.quorum.voters}; directory ids are not kept
 * and are the zero id.
 */
public final class DescribeQuorumHandler implements ApiHandler<DescribeQuorumRequest> {

    static final TopicPartition METADATA_PARTITION = new TopicPartition("__cluster_metadata", 0);

    private final Supplier<CompletableFuture<QuorumState>> quorum;
    private final Map<Integer, String> voterAddresses;
    private final String controllerListenerName;

    /**
     * @param quorum                 asks the leader for the quorum's state
     * @param voterAddresses         node id to the "host:port" of its controller listener
     * @param controllerListenerName the name the nodes' endpoints are given
     */
    public DescribeQuorumHandler(Supplier<CompletableFuture<QuorumState>> quorum, Map<Integer, String> voterAddresses,
                                 String controllerListenerName) {
        this.quorum = quorum;
        this.voterAddresses = Map.copyOf(voterAddresses);
        this.controllerListenerName = controllerListenerName;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_QUORUM;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DescribeQuorumRequest request) {
        if (!asksForTheMetadataPartitionOnly(request.data())) {
            return CompletableFuture.completedFuture(new DescribeQuorumResponse(
                    DescribeQuorumRequest.getPartitionLevelErrorResponse(request.data(), Errors.UNKNOWN_TOPIC_OR_PARTITION)));
        }
        return quorum.get().handle((state, error) -> {
            if (error != null) {
                Errors code = ErrorMapping.unwrap(error) instanceof NotControllerException
                        ? Errors.NOT_LEADER_OR_FOLLOWER : ErrorMapping.errorOf(error);
                DescribeQuorumResponseData data = DescribeQuorumResponse.singletonErrorResponse(METADATA_PARTITION, code);
                data.topics().get(0).partitions().get(0).setErrorMessage(ErrorMapping.messageOf(error));
                return new DescribeQuorumResponse(data);
            }
            return new DescribeQuorumResponse(DescribeQuorumResponse.singletonResponse(METADATA_PARTITION,
                    partition(state), nodes(state)));
        });
    }

    private static boolean asksForTheMetadataPartitionOnly(DescribeQuorumRequestData data) {
        return data.topics().size() == 1
                && data.topics().get(0).topicName().equals(METADATA_PARTITION.topic())
                && data.topics().get(0).partitions().size() == 1
                && data.topics().get(0).partitions().get(0).partitionIndex() == METADATA_PARTITION.partition();
    }

    private static PartitionData partition(QuorumState state) {
        return new PartitionData()
                .setPartitionIndex(METADATA_PARTITION.partition())
                .setErrorCode(Errors.NONE.code())
                .setLeaderId(state.leaderId())
                .setLeaderEpoch((int) Math.min(state.term(), Integer.MAX_VALUE))
                .setHighWatermark(state.highWatermark())
                .setCurrentVoters(replicas(state.voters()))
                .setObservers(replicas(state.observers()));
    }

    private static List<ReplicaState> replicas(List<QuorumState.Member> members) {
        List<ReplicaState> replicas = new ArrayList<>(members.size());
        for (QuorumState.Member m : members) {
            replicas.add(new ReplicaState()
                    .setReplicaId(m.nodeId())
                    .setReplicaDirectoryId(Uuid.ZERO_UUID)
                    .setLogEndOffset(m.logEndOffset())
                    .setLastFetchTimestamp(m.lastFetchTimestamp())
                    .setLastCaughtUpTimestamp(m.lastCaughtUpTimestamp()));
        }
        return replicas;
    }

    private NodeCollection nodes(QuorumState state) {
        NodeCollection nodes = new NodeCollection();
        for (QuorumState.Member voter : state.voters()) {
            String address = voterAddresses.get(voter.nodeId());
            int colon = address == null ? -1 : address.lastIndexOf(':');
            if (colon < 0) {
                continue;
            }
            ListenerCollection listeners = new ListenerCollection();
            listeners.add(new Listener().setName(controllerListenerName)
                    .setHost(address.substring(0, colon))
                    .setPort(Integer.parseInt(address.substring(colon + 1))));
            nodes.add(new Node().setNodeId(voter.nodeId()).setListeners(listeners));
        }
        return nodes;
    }
}
