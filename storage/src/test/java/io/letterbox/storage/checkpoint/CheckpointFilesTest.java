package io.letterbox.storage.checkpoint;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointFilesTest {

    @TempDir
    Path dir;

    @Test
    void offsetsRoundTripInKafkasFormat() throws Exception {
        // Given
        OffsetCheckpointFile file = new OffsetCheckpointFile(dir.resolve("recovery-point-offset-checkpoint"));
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        offsets.put(new TopicPartition("orders", 0), 42L);
        offsets.put(new TopicPartition("my-topic.v2", 11), 7L);

        // When
        file.write(offsets);

        // Then
        assertThat(Files.readString(file.file())).isEqualTo("0\n2\norders 0 42\nmy-topic.v2 11 7\n");
        assertThat(file.read()).isEqualTo(offsets);
        assertThat(Files.exists(dir.resolve("recovery-point-offset-checkpoint.tmp"))).isFalse();
    }

    @Test
    void aLeftoverTempFileFromACrashIsIgnoredAndReplaced() throws Exception {
        // Given: a committed checkpoint and a half-written temp file next to it
        OffsetCheckpointFile file = new OffsetCheckpointFile(dir.resolve("log-start-offset-checkpoint"));
        file.write(Map.of(new TopicPartition("orders", 0), 5L));
        Files.writeString(dir.resolve("log-start-offset-checkpoint.tmp"), "0\n3\norders 0 9");

        // When
        Map<TopicPartition, Long> read = file.read();
        file.write(Map.of(new TopicPartition("orders", 0), 6L));

        // Then
        assertThat(read).containsExactly(Map.entry(new TopicPartition("orders", 0), 5L));
        assertThat(file.read()).containsExactly(Map.entry(new TopicPartition("orders", 0), 6L));
        assertThat(Files.exists(dir.resolve("log-start-offset-checkpoint.tmp"))).isFalse();
    }

    @Test
    void aMissingFileIsEmptyAndAGarbledOneIsReported() throws Exception {
        // Given
        OffsetCheckpointFile missing = new OffsetCheckpointFile(dir.resolve("absent"));
        Path garbled = dir.resolve("garbled");
        Files.writeString(garbled, "0\n2\norders 0 1\n");

        // When / Then
        assertThat(missing.read()).isEmpty();
        assertThatThrownBy(() -> new OffsetCheckpointFile(garbled).read())
                .isInstanceOf(CorruptCheckpointException.class).hasMessageContaining("expected 2 entries");
    }
}
