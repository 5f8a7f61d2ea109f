package io.letterbox.broker.handler;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.FileRecords.TimestampAndOffset;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.broker.partition.Partition;
import io.letterbox.broker.partition.PartitionManager;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.storage.log.Log;

/**
 * ListOffsets: the earliest offset, the latest (the high watermark, or the last stable offset
 * for read_committed), the first offset at or after a timestamp, or the offset of the largest
 * timestamp. Only offsets consumers may read are ever returned. There is no tiered storage, so
 * the earliest local offset is the earliest, and the latest tiered offset is "none" (-1).
 */
public final class ListOffsetsHandler implements ApiHandler<ListOffsetsRequest> {

    /** v11 (earliest pending upload) came after Kafka 4.1, whose newest is v10. */
    private static final short LATEST = 10;

    private final Supplier<MetadataImage> images;
    private final PartitionManager partitions;

    public ListOffsetsHandler(Supplier<MetadataImage> images, PartitionManager partitions) {
        this.images = images;
        this.partitions = partitions;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_OFFSETS;
    }

    @Override
    public short latestVersion() {
        return LATEST;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, ListOffsetsRequest request) {
        ListOffsetsRequestData data = request.data();
        IsolationLevel isolation = IsolationLevel.forId(data.isolationLevel());
        MetadataImage image = images.get();
        ListOffsetsResponseData response = new ListOffsetsResponseData();
        for (ListOffsetsRequestData.ListOffsetsTopic topic : data.topics()) {
            ListOffsetsTopicResponse topicOut = new ListOffsetsTopicResponse().setName(topic.name());
            response.topics().add(topicOut);
            for (ListOffsetsRequestData.ListOffsetsPartition p : topic.partitions()) {
                ListOffsetsPartitionResponse out = new ListOffsetsPartitionResponse()
                        .setPartitionIndex(p.partitionIndex()).setTimestamp(-1).setOffset(-1).setLeaderEpoch(-1);
                topicOut.partitions().add(out);
                try {
                    Partition partition = partitions.leaderOrThrow(image, new TopicPartition(topic.name(), p.partitionIndex()));
                    LeaderEpochs.check(p.currentLeaderEpoch(), partition.leaderEpoch());
                    lookup(partition, p.timestamp(), isolation).ifPresent(found -> out.setTimestamp(found.timestamp)
                            .setOffset(found.offset).setLeaderEpoch(found.leaderEpoch.orElse(-1)));
                } catch (RuntimeException e) {
                    out.setErrorCode(ErrorMapping.errorOf(e).code());
                }
            }
        }
        return CompletableFuture.completedFuture(new ListOffsetsResponse(response));
    }

    private static Optional<TimestampAndOffset> lookup(Partition partition, long timestamp, IsolationLevel isolation) {
        Log log = partition.log();
        long readable = isolation == IsolationLevel.READ_COMMITTED ? partition.lastStableOffset()
                : partition.highWatermark();
        if (timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP || timestamp == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
            return Optional.of(new TimestampAndOffset(-1, log.logStartOffset(), Optional.empty()));
        }
        if (timestamp == ListOffsetsRequest.LATEST_TIMESTAMP) {
            return Optional.of(new TimestampAndOffset(-1, readable, Optional.of(partition.leaderEpoch())));
        }
        if (timestamp == ListOffsetsRequest.LATEST_TIERED_TIMESTAMP) {
            return Optional.empty();
        }
        Optional<TimestampAndOffset> found = timestamp == ListOffsetsRequest.MAX_TIMESTAMP
                ? log.maxTimestampAndOffset() : log.offsetForTimestamp(timestamp);
        return found.filter(f -> f.offset < readable);
    }
}
