package io.letterbox.jmh;

import java.util.Arrays;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Producer-like batches: uncompressed, no key, no producer id, as kafka-producer-perf-test sends them. */
public final class Batches {

    private Batches() {
    }

    /**
     * One batch of {@code count} records whose values are {@code recordBytes} bytes each.
     *
     * @param shape {@code <recordBytes>x<count>}, e.g. {@code 1024x16}
     */
    public static MemoryRecords of(String shape, long timestamp) {
        String[] parts = shape.split("x");
        int recordBytes = Integer.parseInt(parts[0]);
        int count = Integer.parseInt(parts[1]);
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            byte[] value = new byte[recordBytes];
            Arrays.fill(value, (byte) ('a' + i % 26));
            records[i] = new SimpleRecord(timestamp, null, value);
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }
}
