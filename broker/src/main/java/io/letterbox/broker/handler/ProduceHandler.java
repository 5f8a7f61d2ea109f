package io.letterbox.broker.handler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidRequiredAcksException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestContext;
import org.apache.kafka.common.utils.Time;

import io.letterbox.broker.Brokers;
import io.letterbox.broker.partition.Partition;
import io.letterbox.broker.partition.PartitionManager;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.image.TopicImage;
import io.letterbox.storage.log.LogAppendInfo;

/**
 * Produce: appends each partition's batches as received (validated in place by the log) and
 * answers by {@code acks}: 0 never, 1 once the batch is in the page cache, all (-1) once the
 * high watermark covers it, that is once every in-sync replica has it (and it is fsynced here under
 * {@code flush.on.ack}); acks=all with fewer than {@code min.insync.replicas} in sync is refused
 * (NOT_ENOUGH_REPLICAS) before anything is appended. A partition
 * led elsewhere gets NOT_LEADER_OR_FOLLOWER with the leader and its endpoint (KIP-951, v10+).
 */
public final class ProduceHandler implements ApiHandler<ProduceRequest> {

    /** The first version with KIP-951's current leader and node endpoints. */
    private static final short LEADER_HINT_VERSION = 10;

    private final Supplier<MetadataImage> images;
    private final PartitionManager partitions;
    private final Brokers brokers;
    private final Time time;

    public ProduceHandler(Supplier<MetadataImage> images, PartitionManager partitions, Brokers brokers, Time time) {
        this.images = images;
        this.partitions = partitions;
        this.brokers = brokers;
        this.time = time;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.PRODUCE;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, ProduceRequest request) {
        ProduceRequestData data = request.data();
        short acks = data.acks();
        boolean byId = context.apiVersion() >= 13;
        MetadataImage image = images.get();
        long now = time.milliseconds();
        ProduceResponseData response = new ProduceResponseData();
        List<AckWait> waits = new ArrayList<>();
        List<Partition> appended = new ArrayList<>();
        LeaderHints hints = null;
        for (ProduceRequestData.TopicProduceData topicData : data.topicData()) {
            TopicProduceResponse topicResponse = new TopicProduceResponse()
                    .setName(byId ? "" : topicData.name()).setTopicId(topicData.topicId());
            response.responses().add(topicResponse);
            String topic = byId ? nameOf(image, topicData.topicId()) : topicData.name();
            for (ProduceRequestData.PartitionProduceData partitionData : topicData.partitionData()) {
                PartitionProduceResponse out = new PartitionProduceResponse()
                        .setIndex(partitionData.index()).setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1);
                topicResponse.partitionResponses().add(out);
                try {
                    if (acks != 0 && acks != 1 && acks != -1) {
                        throw new InvalidRequiredAcksException("acks must be -1, 0 or 1, not " + acks);
                    }
                    if (topic == null) {
                        throw new UnknownTopicIdException("no topic with id " + topicData.topicId());
                    }
                    if (data.transactionalId() != null) {
                        throw new InvalidTxnStateException("transactions are not supported by this broker yet");
                    }
                    if (!(partitionData.records() instanceof MemoryRecords records)) {
                        throw new org.apache.kafka.common.errors.CorruptRecordException("produce request without records");
                    }
                    Partition partition = partitions.leaderOrThrow(image, new TopicPartition(topic, partitionData.index()));
                    if (acks == -1) {
                        partition.checkEnoughReplicas();
                    }
                    LogAppendInfo info = partition.appendAsLeaderBeforeFsync(records, now);
                    appended.add(partition);
                    out.setBaseOffset(info.firstOffset()).setLogAppendTimeMs(info.logAppendTime())
                            .setLogStartOffset(info.logStartOffset());
                    if (acks == -1) {
                        waits.add(new AckWait(out, partition.awaitHighWatermark(info)));
                    }
                } catch (NotLeaderOrFollowerException e) {
                    ErrorMapping.setError(out, e);
                    if (context.apiVersion() < LEADER_HINT_VERSION) {
                        continue;
                    }
                    if (hints == null) {
                        hints = new LeaderHints(image, brokers, context.listenerName);
                    }
                    LeaderHints.Leader leader = hints.leaderOf(new TopicPartition(topic, partitionData.index()));
                    if (leader != null) {
                        out.setCurrentLeader(new ProduceResponseData.LeaderIdAndEpoch()
                                .setLeaderId(leader.id()).setLeaderEpoch(leader.epoch()));
                    }
                } catch (RuntimeException e) {
                    ErrorMapping.setError(out, e);
                }
            }
        }
        // Every partition appended first, then their fsyncs asked for together: one round covers the request.
        for (Partition partition : appended) {
            partition.makeDurable(acks == -1);
        }
        if (hints != null) {
            hints.endpoints().forEach(b -> response.nodeEndpoints().add(new ProduceResponseData.NodeEndpoint()
                    .setNodeId(b.nodeId()).setHost(b.host()).setPort(b.port()).setRack(b.rack())));
        }
        if (waits.isEmpty()) {
            return CompletableFuture.completedFuture(new ProduceResponse(response));
        }
        // A partition not durable within the request's timeout answers REQUEST_TIMED_OUT.
        // The response is filled in only here, once, so nothing mutates it while it is written.
        return CompletableFuture.allOf(waits.stream().map(AckWait::durable).toArray(CompletableFuture[]::new))
                .orTimeout(Math.max(1, data.timeoutMs()), TimeUnit.MILLISECONDS)
                .handle((ok, ignored) -> {
                    for (AckWait w : waits) {
                        if (!w.durable.isDone()) {
                            ErrorMapping.setError(w.out, new TimeoutException("not durable within the request timeout"));
                        } else if (w.durable.isCompletedExceptionally()) {
                            ErrorMapping.setError(w.out, w.durable.handle((v, e) -> e).join());
                        }
                    }
                    return new ProduceResponse(response);
                });
    }

    private record AckWait(PartitionProduceResponse out, CompletableFuture<Void> durable) {
    }

    private static String nameOf(MetadataImage image, Uuid id) {
        TopicImage t = image.topics().byId().get(id);
        return t == null ? null : t.name();
    }
}
