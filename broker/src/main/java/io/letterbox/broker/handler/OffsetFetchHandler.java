package io.letterbox.broker.handler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.broker.group.CommittedOffset;
import io.letterbox.broker.group.GroupMembership;
import io.letterbox.broker.group.GroupMetadataManager;

/**
 * OffsetFetch v1-9 (v10, by topic id, is not offered): one group (v1-7) or a batch (v8+); topics
 * null (v2+) means every partition the group has committed. A requested partition without a
 * commit answers offset -1, empty metadata, no error. The empty group id is a group (as in
 * Kafka). Group-level failures (INVALID_GROUP_ID for a null id,
 * NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS, the {@link GroupMembership}'s) go in the group's
 * error code (v8+), the top-level one (v2-7) or every requested partition (v1).
 *
 * <p>{@code require_stable} is accepted: without transactions no offset is ever pending, so every
 * answer is stable.
 */
public final class OffsetFetchHandler implements ApiHandler<OffsetFetchRequest> {

    private final GroupMetadataManager groups;
    private final GroupMembership membership;

    public OffsetFetchHandler(GroupMetadataManager groups, GroupMembership membership) {
        this.groups = groups;
        this.membership = membership;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_FETCH;
    }

    @Override
    public short latestVersion() {
        return 9;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, OffsetFetchRequest request) {
        short version = context.apiVersion();
        OffsetFetchRequestData data = request.data();
        OffsetFetchResponseData response = new OffsetFetchResponseData();
        if (version >= OffsetFetchRequest.BATCH_MIN_VERSION) {
            for (OffsetFetchRequestData.OffsetFetchRequestGroup g : data.groups()) {
                List<TopicPartition> wanted = null;
                if (g.topics() != null) {
                    wanted = new ArrayList<>();
                    for (OffsetFetchRequestData.OffsetFetchRequestTopics t : g.topics()) {
                        for (int p : t.partitionIndexes()) {
                            wanted.add(new TopicPartition(t.name(), p));
                        }
                    }
                }
                OffsetFetchResponseGroup out = new OffsetFetchResponseGroup().setGroupId(g.groupId());
                response.groups().add(out);
                try {
                    Map<String, List<Answer>> byTopic = fetch(g.groupId(), wanted, g.memberId(), g.memberEpoch(), version);
                    byTopic.forEach((topic, answers) -> {
                        OffsetFetchResponseTopics t = new OffsetFetchResponseTopics().setName(topic);
                        for (Answer a : answers) {
                            t.partitions().add(new OffsetFetchResponsePartitions().setPartitionIndex(a.partition)
                                    .setCommittedOffset(a.offset.offset()).setCommittedLeaderEpoch(a.offset.leaderEpoch())
                                    .setMetadata(a.offset.metadata()).setErrorCode(Errors.NONE.code()));
                        }
                        out.topics().add(t);
                    });
                } catch (RuntimeException e) {
                    out.setErrorCode(ErrorMapping.errorOf(e).code());
                }
            }
        } else {
            List<TopicPartition> wanted = null;
            if (data.topics() != null) {
                wanted = new ArrayList<>();
                for (OffsetFetchRequestData.OffsetFetchRequestTopic t : data.topics()) {
                    for (int p : t.partitionIndexes()) {
                        wanted.add(new TopicPartition(t.name(), p));
                    }
                }
            }
            try {
                Map<String, List<Answer>> byTopic = fetch(data.groupId(), wanted, null, -1, version);
                byTopic.forEach((topic, answers) -> response.topics().add(oldTopic(topic, answers, version, Errors.NONE)));
            } catch (RuntimeException e) {
                Errors error = ErrorMapping.errorOf(e);
                if (version >= 2) {
                    response.setErrorCode(error.code());
                } else if (wanted != null) {
                    // v1 has no top-level error: every requested partition carries it.
                    Map<String, List<Answer>> byTopic = new TreeMap<>();
                    for (TopicPartition tp : wanted) {
                        byTopic.computeIfAbsent(tp.topic(), k -> new ArrayList<>()).add(new Answer(tp.partition(), NONE));
                    }
                    byTopic.forEach((topic, answers) -> response.topics().add(oldTopic(topic, answers, version, error)));
                }
            }
        }
        return CompletableFuture.completedFuture(new OffsetFetchResponse(response, version));
    }

    private static final CommittedOffset NONE = new CommittedOffset(OffsetFetchResponse.INVALID_OFFSET, -1,
            OffsetFetchResponse.NO_METADATA, -1);

    private record Answer(int partition, CommittedOffset offset) {
    }

    /** The offsets of one group by topic, in request order for listed partitions. */
    private Map<String, List<Answer>> fetch(String groupId, List<TopicPartition> wanted, String memberId,
            int memberEpoch, short version) {
        if (groupId == null) {
            throw new org.apache.kafka.common.errors.InvalidGroupIdException("The group id is missing.");
        }
        groups.checkCoordinator(groupId);
        membership.validateOffsetFetch(groupId, groups.groupExists(groupId), memberId, memberEpoch, version);
        Map<TopicPartition, CommittedOffset> found = groups.fetch(groupId, wanted);
        Map<String, List<Answer>> out = new TreeMap<>();
        if (wanted == null) {
            found.forEach((tp, v) -> out.computeIfAbsent(tp.topic(), k -> new ArrayList<>()).add(new Answer(tp.partition(), v)));
            out.values().forEach(l -> l.sort((a, b) -> Integer.compare(a.partition, b.partition)));
        } else {
            for (TopicPartition tp : wanted) {
                out.computeIfAbsent(tp.topic(), k -> new ArrayList<>())
                        .add(new Answer(tp.partition(), found.getOrDefault(tp, NONE)));
            }
        }
        return out;
    }

    private static OffsetFetchResponseTopic oldTopic(String topic, List<Answer> answers, short version, Errors error) {
        OffsetFetchResponseTopic t = new OffsetFetchResponseTopic().setName(topic);
        for (Answer a : answers) {
            OffsetFetchResponsePartition p = new OffsetFetchResponsePartition().setPartitionIndex(a.partition)
                    .setCommittedOffset(a.offset.offset()).setMetadata(a.offset.metadata())
                    .setErrorCode(error.code());
            if (version >= 5) {
                p.setCommittedLeaderEpoch(a.offset.leaderEpoch());
            }
            t.partitions().add(p);
        }
        return t;
    }
}
