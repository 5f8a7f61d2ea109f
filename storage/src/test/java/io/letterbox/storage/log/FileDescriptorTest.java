package io.letterbox.storage.log;

import static io.letterbox.storage.log.TestBatches.NOW;
import static io.letterbox.storage.log.TestBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.storage.config.LogConfig;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition holds one file descriptor (its active segment's log file): its indexes open their files
 * only to write them, so 10,000 partitions fit a typical limit of 20,000. Running out of descriptors
 * is not a disk failure.
 */
class FileDescriptorTest {
    private static final int PARTITIONS = 200;

    @TempDir
    Path tmp;

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void aPartitionWithDataHoldsOneDescriptor() throws Exception {
        try (LogManager logs = LogManager.open(List.of(tmp), Map.of())) {
            LogConfig config = LogConfig.of(Map.of(LogConfig.INDEX_INTERVAL_BYTES, "0"), Map.of());
            long before = openDescriptors();
            for (int p = 0; p < PARTITIONS; p++) {
                Log log = logs.getOrCreate(new TopicPartition("fds", p), Uuid.ONE_UUID, config);
                for (int i = 0; i < 3; i++) {
                    log.appendAsLeader(batch("v" + i), 0, NOW); // two index entries each
                }
            }
            // Each log's active segment file; the directory lock and the like are counted in 'before'
            assertThat(openDescriptors() - before).isLessThanOrEqualTo(PARTITIONS + 10);
        }
    }

    @Test
    void runningOutOfDescriptorsIsNotADiskFault() {
        IOException emfile = new FileSystemException("/data/orders-0/00000000000000000000.index", null,
                "Too many open files");
        IOException eio = new FileSystemException("/data/orders-0/00000000000000000000.index", null,
                "Input/output error");
        assertThat(StorageFaults.isResourceLimit(emfile)).isTrue();
        assertThat(StorageFaults.isOutOfSpace(emfile)).isFalse();
        assertThat(StorageFaults.isResourceLimit(new IOException("No space left on device"))).isTrue();
        assertThat(StorageFaults.isResourceLimit(eio)).isFalse();
    }
}
