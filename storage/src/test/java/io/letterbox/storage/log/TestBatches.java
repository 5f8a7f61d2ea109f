package io.letterbox.storage.log;

import io.letterbox.storage.config.LogConfig;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.Uuid;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builders for client-like batches and readers of what the log returns. */
final class TestBatches {

    static final long NOW = 1_700_000_000_000L;
    static final Uuid TOPIC_ID = Uuid.fromString("c2hvcnQtaWQtZm9yLXRlcw");

    private TestBatches() {
    }

    static SimpleRecord[] simple(long timestamp, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(timestamp, ("k" + i).getBytes(StandardCharsets.UTF_8),
                    values[i].getBytes(StandardCharsets.UTF_8));
        }
        return records;
    }

    static MemoryRecords batch(long timestamp, String... values) {
        return MemoryRecords.withRecords(Compression.NONE, simple(timestamp, values));
    }

    static MemoryRecords batch(String... values) {
        return batch(NOW, values);
    }

    static MemoryRecords compressed(Compression compression, String... values) {
        return MemoryRecords.withRecords(compression, simple(NOW, values));
    }

    static MemoryRecords idempotent(long producerId, short epoch, int baseSequence, String... values) {
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, baseSequence,
                simple(NOW, values));
    }

    /** A batch whose value is {@code size} bytes of 'x'. */
    static MemoryRecords sized(int size) {
        return batch("x".repeat(size));
    }

    static List<String> values(Records records) {
        List<String> result = new ArrayList<>();
        for (Record r : records.records()) {
            ByteBuffer v = r.value();
            byte[] bytes = new byte[v.remaining()];
            v.get(bytes);
            result.add(new String(bytes, StandardCharsets.UTF_8));
        }
        return result;
    }

    static List<Long> offsets(Records records) {
        List<Long> result = new ArrayList<>();
        for (Record r : records.records()) {
            result.add(r.offset());
        }
        return result;
    }

    static List<Long> batchBaseOffsets(Records records) {
        List<Long> result = new ArrayList<>();
        for (RecordBatch b : records.batches()) {
            result.add(b.baseOffset());
        }
        return result;
    }

    static LogConfig config(Map<String, String> overrides) {
        return LogConfig.of(overrides, Map.of());
    }

    static Log openLog(Path parent, LogConfig config) {
        return Log.open(parent.resolve("orders-0"), TOPIC_ID, config, Time.SYSTEM);
    }

    /** Reads everything from the log start up to the log end. */
    static Records readAll(Log log) {
        return log.read(log.logStartOffset(), Integer.MAX_VALUE, Long.MAX_VALUE, true).records();
    }

    /** Reads every value by following fetch offsets across segments, as a consumer would. */
    static List<String> consumeAll(Log log) {
        List<String> all = new ArrayList<>();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            Records records = log.read(offset, 1024 * 1024, Long.MAX_VALUE, true).records();
            for (Record r : records.records()) {
                if (r.offset() >= offset) {
                    ByteBuffer v = r.value();
                    byte[] bytes = new byte[v.remaining()];
                    v.get(bytes);
                    all.add(new String(bytes, StandardCharsets.UTF_8));
                }
            }
            long next = offset;
            for (RecordBatch b : records.batches()) {
                next = b.nextOffset();
            }
            if (next == offset) {
                throw new AssertionError("read made no progress at " + offset);
            }
            offset = next;
        }
        return all;
    }
}
