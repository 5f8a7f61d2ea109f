package io.letterbox.storage.log;

import java.nio.ByteBuffer;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The cleaner's key -> latest offset map over a log's dirty section. Keys are kept as their 128-bit MD5
 * hash (a collision could drop a record whose key shares the hash: odds of about 2^-64 per pair), so
 * each entry costs 24 bytes, as in Kafka's dedupe buffer. Open addressing with linear probing; the
 * table starts small and doubles up to the slots {@code log.cleaner.dedupe.buffer.size} pays for, and
 * refuses new keys past 90% of that.
 *
 * <p>Thread-safety: not thread-safe; one per cleaner thread.
 */
final class OffsetMap {

    static final int BYTES_PER_ENTRY = 24;
    private static final double MAX_LOAD = 0.9;
    private static final int INITIAL_SLOTS = 1024;

    private final int maxSlots;
    private final MessageDigest md5;
    private final byte[] digest = new byte[16];
    private long[] hashes;
    private long[] offsets;
    private int size;

    OffsetMap(long bufferBytes) {
        long slots = Long.highestOneBit(Math.max(bufferBytes / BYTES_PER_ENTRY, 16));
        this.maxSlots = (int) Math.min(slots, 1 << 30);
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required by every JVM", e);
        }
        allocate(Math.min(INITIAL_SLOTS, maxSlots));
    }

    private void allocate(int slots) {
        hashes = new long[slots * 2];
        offsets = new long[slots];
        Arrays.fill(offsets, -1L);
    }

    /** Entries this map takes at most. */
    int capacity() {
        return (int) (maxSlots * MAX_LOAD);
    }

    int size() {
        return size;
    }

    void clear() {
        if (offsets.length > INITIAL_SLOTS) {
            allocate(Math.min(INITIAL_SLOTS, maxSlots));
        } else {
            Arrays.fill(offsets, -1L);
        }
        size = 0;
    }

    /**
     * Records {@code offset} as the latest of {@code key} (consumed from position to limit).
     *
     * @return false, changing nothing, if the key is new and the map is full
     */
    boolean put(ByteBuffer key, long offset) {
        hash(key);
        long hi = bytesToLong(0);
        long lo = bytesToLong(8);
        int slot = find(hi, lo);
        if (offsets[slot] >= 0) {
            offsets[slot] = offset;
            return true;
        }
        if (size >= capacity()) {
            return false;
        }
        if (size + 1 > offsets.length * 0.75 && offsets.length < maxSlots) {
            grow();
            slot = find(hi, lo);
        }
        hashes[2 * slot] = hi;
        hashes[2 * slot + 1] = lo;
        offsets[slot] = offset;
        size++;
        return true;
    }

    /** The latest offset recorded for {@code key}, or -1. */
    long get(ByteBuffer key) {
        hash(key);
        return offsets[find(bytesToLong(0), bytesToLong(8))];
    }

    /** The slot holding this hash, or the empty slot where it would go. */
    private int find(long hi, long lo) {
        int mask = offsets.length - 1;
        int slot = (int) (hi ^ (hi >>> 32)) & mask;
        while (offsets[slot] >= 0 && (hashes[2 * slot] != hi || hashes[2 * slot + 1] != lo)) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private void grow() {
        long[] oldHashes = hashes;
        long[] oldOffsets = offsets;
        allocate(oldOffsets.length * 2);
        for (int i = 0; i < oldOffsets.length; i++) {
            if (oldOffsets[i] >= 0) {
                int slot = find(oldHashes[2 * i], oldHashes[2 * i + 1]);
                hashes[2 * slot] = oldHashes[2 * i];
                hashes[2 * slot + 1] = oldHashes[2 * i + 1];
                offsets[slot] = oldOffsets[i];
            }
        }
    }

    private void hash(ByteBuffer key) {
        md5.update(key);
        try {
            md5.digest(digest, 0, digest.length);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
    }

    private long bytesToLong(int from) {
        long v = 0;
        for (int i = from; i < from + 8; i++) {
            v = (v << 8) | (digest[i] & 0xFF);
        }
        return v;
    }
}
