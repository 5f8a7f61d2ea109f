package io.letterbox.storage.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.letterbox.jmh.BenchFiles;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@link OffsetIndex#lookup} and {@link TimeIndex#lookup} on full indexes (as many entries as Kafka's
 * default {@code segment.index.bytes}, 10 MiB, holds), loaded from real files, for random targets.
 * Lives in the storage package because the indexes are package-private.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class IndexLookupBenchmark {

    private static final int INDEX_BYTES = 10 << 20;
    private static final int OFFSET_ENTRIES = INDEX_BYTES / OffsetIndex.ENTRY_SIZE;
    private static final int TIME_ENTRIES = INDEX_BYTES / TimeIndex.ENTRY_SIZE;
    private static final long BASE_OFFSET = 1_000_000L;
    private static final long BASE_TIMESTAMP = 1_700_000_000_000L;
    /** Records per indexed batch, bytes between index entries, milliseconds between time entries. */
    private static final int OFFSET_STEP = 16;
    private static final int POSITION_STEP = 1024;
    private static final int TIME_STEP = 10;
    private static final int TARGETS = 1 << 16;

    private Path dir;
    private OffsetIndex offsetIndex;
    private TimeIndex timeIndex;
    private final long[] targetOffsets = new long[TARGETS];
    private final long[] targetTimestamps = new long[TARGETS];
    private int next;

    @Setup(Level.Trial)
    public void load() throws IOException {
        dir = BenchFiles.createTempDir("index");
        ByteBuffer offsets = ByteBuffer.allocate(OFFSET_ENTRIES * OffsetIndex.ENTRY_SIZE);
        for (int i = 0; i < OFFSET_ENTRIES; i++) {
            offsets.putInt(i * OFFSET_STEP).putInt(i * POSITION_STEP);
        }
        ByteBuffer times = ByteBuffer.allocate(TIME_ENTRIES * TimeIndex.ENTRY_SIZE);
        for (int i = 0; i < TIME_ENTRIES; i++) {
            times.putLong(BASE_TIMESTAMP + (long) i * TIME_STEP).putInt(i * OFFSET_STEP);
        }
        Path offsetFile = write(dir.resolve("00000000000001000000.index"), offsets.flip());
        Path timeFile = write(dir.resolve("00000000000001000000.timeindex"), times.flip());
        offsetIndex = OffsetIndex.load(offsetFile, BASE_OFFSET, Integer.MAX_VALUE);
        timeIndex = TimeIndex.load(timeFile, BASE_OFFSET);
        if (offsetIndex.entryCount() != OFFSET_ENTRIES || timeIndex.entryCount() != TIME_ENTRIES) {
            throw new IllegalStateException("indexes did not load full");
        }
        Random random = new Random(42);
        for (int i = 0; i < TARGETS; i++) {
            targetOffsets[i] = BASE_OFFSET + random.nextInt(OFFSET_ENTRIES * OFFSET_STEP);
            targetTimestamps[i] = BASE_TIMESTAMP + random.nextInt(TIME_ENTRIES * TIME_STEP);
        }
    }

    private static Path write(Path file, ByteBuffer content) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (content.hasRemaining()) {
                ch.write(content);
            }
        }
        return file;
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        offsetIndex.close();
        timeIndex.close();
        BenchFiles.deleteRecursively(dir);
    }

    @Benchmark
    public int offsetLookup() {
        return offsetIndex.lookup(targetOffsets[next++ & (TARGETS - 1)]);
    }

    @Benchmark
    public long timeLookup() {
        return timeIndex.lookup(targetTimestamps[next++ & (TARGETS - 1)]);
    }
}
