package io.letterbox.jmh;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.letterbox.storage.config.LogConfig;
import io.letterbox.storage.log.Log;
import io.letterbox.storage.log.LogReadInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.utils.Time;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The fetch read path: {@link Log#read} of {@value #FETCH_BYTES} bytes from the middle of a
 * {@value #SEGMENT_MIB} MiB segment of batches shaped like the append benchmark's. It returns a file slice, so this measures the
 * segment and index lookup, the scan to the batch boundary and the slice, not a copy of the bytes.
 * Fetch offsets cycle through the middle half of the segment so the lookup is not always the same.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ReadBenchmark {

    private static final int SEGMENT_MIB = 256;
    private static final int FETCH_BYTES = 1 << 20;
    private static final int TARGETS = 1024;

    /** Record value size x records per batch. */
    @Param({"1024x16", "100x100"})
    public String batch;

    private Path dir;
    private Log log;
    private final long[] fetchOffsets = new long[TARGETS];
    private int next;

    @Setup(Level.Trial)
    public void fill() {
        dir = BenchFiles.createTempDir("read");
        log = Log.open(dir.resolve("bench-0"), Uuid.randomUuid(), LogConfig.defaults(), Time.SYSTEM);
        MemoryRecords records = Batches.of(batch, System.currentTimeMillis());
        while (log.sizeInBytes() < ((long) SEGMENT_MIB << 20)) {
            log.appendAsLeader(records, 0, System.currentTimeMillis());
        }
        long end = log.logEndOffset();
        log.updateHighWatermark(end);
        if (log.segmentCount() != 1) {
            throw new IllegalStateException("expected one segment, got " + log.segmentCount());
        }
        Random random = new Random(42);
        for (int i = 0; i < TARGETS; i++) {
            fetchOffsets[i] = end / 4 + (long) (random.nextDouble() * (end / 2));
        }
    }

    @TearDown(Level.Trial)
    public void delete() {
        log.close();
        BenchFiles.deleteRecursively(dir);
    }

    @Benchmark
    public LogReadInfo read() {
        long offset = fetchOffsets[next++ & (TARGETS - 1)];
        LogReadInfo info = log.read(offset, FETCH_BYTES, Long.MAX_VALUE, true);
        if (info.records().sizeInBytes() == 0) {
            throw new IllegalStateException("empty read at " + offset);
        }
        return info;
    }
}
