package io.letterbox.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.letterbox.broker.group.ConsumerGroupRecords.StoredConsumerGroup;
import io.letterbox.broker.group.GroupMetadataRecords.GroupMetadata;
import io.letterbox.broker.group.GroupMetadataRecords.MemberMetadata;
import io.letterbox.metadata.record.RemoveTopicRecord;
import io.letterbox.metadata.record.TopicRecord;

/**
 * The offsets store on real files: deletions and expiry are tombstones in the log, so what they
 * removed stays removed when the partitions are loaded again (a restart), and classic group
 * metadata comes back from the log.
 */
class GroupMetadataManagerTest {

    private static final long HOUR = TimeUnit.HOURS.toMillis(1);
    private static final TopicPartition T0 = new TopicPartition("orders", 0);
    private static final TopicPartition T1 = new TopicPartition("orders", 1);
    private static final TopicPartition P0 = new TopicPartition("payments", 0);

    @TempDir
    Path dir;

    private OffsetsTopicFixture topic;
    /** What the last load handed to its listener: the classic groups of every partition. */
    private final Map<String, GroupMetadata> restored = new ConcurrentHashMap<>();

    private GroupMetadataManager open() {
        topic = OffsetsTopicFixture.open(dir);
        restored.clear();
        topic.offsets().addLoadListener(new GroupLoadListener() {
            @Override
            public void onLoaded(Predicate<String> inShard, Map<String, GroupMetadata> classicGroups,
                    Map<String, StoredConsumerGroup> consumerGroups) {
                restored.putAll(classicGroups);
            }

            @Override
            public void onUnloaded(Predicate<String> inShard) {
            }
        });
        topic.load();
        return topic.offsets();
    }

    private GroupMetadataManager restart() {
        topic.close();
        return open();
    }

    @AfterEach
    void close() {
        topic.close();
    }

    private static CommittedOffset at(long offset, long commitMs) {
        return new CommittedOffset(offset, -1, "", commitMs);
    }

