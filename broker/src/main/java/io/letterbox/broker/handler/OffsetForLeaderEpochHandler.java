package io.letterbox.broker.handler;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.broker.partition.Partition;
import io.letterbox.broker.partition.PartitionManager;
import io.letterbox.metadata.image.MetadataImage;

/**
 * OffsetForLeaderEpoch: for each partition, the largest leader epoch not above the requested
 * one and the offset where it ended, from the log's epoch cache. Consumers ask it after a
 * leader change to find out whether their position was truncated away (KIP-320); followers
 * will ask it before fetching. The client's current leader epoch is checked first (FENCED or
 * UNKNOWN_LEADER_EPOCH); an epoch the log does not know is answered UNDEFINED (-1, -1).
 */
public final class OffsetForLeaderEpochHandler implements ApiHandler<OffsetsForLeaderEpochRequest> {

    private final Supplier<MetadataImage> images;
    private final PartitionManager partitions;

    public OffsetForLeaderEpochHandler(Supplier<MetadataImage> images, PartitionManager partitions) {
        this.images = images;
        this.partitions = partitions;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_FOR_LEADER_EPOCH;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, OffsetsForLeaderEpochRequest request) {
        MetadataImage image = images.get();
        OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
        for (OffsetForLeaderTopic topic : request.data().topics()) {
            OffsetForLeaderTopicResult topicOut = new OffsetForLeaderTopicResult().setTopic(topic.topic());
            response.topics().add(topicOut);
            for (OffsetForLeaderPartition p : topic.partitions()) {
                EpochEndOffset out = new EpochEndOffset().setPartition(p.partition())
                        .setLeaderEpoch(OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH)
                        .setEndOffset(OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH_OFFSET);
                topicOut.partitions().add(out);
                try {
                    Partition partition = partitions.leaderOrThrow(image, new TopicPartition(topic.topic(), p.partition()));
                    LeaderEpochs.check(p.currentLeaderEpoch(), partition.leaderEpoch());
                    io.letterbox.storage.log.EpochEndOffset found = partition.log().endOffsetForEpoch(p.leaderEpoch());
                    out.setLeaderEpoch(found.epoch()).setEndOffset(found.endOffset());
                } catch (RuntimeException e) {
                    out.setErrorCode(ErrorMapping.errorOf(e).code());
                }
            }
        }
        return CompletableFuture.completedFuture(new OffsetsForLeaderEpochResponse(response));
    }
}
