package io.letterbox.broker.group;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.letterbox.broker.group.ConsumerGroupRecords.ConsumerGroupRecord;
import io.letterbox.broker.group.ConsumerGroupRecords.StoredConsumerGroup;
import io.letterbox.broker.group.GroupMetadataRecords.GroupMetadata;
import io.letterbox.broker.group.GroupMetadataRecords.GroupRecord;
import io.letterbox.broker.group.OffsetRecords.CorruptOffsetRecordException;
import io.letterbox.broker.group.OffsetRecords.OffsetRecord;
import io.letterbox.broker.partition.Partition;
import io.letterbox.storage.log.LogAppendInfo;
import io.letterbox.storage.log.LogReadInfo;

/**
 * One partition of {@code __consumer_offsets} that this broker leads: the committed offsets of its
 * groups in memory, and the writer of every record its groups keep there (offsets, tombstones,
 * classic group metadata, consumer groups; see {@link OffsetRecords}, {@link GroupMetadataRecords} and
 * {@link ConsumerGroupRecords}).
 *
 * <p>Memory follows the log. A write is "done" (its future completes) once its batch is below the
 * partition's high watermark: fsynced under {@code flush.on.ack}, as an acks=all produce. Memory
 * changes at that moment, before the future completes, so a fetch after an acknowledged commit sees
 * it; an entry only moves forward in log order, so racing completions cannot reorder two writes.
 *
 * <p>The shard's monitor serializes appends with the bookkeeping of writes in flight (appended, not
 * yet durable) per group and partition. That is what lets deletion and expiry decide from memory
 * without losing a commit on its way: deleting a group tombstones its in-flight keys too, expiry
 * leaves alone a group with writes in flight.
 *
 * <p>Thread-safe. Futures may complete on the thread that appends (without {@code flush.on.ack}) or
 * on the fsync thread; callers that take other locks in their callbacks must move off that thread.
 */
final class OffsetsShard {

    private static final Logger log = LoggerFactory.getLogger(OffsetsShard.class);
    private static final int LOAD_READ_BYTES = 1 << 20;

    final int index;
    final Partition partition;
    /** Durable offsets by group. A group with an entry exists for the offsets store (see {@link #hasGroup}). */
    private final Map<String, Map<TopicPartition, Stored>> groups = new HashMap<>();
    /** Keys with a write appended but not yet durable: group to partition to number of such writes. */
    private final Map<String, Map<TopicPartition, Integer>> inFlight = new HashMap<>();
    volatile boolean loaded;
    volatile boolean unloaded;

    OffsetsShard(int index, Partition partition) {
        this.index = index;
        this.partition = partition;
    }

    /** An offset with the log offset of the record that wrote it. */
    private record Stored(CommittedOffset value, long logOffset) {
    }

    // ---------------------------------------------------------------- reads

    /** Whether a durable commit created the group and no deletion has removed it since. */
    synchronized boolean hasGroup(String groupId) {
        return groups.containsKey(groupId);
    }

    synchronized Set<String> groupIds() {
        return new HashSet<>(groups.keySet());
    }

