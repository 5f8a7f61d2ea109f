package io.letterbox.broker.handler;

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
import io.letterbox.storage.log.Log;

/**
 * DeleteRecords: moves each partition's log start offset up to the given offset (-1: the high
 * watermark) and answers the new low watermark. The new start offset is durable before the
 * answer (the log fsyncs its checkpoint), so that work runs on {@code blockingWork}, not on the
 * network thread. Waiting fetches are woken afterwards: one parked below the new start must now
 * be told OFFSET_OUT_OF_RANGE.
 *
 * <p>Per partition, as Kafka: an offset above the high watermark or negative is
 * OFFSET_OUT_OF_RANGE; a topic whose cleanup.policy lacks "delete" is POLICY_VIOLATION; a
 * partition led elsewhere NOT_LEADER_OR_FOLLOWER; an unknown one UNKNOWN_TOPIC_OR_PARTITION.
 */
public final class DeleteRecordsHandler implements ApiHandler<DeleteRecordsRequest> {

    private final Supplier<MetadataImage> images;
    private final PartitionManager partitions;
    private final DelayedFetches delayedFetches;
    private final Executor blockingWork;

    public DeleteRecordsHandler(Supplier<MetadataImage> images, PartitionManager partitions,
            DelayedFetches delayedFetches, Executor blockingWork) {
        this.images = images;
        this.partitions = partitions;
        this.delayedFetches = delayedFetches;
        this.blockingWork = blockingWork;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_RECORDS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DeleteRecordsRequest request) {
        DeleteRecordsRequestData data = request.data().duplicate();
        return CompletableFuture.supplyAsync(() -> answer(data), blockingWork);
    }

    private AbstractResponse answer(DeleteRecordsRequestData data) {
        MetadataImage image = images.get();
        DeleteRecordsResponseData response = new DeleteRecordsResponseData();
        for (DeleteRecordsRequestData.DeleteRecordsTopic topic : data.topics()) {
            DeleteRecordsTopicResult topicOut = new DeleteRecordsTopicResult().setName(topic.name());
            response.topics().add(topicOut);
            for (DeleteRecordsRequestData.DeleteRecordsPartition p : topic.partitions()) {
                DeleteRecordsPartitionResult out = new DeleteRecordsPartitionResult()
                        .setPartitionIndex(p.partitionIndex()).setLowWatermark(DeleteRecordsResponse.INVALID_LOW_WATERMARK);
                topicOut.partitions().add(out);
                TopicPartition tp = new TopicPartition(topic.name(), p.partitionIndex());
                try {
                    out.setLowWatermark(delete(partitions.leaderOrThrow(image, tp), p.offset()));
                    delayedFetches.onPartitionChanged(tp);
                } catch (RuntimeException e) {
                    out.setErrorCode(ErrorMapping.errorOf(e).code());
                }
            }
        }
        return new DeleteRecordsResponse(response);
    }

    private static long delete(Partition partition, long requested) {
        Log log = partition.log();
        TopicPartition tp = partition.topicPartition();
        if (!log.config().cleanupPolicy().contains("delete")) {
            throw new PolicyViolationException("Records of partition " + tp
                    + " can not be deleted due to the configured policy");
        }
        long offset = requested == DeleteRecordsRequest.HIGH_WATERMARK ? partition.highWatermark() : requested;
        if (offset < 0) {
            throw new OffsetOutOfRangeException("The offset " + offset + " for partition " + tp + " is not valid");
        }
        return log.deleteRecordsBefore(offset);
    }
}
