package io.letterbox.storage.producer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The state of one idempotent producer in one partition: its epoch and its last
 * {@link ProducerStateManager#RETAINED_BATCHES} batches (oldest first).
 *
 * <p>Thread-safety: immutable; an update makes a new entry.
 */
public record ProducerStateEntry(long producerId, short epoch, List<BatchMetadata> batches) {

    public ProducerStateEntry {
        batches = Collections.unmodifiableList(new ArrayList<>(batches));
    }

    /** Sequence of the last record appended in this epoch, or -1 if none. */
    public int lastSeq() {
        return batches.isEmpty() ? -1 : batches.get(batches.size() - 1).lastSeq();
    }

    public long lastOffset() {
        return batches.isEmpty() ? -1L : batches.get(batches.size() - 1).lastOffset();
    }

    /** The retained batch with exactly this sequence range, if any. */
    public BatchMetadata find(int firstSeq, int lastSeq) {
        for (BatchMetadata b : batches) {
            if (b.firstSeq() == firstSeq && b.lastSeq() == lastSeq) {
                return b;
            }
        }
        return null;
    }

    /** A new entry with {@code batch} appended (and the epoch set), keeping the last few batches. */
    ProducerStateEntry with(short newEpoch, BatchMetadata batch) {
        List<BatchMetadata> list = new ArrayList<>(newEpoch == epoch ? batches : List.of());
        list.add(batch);
        while (list.size() > ProducerStateManager.RETAINED_BATCHES) {
            list.remove(0);
        }
        return new ProducerStateEntry(producerId, newEpoch, list);
    }
}