    /** The durable offsets of {@code groupId}: of {@code wanted}, or all when it is null. */
    synchronized Map<TopicPartition, CommittedOffset> fetch(String groupId, Collection<TopicPartition> wanted) {
        Map<TopicPartition, Stored> group = groups.get(groupId);
        Map<TopicPartition, CommittedOffset> out = new HashMap<>();
        if (group == null) {
            return out;
        }
        if (wanted == null) {
            group.forEach((tp, s) -> out.put(tp, s.value));
        } else {
            for (TopicPartition tp : wanted) {
                Stored s = group.get(tp);
                if (s != null) {
                    out.put(tp, s.value);
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- writes

    /** Writes the offsets of one group as one batch. A commit of nothing writes nothing (no group appears). */
    CompletableFuture<Void> commit(String groupId, Map<TopicPartition, CommittedOffset> offsets, long nowMs) {
        List<OffsetRecord> entries = new ArrayList<>(offsets.size());
        offsets.forEach((tp, v) -> entries.add(new OffsetRecord(groupId, tp, v)));
        return write(groupId, entries, List.of(), false, nowMs);
    }

    /** Tombstones the offsets of {@code partitions} the group has (durable or in flight); the others need nothing. */
    synchronized CompletableFuture<Void> deleteOffsets(String groupId, Collection<TopicPartition> partitions,
            long nowMs) {
        Set<TopicPartition> known = keysOf(groupId);
        List<OffsetRecord> tombstones = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            if (known.contains(tp)) {
                tombstones.add(new OffsetRecord(groupId, tp, null));
            }
        }
        return write(groupId, tombstones, List.of(), false, nowMs);
    }

    /**
     * Tombstones every group's offsets of {@code topics} (durable or in flight), a batch per group:
     * the topics were deleted, and a topic created again under the same name must not start from
     * the old one's positions. Completes with how many offsets it tombstoned once they are durable.
     */
    synchronized CompletableFuture<Integer> deleteOffsetsOfTopics(Set<String> topics, long nowMs) {
        Set<String> groupIds = new HashSet<>(groups.keySet());
        groupIds.addAll(inFlight.keySet());
        int deleted = 0;
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (String groupId : groupIds) {
            List<OffsetRecord> tombstones = new ArrayList<>();
            for (TopicPartition tp : keysOf(groupId)) {
                if (topics.contains(tp.topic())) {
                    tombstones.add(new OffsetRecord(groupId, tp, null));
                }
            }
            deleted += tombstones.size();
            writes.add(write(groupId, tombstones, List.of(), false, nowMs));
        }
        int count = deleted;
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).thenApply(v -> count);
    }

    /**
     * Deletes the group: tombstones for every offset it has (durable or in flight) and for its
     * metadata keys (classic and consumer group: a tombstone of a key never written costs a record
     * and spares knowing the group's type here), in one batch. Once durable the offsets store no longer knows the group, unless a
     * later commit created it again.
     */
    synchronized CompletableFuture<Void> deleteGroup(String groupId, long nowMs) {
        List<OffsetRecord> tombstones = new ArrayList<>();
        for (TopicPartition tp : keysOf(groupId)) {
            tombstones.add(new OffsetRecord(groupId, tp, null));
        }
        return write(groupId, tombstones, List.of(GroupMetadataRecords.record(groupId, null, nowMs),
                ConsumerGroupRecords.record(groupId, null, nowMs)), true, nowMs);
    }

    /**
     * {@link #deleteGroup} for offset expiry: only when the group has no offsets left, durable or
     * in flight.
     *
     * @throws GroupNotEmptyException when it still has some
     */
    synchronized CompletableFuture<Void> deleteGroupWithoutOffsets(String groupId, long nowMs) {
        if (!keysOf(groupId).isEmpty()) {
            throw new GroupNotEmptyException("Group " + groupId + " has committed offsets.");
        }
        return deleteGroup(groupId, nowMs);
    }

    /** Writes a classic group's metadata. */
    CompletableFuture<Void> storeGroup(String groupId, GroupMetadata metadata, long nowMs) {
        return write(groupId, List.of(), List.of(GroupMetadataRecords.record(groupId, metadata, nowMs)), false,
                nowMs);
    }

    /** Writes a consumer group's record; a null {@code group} is a tombstone that leaves the offsets alone. */
    CompletableFuture<Void> storeConsumerGroup(String groupId, StoredConsumerGroup group, long nowMs) {
        return write(groupId, List.of(), List.of(ConsumerGroupRecords.record(groupId, group, nowMs)), false, nowMs);
    }

    /** What one expiry pass did to a group. */
    record Expiry(int expired, boolean noneLeft, CompletableFuture<Void> written) {
    }

    /**
     * Tombstones the group's offsets that {@code rules} say have outlived {@code retentionMs}.
     * A group with writes in flight is being committed to and is left alone this time.
     */
    synchronized Expiry expire(String groupId, OffsetRules rules, long retentionMs, long nowMs) {
        if (inFlight.containsKey(groupId)) {
            return new Expiry(0, false, CompletableFuture.completedFuture(null));
        }
        Map<TopicPartition, Stored> group = groups.getOrDefault(groupId, Map.of());
        List<OffsetRecord> tombstones = new ArrayList<>();
        group.forEach((tp, s) -> {
            if (!rules.subscribed().test(tp.topic()) && rules.expired(s.value, retentionMs, nowMs)) {
                tombstones.add(new OffsetRecord(groupId, tp, null));
            }
        });
        return new Expiry(tombstones.size(), tombstones.size() == group.size(),
                write(groupId, tombstones, List.of(), false, nowMs));
    }

    /**
     * Appends offset records then group records as one batch; memory follows once durable. With
     * {@code deletesGroup}, the group records delete the group (see {@link #apply(GroupRecord, long)}).
     */
    private synchronized CompletableFuture<Void> write(String groupId, List<OffsetRecord> offsets,
            List<SimpleRecord> groupRecords, boolean deletesGroup, long nowMs) {
        int count = offsets.size() + groupRecords.size();
        if (count == 0) {
            return CompletableFuture.completedFuture(null);
        }
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < offsets.size(); i++) {
            records[i] = OffsetRecords.record(offsets.get(i), nowMs);
        }
        for (int i = 0; i < groupRecords.size(); i++) {
            records[offsets.size() + i] = groupRecords.get(i);
        }
        LogAppendInfo info = partition.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, records), nowMs);
        for (OffsetRecord e : offsets) {
            inFlight.computeIfAbsent(groupId, g -> new HashMap<>()).merge(e.topicPartition(), 1, Integer::sum);
        }
        long first = info.firstOffset();
        return partition.awaitHighWatermark(info.lastOffset() + 1).whenComplete((ok, error) -> {
            synchronized (this) {
                settle(groupId, offsets);
                if (error == null) {
                    long logOffset = first;
                    for (OffsetRecord e : offsets) {
                        apply(e, logOffset++);
                    }
                    if (deletesGroup) {
                        apply(new GroupRecord(groupId, null), logOffset);
                    }
                }
            }
        });
    }

    /** Under the monitor: the writes of these keys are no longer in flight. */
    private void settle(String groupId, List<OffsetRecord> offsets) {
        Map<TopicPartition, Integer> pending = inFlight.get(groupId);
        if (pending == null) {
            return;
        }
        for (OffsetRecord e : offsets) {
            pending.computeIfPresent(e.topicPartition(), (tp, n) -> n == 1 ? null : n - 1);
        }
        if (pending.isEmpty()) {
            inFlight.remove(groupId);
        }
    }

    /** Under the monitor: every partition the group has an offset for, durable or in flight. */
    private Set<TopicPartition> keysOf(String groupId) {
        Set<TopicPartition> keys = new HashSet<>(groups.getOrDefault(groupId, Map.of()).keySet());
        keys.addAll(inFlight.getOrDefault(groupId, Map.of()).keySet());
        return keys;
    }

    /** Under the monitor: applies one offset record, unless a later record of the same key is applied already. */
    private void apply(OffsetRecord r, long logOffset) {
        if (r.value() == null) {
            Map<TopicPartition, Stored> group = groups.get(r.group());
            if (group != null) {
                group.computeIfPresent(r.topicPartition(), (tp, old) -> old.logOffset < logOffset ? null : old);
            }
            return;
        }
        groups.computeIfAbsent(r.group(), g -> new HashMap<>()).merge(r.topicPartition(),
                new Stored(r.value(), logOffset), (old, neu) -> old.logOffset < neu.logOffset ? neu : old);
    }

    /**
     * Under the monitor: a group tombstone forgets the group, unless offsets written after it (a
     * simple commit that created the group again) are there.
     */
    private void apply(GroupRecord r, long logOffset) {
        if (r.value() != null) {
            return;
        }
        Map<TopicPartition, Stored> group = groups.get(r.groupId());
        if (group != null && group.values().stream().allMatch(s -> s.logOffset < logOffset)) {
            groups.remove(r.groupId());
        }
    }

    // ---------------------------------------------------------------- load

    /** The groups a replayed log holds: the latest record of each group not deleted since, in log order. */
    record Loaded(Map<String, GroupMetadata> classicGroups, Map<String, StoredConsumerGroup> consumerGroups) {
    }

    /**
     * Replays the log from its start to its end as of the call, into memory, and returns the
     * groups it holds. A group id written as one type then the other (a group that changed
     * protocol while empty) is the type written last. Corrupt records are skipped with an error
     * log. Stops early when {@code stop} says so.
     *
     * @throws Exception when the log cannot be made durable or read
     */
    Loaded load(BooleanSupplier stop) throws Exception {
        long end = partition.log().logEndOffset();
        // Replay only what is durable: after a crash the recovered tail is fsynced first.
        partition.awaitHighWatermark(end).get(60, java.util.concurrent.TimeUnit.SECONDS);
        Loaded loaded = new Loaded(new LinkedHashMap<>(), new LinkedHashMap<>());
        long offset = partition.log().logStartOffset();
        while (offset < end && !stop.getAsBoolean()) {
            LogReadInfo read = partition.log().read(offset, LOAD_READ_BYTES, end, true);
            long before = offset;
            for (RecordBatch batch : read.records().batches()) {
                offset = batch.nextOffset();
                if (!batch.isControlBatch()) {
                    for (Record r : batch) {
                        replay(r, loaded);
                    }
                }
            }
            if (offset == before) {
                break;
            }
        }
        return loaded;
    }

    private synchronized void replay(Record r, Loaded loaded) {
        try {
            short keyVersion = OffsetRecords.keyVersion(r.key());
            if (keyVersion == OffsetRecords.GROUP_METADATA_KEY_VERSION) {
                GroupRecord g = GroupMetadataRecords.decode(r.key(), r.value());
                loaded.classicGroups().remove(g.groupId());
                if (g.value() != null) {
                    loaded.classicGroups().put(g.groupId(), g.value());
                    loaded.consumerGroups().remove(g.groupId());
                }
                apply(g, r.offset());
            } else if (keyVersion == ConsumerGroupRecords.KEY_VERSION) {
                ConsumerGroupRecord c = ConsumerGroupRecords.decode(r.key(), r.value());
                loaded.consumerGroups().remove(c.groupId());
                if (c.value() != null) {
                    loaded.consumerGroups().put(c.groupId(), c.value());
                    loaded.classicGroups().remove(c.groupId());
                }
            } else {
                OffsetRecord o = OffsetRecords.decode(r.key(), r.value());
                if (o != null) {
                    apply(o, r.offset());
                }
            }
        } catch (CorruptOffsetRecordException e) {
            log.error("Skipping record at {} of {}: {}", r.offset(), partition.topicPartition(), e.getMessage());
        }
    }

    /** Groups with offsets, for the load log line. */
    synchronized int groupCount() {
        return groups.size();
    }
}
