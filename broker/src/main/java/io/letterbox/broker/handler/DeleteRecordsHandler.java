package io.letterbox.broker.handler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.DeleteRecordsResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.broker.delayed.DelayedFetches;
import io.letterbox.broker.partition.Partition;
import io.letterbox.broker.partition.PartitionManager;
import io.letterbox.metadata.image.MetadataImage;

/**
 * DeleteRecords: moves each partition's log start offset up to the given offset (-1: the high
 * watermark) and answers the new low watermark. Only records consumers may already read can be
 * deleted (an offset above the high watermark is OFFSET_OUT_OF_RANGE), and only on topics whose
 * {@code cleanup.policy} includes {@code delete} (else POLICY_VIOLATION, as in Kafka).
 *
 * <p>The new start offset is durable before the answer. The deletion removes segment files and
 * fsyncs, so it runs on {@code io}, not on the network thread. Long-poll fetches waiting on a
 * partition are woken, so one below the new start learns at once that its offset is gone.
 */
public final class DeleteRecordsHandler implements ApiHandler<DeleteRecordsRequest> {

    private final Supplier<MetadataImage> images;
    private final PartitionManager partitions;
    private final DelayedFetches delayedFetches;
    private final Executor io;

    public DeleteRecordsHandler(Supplier<MetadataImage> images, PartitionManager partitions,
            DelayedFetches delayedFetches, Executor io) {
        this.images = images;
        this.partitions = partitions;
        this.delayedFetches = delayedFetches;
        this.io = io;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_RECORDS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DeleteRecordsRequest request) {
        DeleteRecordsRequestData data = request.data();
        MetadataImage image = images.get();
        DeleteRecordsResponseData response = new DeleteRecordsResponseData();
        List<Deletion> deletions = new ArrayList<>();
        for (DeleteRecordsRequestData.DeleteRecordsTopic topic : data.topics()) {
            DeleteRecordsTopicResult topicOut = new DeleteRecordsTopicResult().setName(topic.name());
            response.topics().add(topicOut);
            for (DeleteRecordsRequestData.DeleteRecordsPartition p : topic.partitions()) {
                DeleteRecordsPartitionResult out = new DeleteRecordsPartitionResult()
                        .setPartitionIndex(p.partitionIndex()).setLowWatermark(-1);
                topicOut.partitions().add(out);
                try {
                    TopicPartition tp = new TopicPartition(topic.name(), p.partitionIndex());
                    Partition partition = partitions.leaderOrThrow(image, tp);
                    if (p.offset() < 0 && p.offset() != DeleteRecordsRequest.HIGH_WATERMARK) {
                        throw new OffsetOutOfRangeException("The offset " + p.offset() + " for partition " + tp
                                + " is not valid");
                    }
                    if (!partition.log().config().cleanupPolicy().contains("delete")) {
                        throw new PolicyViolationException("Records of partition " + tp
                                + " can not be deleted due to the configured policy");
                    }
                    deletions.add(new Deletion(partition, p.offset(), out));
                } catch (RuntimeException e) {
                    out.setErrorCode(ErrorMapping.errorOf(e).code());
                }
            }
        }
        if (deletions.isEmpty()) {
            return CompletableFuture.completedFuture(new DeleteRecordsResponse(response));
        }
        return CompletableFuture.supplyAsync(() -> {
            for (Deletion d : deletions) {
                try {
                    long offset = d.offset == DeleteRecordsRequest.HIGH_WATERMARK
                            ? d.partition.highWatermark() : d.offset;
                    d.out.setLowWatermark(d.partition.log().deleteRecordsBefore(offset));
                    delayedFetches.onPartitionChanged(d.partition.topicPartition());
                } catch (RuntimeException e) {
                    d.out.setErrorCode(ErrorMapping.errorOf(e).code()).setLowWatermark(-1);
                }
            }
            return new DeleteRecordsResponse(response);
        }, io);
    }

    private record Deletion(Partition partition, long offset, DeleteRecordsPartitionResult out) {
    }
}
