package io.letterbox.metadata.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.letterbox.metadata.image.MetadataDelta;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.record.ClusterIdRecord;
import io.letterbox.metadata.record.ConfigRecord;
import io.letterbox.metadata.record.CorruptRecordException;
import io.letterbox.metadata.record.PartitionRecord;
import io.letterbox.metadata.record.TopicRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotFileTest {
    @TempDir
    Path dir;

    static final Uuid ID = Uuid.randomUuid();

    static MetadataImage image() {
        Uuid id = ID;
        return new MetadataDelta(MetadataImage.EMPTY).replayAll(List.of(
                new ClusterIdRecord("abcdefghijklmnopqrstuv"),
                new TopicRecord("t", id),
                new ConfigRecord(ConfigResource.Type.TOPIC, "t", "cleanup.policy", "compact"),
                new PartitionRecord(id, 0, List.of(1), List.of(1), 1, 3, 4))).apply(42);
    }

    @Test
    void writeThenReadGivesAnEqualImage() throws Exception {
        Path file = dir.resolve("snapshot.1_42");
        SnapshotFile.write(file, image());
        assertThat(SnapshotFile.read(file)).isEqualTo(image().withOffset(42));
        assertThat(SnapshotFile.read(file).offset()).isEqualTo(42);
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void anyFlippedByteIsDetected() throws Exception {
        Path file = dir.resolve("snapshot.1_42");
        SnapshotFile.write(file, image());
        byte[] good = Files.readAllBytes(file);
        for (int i = 0; i < good.length; i += 7) {
            byte[] bad = good.clone();
            bad[i] ^= 0x10;
            Files.write(file, bad);
            assertThatThrownBy(() -> SnapshotFile.read(file)).isInstanceOf(CorruptRecordException.class);
        }
        Files.write(file, Arrays.copyOf(good, good.length - 1));
        assertThatThrownBy(() -> SnapshotFile.read(file)).isInstanceOf(CorruptRecordException.class);
    }
}
