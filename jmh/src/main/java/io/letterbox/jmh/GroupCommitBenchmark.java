package io.letterbox.jmh;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.letterbox.storage.config.LogConfig;
import io.letterbox.storage.log.GroupCommit;
import io.letterbox.storage.log.Log;
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
 * One group commit round over the partitions of a produce request: a batch appended to each of
 * {@code partitions} logs of one directory, then every log made durable through {@link GroupCommit}
 * in one round, as an acks=all request with {@code flush.on.ack=true} waits for. With {@code syncfs}
 * the round is one sync of the file system, without it one fdatasync per log (in parallel). The sync
 * needs a JDK 22+ to build and run this module on (`JAVA_HOME=... JAVA=.../bin/java bench/jmh`);
 * on an older one both settings fsync log by log.
 *
 * <p>The logs keep at most {@value #RETENTION_BYTES} bytes each so a run does not fill the disk.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GroupCommitBenchmark {

    private static final long RETENTION_BYTES = 64L << 20;
    private static final int RETENTION_EVERY = 256;

    /** Record value size x records per batch. */
    @Param({"1024x16"})
    public String batch;

    @Param({"6"})
    public int partitions;

    @Param({"true", "false"})
    public boolean syncfs;

    private Path dir;
    private final List<Log> logs = new ArrayList<>();
    private GroupCommit groupCommit;
    private MemoryRecords records;
    private long rounds;

    @Setup(Level.Trial)
    public void open() {
        dir = BenchFiles.createTempDir("group-commit");
        LogConfig config = LogConfig.of(Map.of(LogConfig.RETENTION_BYTES, Long.toString(RETENTION_BYTES)), Map.of());
        for (int i = 0; i < partitions; i++) {
            logs.add(Log.open(dir.resolve("bench-" + i), Uuid.randomUuid(), config, Time.SYSTEM));
        }
        groupCommit = new GroupCommit("bench-group-commit");
        groupCommit.fileSystemSync(syncfs);
        records = Batches.of(batch, System.currentTimeMillis());
    }

    @TearDown(Level.Trial)
    public void close() {
        groupCommit.close();
        logs.forEach(Log::close);
        logs.clear();
        BenchFiles.deleteRecursively(dir);
    }

    @Benchmark
    public void round() {
        long now = System.currentTimeMillis();
        for (Log log : logs) {
            log.appendAsLeader(records, 0, now);
        }
        CompletableFuture<?>[] durable = new CompletableFuture<?>[logs.size()];
        for (int i = 0; i < durable.length; i++) {
            Log log = logs.get(i);
            durable[i] = groupCommit.flush(log, log.logEndOffset());
        }
        CompletableFuture.allOf(durable).join();
        if (++rounds % RETENTION_EVERY == 0) {
            for (Log log : logs) {
                log.updateHighWatermark(log.logEndOffset());
                log.enforceRetention(now);
            }
        }
    }
}
