package io.letterbox.jmh;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.letterbox.storage.config.LogConfig;
import io.letterbox.storage.log.Log;
import io.letterbox.storage.log.LogAppendInfo;
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
 * The leader append path: {@link Log#appendAsLeader} of a ready batch (validation, offset assignment,
 * one write), and with {@code fsync} also {@link Log#flush} up to it, as an {@code acks=all} produce
 * with {@code flush.on.ack=true} waits for (one request per group-commit round: the worst case).
 *
 * <p>The log keeps at most {@value #RETENTION_BYTES} bytes (retention every {@value #RETENTION_EVERY}
 * appends) so a run does not fill the disk; segment rolls and deletions are part of the figure.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AppendBenchmark {

    private static final long SEGMENT_BYTES = 64L << 20;
    private static final long RETENTION_BYTES = 256L << 20;
    private static final int RETENTION_EVERY = 1024;

    /** Record value size x records per batch. */
    @Param({"1024x16", "100x100"})
    public String batch;

    @Param({"false", "true"})
    public boolean fsync;

    private Path dir;
    private Log log;
    private MemoryRecords records;
    private long appends;

    @Setup(Level.Trial)
    public void open() {
        dir = BenchFiles.createTempDir("append");
        LogConfig config = LogConfig.of(Map.of(
                LogConfig.SEGMENT_BYTES, Long.toString(SEGMENT_BYTES),
                LogConfig.RETENTION_BYTES, Long.toString(RETENTION_BYTES)), Map.of());
        log = Log.open(dir.resolve("bench-0"), Uuid.randomUuid(), config, Time.SYSTEM);
        records = Batches.of(batch, System.currentTimeMillis());
    }

    @TearDown(Level.Trial)
    public void close() {
        log.close();
        BenchFiles.deleteRecursively(dir);
    }

    @Benchmark
    public LogAppendInfo append() {
        long now = System.currentTimeMillis();
        LogAppendInfo info = log.appendAsLeader(records, 0, now);
        if (fsync) {
            log.flush(info.lastOffset() + 1);
        }
        if (++appends % RETENTION_EVERY == 0) {
            log.updateHighWatermark(info.lastOffset() + 1);
            log.enforceRetention(now);
        }
        return info;
    }
}
