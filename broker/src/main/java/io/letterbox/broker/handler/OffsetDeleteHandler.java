package io.letterbox.broker.handler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartition;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartitionCollection;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopic;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopicCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetDeleteRequest;
import org.apache.kafka.common.requests.OffsetDeleteResponse;
import org.apache.kafka.common.requests.RequestContext;
import org.apache.kafka.common.utils.Time;

import io.letterbox.broker.group.GroupMetadataManager;
import io.letterbox.broker.group.GroupRegistry;
import io.letterbox.broker.group.OffsetRules;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.image.TopicImage;

/**
 * OffsetDelete v0: removes a group's committed offsets of some partitions. As Kafka answers:
 * INVALID_GROUP_ID for the empty id; NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS when this
 * broker cannot serve the group now; GROUP_ID_NOT_FOUND when there is no such group;
 * NON_EMPTY_GROUP when it has members whose subscriptions cannot be read (not the consumer
 * protocol); then per partition UNKNOWN_TOPIC_OR_PARTITION for one that does not exist and
 * GROUP_SUBSCRIBED_TO_TOPIC for a topic the members read (see {@link OffsetRules}). Every other
 * partition is answered without error, whether it had an offset or not. The tombstones are written
 * as one batch; the answer waits until they are durable, as commits do.
 */
public final class OffsetDeleteHandler implements ApiHandler<OffsetDeleteRequest> {

    private final Supplier<MetadataImage> images;
    private final GroupMetadataManager offsets;
    private final GroupRegistry groups;
    private final Time time;

    public OffsetDeleteHandler(Supplier<MetadataImage> images, GroupMetadataManager offsets, GroupRegistry groups,
            Time time) {
        this.images = images;
        this.offsets = offsets;
        this.groups = groups;
        this.time = time;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_DELETE;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, OffsetDeleteRequest request) {
        String groupId = request.data().groupId();
        if (groupId == null || groupId.isEmpty()) {
            return error(Errors.INVALID_GROUP_ID);
        }
        OffsetRules rules;
        try {
            rules = groups.offsetRules(groupId);
            if (!rules.deletable()) {
                throw new GroupNotEmptyException("Group " + groupId + " has members of a protocol other than consumer.");
            }
        } catch (RuntimeException e) {
            return error(ErrorMapping.errorOf(e));
        }
        MetadataImage image = images.get();
        OffsetDeleteResponseTopicCollection topics = new OffsetDeleteResponseTopicCollection();
        List<TopicPartition> deletable = new ArrayList<>();
        for (OffsetDeleteRequestTopic t : request.data().topics()) {
            TopicImage topic = image.topics().byName().get(t.name());
            OffsetDeleteResponsePartitionCollection partitions = new OffsetDeleteResponsePartitionCollection();
            for (OffsetDeleteRequestPartition p : t.partitions()) {
                Errors error = Errors.NONE;
                if (topic == null || !topic.partitions().containsKey(p.partitionIndex())) {
                    error = Errors.UNKNOWN_TOPIC_OR_PARTITION;
                } else if (rules.subscribed().test(t.name())) {
                    error = Errors.GROUP_SUBSCRIBED_TO_TOPIC;
                } else {
                    deletable.add(new TopicPartition(t.name(), p.partitionIndex()));
                }
                partitions.add(new OffsetDeleteResponsePartition().setPartitionIndex(p.partitionIndex())
                        .setErrorCode(error.code()));
            }
            topics.add(new OffsetDeleteResponseTopic().setName(t.name()).setPartitions(partitions));
        }
        CompletableFuture<Void> written;
        try {
            written = offsets.deleteOffsets(groupId, deletable, time.milliseconds());
        } catch (RuntimeException e) {
            written = CompletableFuture.failedFuture(e);
        }
        return written.orTimeout(OffsetCommitHandler.COMMIT_TIMEOUT_MS, TimeUnit.MILLISECONDS).handle((ok, e) -> {
            if (e == null) {
                return new OffsetDeleteResponse(new OffsetDeleteResponseData().setTopics(topics));
            }
            Throwable cause = ErrorMapping.unwrap(e);
            Errors code = ErrorMapping.coordinatorWriteErrorOf(cause instanceof java.util.concurrent.TimeoutException
                    ? new TimeoutException("offset deletion not durable in time") : cause);
            return new OffsetDeleteResponse(new OffsetDeleteResponseData().setErrorCode(code.code()));
        });
    }

    private static CompletableFuture<AbstractResponse> error(Errors error) {
        return CompletableFuture.completedFuture(new OffsetDeleteResponse(
                new OffsetDeleteResponseData().setErrorCode(error.code())));
    }
}
