package io.letterbox.broker.handler;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.RequestContext;
import org.apache.kafka.common.utils.Time;

import io.letterbox.broker.group.CommittedOffset;
import io.letterbox.broker.group.GroupMembership;
import io.letterbox.broker.group.GroupMetadataManager;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.image.TopicImage;

/**
 * OffsetCommit v2-9 (v10, by topic id, is not offered). Checks in Kafka's order: a group id
 * (INVALID_GROUP_ID when null; the empty id is a group, as Kafka 4.1 accepts it), this broker coordinates and has loaded it (NOT_COORDINATOR,
 * COORDINATOR_LOAD_IN_PROGRESS), the {@link GroupMembership} accepts the member and generation;
 * then per partition: the partition exists (UNKNOWN_TOPIC_OR_PARTITION), the metadata fits
 * {@code offset.metadata.max.bytes} (OFFSET_METADATA_TOO_LARGE). The accepted partitions are written
 * as one batch; the answer waits until it is durable (acks=all), at most
 * {@link #COMMIT_TIMEOUT_MS}, after which it is COORDINATOR_NOT_AVAILABLE as in Kafka.
 */
public final class OffsetCommitHandler implements ApiHandler<OffsetCommitRequest> {

    /** Kafka's {@code offsets.commit.timeout.ms} default. */
    static final long COMMIT_TIMEOUT_MS = 5_000;

    private final Supplier<MetadataImage> images;
    private final GroupMetadataManager groups;
    private final GroupMembership membership;
    private final int metadataMaxBytes;
    private final Time time;

    public OffsetCommitHandler(Supplier<MetadataImage> images, GroupMetadataManager groups, GroupMembership membership,
            int metadataMaxBytes, Time time) {
        this.images = images;
        this.groups = groups;
        this.membership = membership;
        this.metadataMaxBytes = metadataMaxBytes;
        this.time = time;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_COMMIT;
    }

    @Override
    public short latestVersion() {
        return 9;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, OffsetCommitRequest request) {
        OffsetCommitRequestData data = request.data();
        String groupId = data.groupId();
        try {
            if (groupId == null) {
                return all(data, Errors.INVALID_GROUP_ID);
            }
            groups.checkCoordinator(groupId);
            membership.validateOffsetCommit(groupId, groups.groupExists(groupId), data.generationIdOrMemberEpoch(),
                    data.memberId(), data.groupInstanceId(), context.apiVersion());
        } catch (RuntimeException e) {
            return all(data, ErrorMapping.errorOf(e));
        }
        MetadataImage image = images.get();
        long now = time.milliseconds();
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        Map<TopicPartition, CommittedOffset> accepted = new LinkedHashMap<>();
        Map<TopicPartition, OffsetCommitResponsePartition> pending = new LinkedHashMap<>();
        for (OffsetCommitRequestData.OffsetCommitRequestTopic t : data.topics()) {
            OffsetCommitResponseTopic topicOut = new OffsetCommitResponseTopic().setName(t.name());
            response.topics().add(topicOut);
            TopicImage topic = image.topics().byName().get(t.name());
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions()) {
                OffsetCommitResponsePartition out = new OffsetCommitResponsePartition()
                        .setPartitionIndex(p.partitionIndex());
                topicOut.partitions().add(out);
                TopicPartition tp = new TopicPartition(t.name(), p.partitionIndex());
                if (topic == null || !topic.partitions().containsKey(p.partitionIndex())) {
                    out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                } else if (p.committedMetadata() != null && p.committedMetadata().length() > metadataMaxBytes) {
                    out.setErrorCode(Errors.OFFSET_METADATA_TOO_LARGE.code());
                } else {
                    String metadata = p.committedMetadata() == null ? "" : p.committedMetadata();
                    accepted.put(tp, new CommittedOffset(p.committedOffset(), p.committedLeaderEpoch(), metadata, now));
                    pending.put(tp, out);
                }
            }
        }
        CompletableFuture<Void> written;
        try {
            written = groups.commit(groupId, accepted, now);
        } catch (RuntimeException e) {
            written = CompletableFuture.failedFuture(e);
        }
        return written.orTimeout(COMMIT_TIMEOUT_MS, TimeUnit.MILLISECONDS).handle((ok, error) -> {
            Errors code = Errors.NONE;
            if (error != null) {
                Throwable cause = ErrorMapping.unwrap(error);
                code = cause instanceof java.util.concurrent.TimeoutException
                        ? ErrorMapping.coordinatorWriteErrorOf(new TimeoutException("commit not durable in time"))
                        : ErrorMapping.coordinatorWriteErrorOf(cause);
            }
            for (OffsetCommitResponsePartition out : pending.values()) {
                out.setErrorCode(code.code());
            }
            return new OffsetCommitResponse(response);
        });
    }

    private static CompletableFuture<AbstractResponse> all(OffsetCommitRequestData data, Errors error) {
        return CompletableFuture.completedFuture(new OffsetCommitResponse(OffsetCommitRequest.getErrorResponse(data, error)));
    }
}
