package io.letterbox.storage.producer;

import io.letterbox.storage.checkpoint.AtomicFile;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Idempotent-producer state of one partition: per producer id, the epoch and the last 5 batches'
 * sequence ranges and offsets, so that a retried batch is answered with its original offsets and a
 * gap or a stale epoch is refused.
 *
 * <p>Snapshot files {@code <20-digit offset>.snapshot} in the partition directory hold the state of
 * every batch below that offset. Layout (big-endian):
 *
 * <pre>
 * int16 version (1) | uint32 crc32c of everything after it | int32 producerCount
 * per producer: int64 producerId | int16 epoch | int32 batchCount
 *   per batch: int32 firstSeq | int32 lastSeq | int64 firstOffset | int64 lastOffset | int64 timestamp
 * </pre>
 *
 * A snapshot is written atomically and fsynced ({@link AtomicFile}); an unreadable one is skipped.
 *
 * <p>Rules (Kafka's): a batch from an older epoch is refused ({@link InvalidProducerEpochException});
 * the first batch of a newer epoch must have sequence 0; within an epoch a batch must start right after
 * the last sequence (wrapping after Integer.MAX_VALUE) unless it repeats one of the retained batches,
 * which makes it a duplicate; a producer id unknown to this log must start at sequence 0. Otherwise
 * {@link OutOfOrderSequenceException}.
 *
 * <p>Thread-safety: mutations ({@link #prepare}, {@link Pending#commit}, {@link #replay}, snapshot
 * load) are made by the log's single writer; {@link #entry} may be read from any thread.
 */
public final class ProducerStateManager {

    /** How many recent batches per producer are kept for duplicate detection (the client's max in-flight). */
    public static final int RETAINED_BATCHES = 5;
    static final String SNAPSHOT_SUFFIX = ".snapshot";
    private static final short VERSION = 1;
    private static final Logger LOG = LoggerFactory.getLogger(ProducerStateManager.class);

    private final Path dir;
    private final Map<Long, ProducerStateEntry> producers = new ConcurrentHashMap<>();
    /** Offsets of the snapshot files on disk: listed once, then kept as this class writes and deletes them. */
    private final NavigableSet<Long> snapshots = new ConcurrentSkipListSet<>();
    private volatile boolean dirty;

    /** The state of the log in {@code dir}, which this lists to find the snapshots. */
    public ProducerStateManager(Path dir) throws IOException {
        this(dir, fileNames(dir));
    }

    /** The state of the log in {@code dir}, whose files are {@code fileNames} (the caller listed them). */
    public ProducerStateManager(Path dir, Collection<String> fileNames) {
        this.dir = dir;
        for (String name : fileNames) {
            if (name.endsWith(SNAPSHOT_SUFFIX) && name.length() == 20 + SNAPSHOT_SUFFIX.length()) {
                try {
                    snapshots.add(Long.parseLong(name.substring(0, 20)));
                } catch (NumberFormatException e) {
                    // not a snapshot of ours
                }
            }
        }
    }

    private static List<String> fileNames(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }

    public Optional<ProducerStateEntry> entry(long producerId) {
        return Optional.ofNullable(producers.get(producerId));
    }

    public Collection<ProducerStateEntry> entries() {
        return List.copyOf(producers.values());
    }

    /** Starts validating the idempotent batches of one append; nothing changes until {@link Pending#commit}. */
    public Pending prepare() {
        return new Pending();
    }

    /** Validation of one append: an overlay over the current state. */
    public final class Pending {
        private final Map<Long, ProducerStateEntry> updates = new HashMap<>();

        private ProducerStateEntry current(long producerId) {
            ProducerStateEntry e = updates.get(producerId);
            return e != null ? e : producers.get(producerId);
        }

        /**
         * Checks one batch.
         *
         * @return the original batch if this one is a duplicate of a retained batch, else null
         * @throws InvalidProducerEpochException if the epoch is older than the producer's
         * @throws OutOfOrderSequenceException   if the sequence does not follow
         */
        public BatchMetadata check(long producerId, short epoch, int firstSeq, int lastSeq) {
            ProducerStateEntry e = current(producerId);
            if (e == null) {
                if (firstSeq != 0) {
                    throw new OutOfOrderSequenceException("Producer " + producerId + " is unknown to this partition "
                            + "and its first batch has sequence " + firstSeq + ", expected 0");
                }
                return null;
            }
            if (epoch < e.epoch()) {
                throw new InvalidProducerEpochException("Producer " + producerId + " epoch " + epoch
                        + " is older than the current epoch " + e.epoch());
            }
            if (epoch > e.epoch()) {
                if (firstSeq != 0) {
                    throw new OutOfOrderSequenceException("Producer " + producerId + " started epoch " + epoch
                            + " with sequence " + firstSeq + ", expected 0");
                }
                return null;
            }
            BatchMetadata dup = e.find(firstSeq, lastSeq);
            if (dup != null) {
                return dup;
            }
            int last = e.lastSeq();
            boolean inSequence = last < 0 ? firstSeq == 0
                    : firstSeq == (last == Integer.MAX_VALUE ? 0 : last + 1);
            if (!inSequence) {
                throw new OutOfOrderSequenceException("Producer " + producerId + " epoch " + epoch + " sent sequence "
                        + firstSeq + " but the last appended sequence is " + last);
            }
            return null;
        }

        /** Records a batch that passed {@link #check} and will be appended at the given offsets. */
        public void add(long producerId, short epoch, BatchMetadata batch) {
            ProducerStateEntry e = current(producerId);
            ProducerStateEntry base = e != null ? e : new ProducerStateEntry(producerId, epoch, List.of());
            updates.put(producerId, base.with(epoch, batch));
        }

        /** Publishes the updates; call only after the append was written. */
        public void commit() {
            if (!updates.isEmpty()) {
                producers.putAll(updates);
                dirty = true;
            }
        }
    }

    /** Applies a batch read back from the log (recovery), without validation. */
    public void replay(long producerId, short epoch, int firstSeq, int lastSeq, long firstOffset, long lastOffset,
                       long timestamp) {
        ProducerStateEntry e = producers.get(producerId);
        if (e != null && epoch < e.epoch()) {
            return;
        }
        ProducerStateEntry base = e != null ? e : new ProducerStateEntry(producerId, epoch, List.of());
        producers.put(producerId, base.with(epoch, new BatchMetadata(firstSeq, lastSeq, firstOffset, lastOffset,
                timestamp)));
        dirty = true;
    }

    /** True if the state changed since the last snapshot written or loaded. */
    public boolean isDirty() {
        return dirty;
    }

    public void clear() {
        producers.clear();
        dirty = true;
    }

    public static Path snapshotFile(Path dir, long offset) {
        String digits = Long.toString(offset);
        return dir.resolve("0".repeat(20 - digits.length()) + digits + SNAPSHOT_SUFFIX);
    }

    /** Durably writes the current state as the snapshot at {@code offset} and keeps only the newest few. */
    public void writeSnapshot(long offset) throws IOException {
        List<ProducerStateEntry> list = new ArrayList<>(producers.values());
        int size = 4;
        for (ProducerStateEntry e : list) {
            size += 14 + e.batches().size() * 32;
        }
        ByteBuffer body = ByteBuffer.allocate(size);
        body.putInt(list.size());
        for (ProducerStateEntry e : list) {
            body.putLong(e.producerId()).putShort(e.epoch()).putInt(e.batches().size());
            for (BatchMetadata b : e.batches()) {
                body.putInt(b.firstSeq()).putInt(b.lastSeq()).putLong(b.firstOffset()).putLong(b.lastOffset())
                        .putLong(b.timestamp());
            }
        }
        body.flip();
        CRC32C crc = new CRC32C();
        crc.update(body.duplicate());
        ByteBuffer file = ByteBuffer.allocate(6 + size);
        file.putShort(VERSION).putInt((int) crc.getValue()).put(body);
        AtomicFile.write(snapshotFile(dir, offset), file.array());
        snapshots.add(offset);
        dirty = false;
        while (snapshots.size() > 3) {
            long oldest = snapshots.first();
            Files.deleteIfExists(snapshotFile(dir, oldest));
            snapshots.remove(oldest);
        }
    }

    /** Offsets of the snapshot files present, ascending. */
    public List<Long> snapshotOffsets() {
        return List.copyOf(snapshots);
    }

    /** Removes snapshots taken at offsets above {@code offset} (after a truncation). */
    public void deleteSnapshotsAfter(long offset) throws IOException {
        for (long o : snapshotOffsets()) {
            if (o > offset) {
                Files.deleteIfExists(snapshotFile(dir, o));
                snapshots.remove(o);
            }
        }
    }

    /**
     * Replaces the state with the newest readable snapshot at or below {@code maxOffset}.
     *
     * @return the snapshot's offset (the first offset to replay from), or -1 if none was loaded (state empty)
     */
    public long loadLatestSnapshot(long maxOffset) throws IOException {
        producers.clear();
        List<Long> offsets = new ArrayList<>(snapshotOffsets());
        for (int i = offsets.size() - 1; i >= 0; i--) {
            long o = offsets.get(i);
            if (o > maxOffset) {
                continue;
            }
            Map<Long, ProducerStateEntry> loaded = read(snapshotFile(dir, o));
            if (loaded != null) {
                producers.putAll(loaded);
                dirty = false;
                return o;
            }
        }
        dirty = true;
        return -1L;
    }

    private static Map<Long, ProducerStateEntry> read(Path file) {
        try {
            ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file));
            if (buf.remaining() < 10 || buf.getShort() != VERSION) {
                LOG.warn("Ignoring producer snapshot {} with an unknown version or size", file);
                return null;
            }
            int storedCrc = buf.getInt();
            CRC32C crc = new CRC32C();
            crc.update(buf.duplicate());
            if ((int) crc.getValue() != storedCrc) {
                LOG.warn("Ignoring producer snapshot {} with a bad CRC", file);
                return null;
            }
            int count = buf.getInt();
            Map<Long, ProducerStateEntry> result = new HashMap<>();
            for (int i = 0; i < count; i++) {
                long pid = buf.getLong();
                short epoch = buf.getShort();
                int n = buf.getInt();
                List<BatchMetadata> batches = new ArrayList<>(n);
                for (int j = 0; j < n; j++) {
                    batches.add(new BatchMetadata(buf.getInt(), buf.getInt(), buf.getLong(), buf.getLong(),
                            buf.getLong()));
                }
                result.put(pid, new ProducerStateEntry(pid, epoch, batches));
            }
            return result;
        } catch (IOException | RuntimeException e) {
            LOG.warn("Ignoring unreadable producer snapshot {}: {}", file, e.toString());
            return null;
        }
    }
}