    private static void durable(java.util.concurrent.CompletableFuture<Void> write) throws Exception {
        write.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aDeletedGroupStaysDeletedAfterARestart() throws Exception {
        // Given a group with offsets and classic metadata, and another group
        GroupMetadataManager offsets = open();
        long now = System.currentTimeMillis();
        durable(offsets.commit("g", Map.of(T0, at(5, now), P0, at(9, now)), now));
        durable(offsets.storeGroup("g", new GroupMetadata("consumer", 3, null, null, now, List.of()), now));
        durable(offsets.commit("other", Map.of(T0, at(1, now)), now));

        // When it is deleted
        durable(offsets.deleteGroup("g", now));

        // Then it is gone, and still gone after a restart, while the other group is untouched
        assertThat(offsets.groupExists("g")).isFalse();
        assertThat(offsets.fetch("g", null)).isEmpty();
        offsets = restart();
        assertThat(offsets.groupExists("g")).isFalse();
        assertThat(offsets.fetch("g", null)).isEmpty();
        assertThat(restored).doesNotContainKey("g");
        assertThat(offsets.fetch("other", null)).containsEntry(T0, at(1, now));
    }

    @Test
    void aCommitAfterADeletionCreatesTheGroupAgain() throws Exception {
        GroupMetadataManager offsets = open();
        long now = System.currentTimeMillis();
        durable(offsets.commit("g", Map.of(T0, at(5, now)), now));
        durable(offsets.deleteGroup("g", now));
        durable(offsets.commit("g", Map.of(T1, at(7, now)), now));

        assertThat(offsets.fetch("g", null)).containsOnlyKeys(T1);
        offsets = restart();
        assertThat(offsets.groupExists("g")).isTrue();
        assertThat(offsets.fetch("g", null)).containsExactly(Map.entry(T1, at(7, now)));
    }

    @Test
    void offsetDeleteRemovesOnlyTheNamedPartitionsAndTheGroupStays() throws Exception {
        GroupMetadataManager offsets = open();
        long now = System.currentTimeMillis();
        durable(offsets.commit("g", Map.of(T0, at(5, now), T1, at(6, now), P0, at(7, now)), now));

        // When two partitions are deleted, one of which never had an offset
        durable(offsets.deleteOffsets("g", List.of(T0, new TopicPartition("orders", 9)), now));
        durable(offsets.deleteOffsets("g", List.of(T1, P0), now));

        // Then the group has none left but still exists, as in Kafka, also after a restart
        assertThat(offsets.fetch("g", null)).isEmpty();
        assertThat(offsets.groupExists("g")).isTrue();
        offsets = restart();
        assertThat(offsets.fetch("g", null)).isEmpty();
        assertThat(offsets.groupExists("g")).isTrue();
    }

    @Test
    void aDeletedTopicsOffsetsGoWithItInEveryGroupAndStayGoneAfterARestart() throws Exception {
        // Given two groups with offsets of "orders" and "payments"
        GroupMetadataManager offsets = open();
        Uuid orders = Uuid.randomUuid();
        topic.publish(List.of(new TopicRecord("orders", orders), new TopicRecord("payments", Uuid.randomUuid())));
        long now = System.currentTimeMillis();
        durable(offsets.commit("g", Map.of(T0, at(5, now), T1, at(6, now), P0, at(7, now)), now));
        durable(offsets.commit("h", Map.of(T0, at(8, now)), now));

        // When "orders" is deleted
        topic.publish(List.of(new RemoveTopicRecord(orders)));

        // Then both groups lose its offsets and keep the others, also after a restart; both still exist
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!offsets.fetch("h", null).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(offsets.fetch("h", null)).isEmpty();
        assertThat(offsets.fetch("g", null)).containsExactly(Map.entry(P0, at(7, now)));
        GroupMetadataManager restarted = restart();
        assertThat(restarted.fetch("g", null)).containsExactly(Map.entry(P0, at(7, now)));
        assertThat(restarted.fetch("h", null)).isEmpty();
        assertThat(restarted.groupExists("h")).isTrue();
    }

    @Test
    void aCommitOfNothingCreatesNoGroup() throws Exception {
        GroupMetadataManager offsets = open();
        durable(offsets.commit("g", Map.of(), System.currentTimeMillis()));
        assertThat(offsets.groupExists("g")).isFalse();
        assertThat(offsets.groupIds()).doesNotContain("g");
    }

    @Test
    void expiryRemovesWhatOutlivedTheRetentionAndNothingElse() throws Exception {
        // Given a simple group with an old and a fresh commit
        GroupMetadataManager offsets = open();
        long now = System.currentTimeMillis();
        durable(offsets.commit("g", Map.of(T0, at(5, now - 3 * HOUR), T1, at(6, now - HOUR / 2)), now));

        // When offsets older than two hours expire
        OffsetsShard.Expiry e = offsets.expire("g", OffsetRules.SIMPLE, 2 * HOUR, now);
        durable(e.written());

        // Then only the old one is tombstoned, for good
        assertThat(e.expired()).isEqualTo(1);
        assertThat(e.noneLeft()).isFalse();
        offsets = restart();
        assertThat(offsets.fetch("g", null)).containsOnlyKeys(T1);

        // And once the fresh one is old too, the group has none left and may go
        OffsetsShard.Expiry later = offsets.expire("g", OffsetRules.SIMPLE, 2 * HOUR, now + 2 * HOUR);
        durable(later.written());
        assertThat(later.noneLeft()).isTrue();
        durable(offsets.deleteGroupWithoutOffsets("g", now));
        offsets = restart();
        assertThat(offsets.groupExists("g")).isFalse();
    }

    @Test
    void expiryKeepsSubscribedTopicsAndGroupsWhoseRulesKeepEverything() throws Exception {
        GroupMetadataManager offsets = open();
        long old = System.currentTimeMillis() - 10 * HOUR;
        durable(offsets.commit("g", Map.of(T0, at(5, old), P0, at(6, old)), old));

        // A stable group reading "orders": only the unsubscribed topic's offset expires
        OffsetRules stable = new OffsetRules(true, "orders"::equals, OffsetRules.Retention.FROM_COMMIT, -1);
        OffsetsShard.Expiry e = offsets.expire("g", stable, HOUR, System.currentTimeMillis());
        durable(e.written());
        assertThat(offsets.fetch("g", null)).containsOnlyKeys(T0);

        // A rebalancing group keeps everything; an empty one counts from when it became empty
        OffsetRules rebalancing = OffsetRules.unsubscribed(true, OffsetRules.Retention.NONE, -1);
        assertThat(offsets.expire("g", rebalancing, HOUR, Long.MAX_VALUE / 2).expired()).isZero();
        long emptySince = System.currentTimeMillis() - HOUR / 2;
        OffsetRules empty = OffsetRules.unsubscribed(true, OffsetRules.Retention.FROM_EMPTY, emptySince);
        assertThat(offsets.expire("g", empty, HOUR, System.currentTimeMillis()).expired()).isZero();
        assertThat(offsets.expire("g", empty, HOUR, emptySince + HOUR).expired()).isEqualTo(1);
    }

    @Test
    void aGroupWithOffsetsIsNotDeletedAsUnused() throws Exception {
        GroupMetadataManager offsets = open();
        long now = System.currentTimeMillis();
        durable(offsets.commit("g", Map.of(T0, at(5, now)), now));
        assertThatThrownBy(() -> offsets.deleteGroupWithoutOffsets("g", now))
                .isInstanceOf(GroupNotEmptyException.class);
        assertThat(offsets.fetch("g", null)).containsOnlyKeys(T0);
    }

    @Test
    void writesOfOneGroupInFlightTogetherAllCompleteInLogOrder() throws Exception {
        // Given metadata writes and commits of one group appended before any is durable
        GroupMetadataManager offsets = open();
        long now = System.currentTimeMillis();
        GroupMetadata first = new GroupMetadata("consumer", 1, null, null, now, List.of());
        GroupMetadata second = new GroupMetadata("consumer", 2, null, null, now, List.of());
        var writes = List.of(offsets.storeGroup("g", first, now), offsets.commit("g", Map.of(T0, at(1, now)), now),
                offsets.storeGroup("g", second, now), offsets.commit("g", Map.of(T0, at(2, now)), now));

        // Then every one completes, the latest of each key wins, now and after a restart
        for (var w : writes) {
            durable(w);
        }
        assertThat(offsets.fetch("g", null)).containsExactly(Map.entry(T0, at(2, now)));
        offsets = restart();
        assertThat(offsets.fetch("g", null)).containsExactly(Map.entry(T0, at(2, now)));
        assertThat(restored.get("g")).isEqualTo(second);
    }

    @Test
    void classicGroupMetadataComesBackFromTheLogLatestFirstAndNotOnceDeleted() throws Exception {
        // Given two generations of one group and a group stored then deleted
        GroupMetadataManager offsets = open();
        long now = System.currentTimeMillis();
        MemberMetadata member = new MemberMetadata("m-1", "i-1", "c", "/h", 5000, 6000, new byte[] {1},
                new byte[] {2});
        GroupMetadata first = new GroupMetadata("consumer", 1, "range", "m-1", now, List.of(member));
        GroupMetadata second = new GroupMetadata("consumer", 2, null, null, now + 1, List.of());
        durable(offsets.storeGroup("g", first, now));
        durable(offsets.storeGroup("g", second, now));
        durable(offsets.storeGroup("gone", first, now));
        durable(offsets.deleteGroup("gone", now));

        // When the partitions are loaded again
        restart();

        // Then the listener gets the latest metadata of the live group only
        assertThat(restored).containsOnlyKeys("g");
        assertThat(restored.get("g")).isEqualTo(second);
    }
}
