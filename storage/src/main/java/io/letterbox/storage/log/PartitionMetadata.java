package io.letterbox.storage.log;

import io.letterbox.storage.checkpoint.AtomicFile;
import io.letterbox.storage.checkpoint.CorruptCheckpointException;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code partition.metadata} file of a partition directory, in Kafka's format:
 *
 * <pre>
 * version: 0
 * topic_id: &lt;base64 topic id&gt;
 * </pre>
 *
 * Written atomically and fsynced. Thread-safety: stateless.
 */
final class PartitionMetadata {

    static final String FILE_NAME = "partition.metadata";

    private PartitionMetadata() {
    }

    static void write(Path dir, Uuid topicId) throws IOException {
        String content = "version: 0\ntopic_id: " + topicId + "\n";
        AtomicFile.write(dir.resolve(FILE_NAME), content.getBytes(StandardCharsets.UTF_8));
    }

    /** The stored topic id, or {@link Uuid#ZERO_UUID} if the file is absent. */
    static Uuid read(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            return Uuid.ZERO_UUID;
        }
        // Not readAllLines: its buffers are far larger than this file, and every log reads it at start-up.
        List<String> lines = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
        if (lines.size() < 2 || !lines.get(0).trim().equals("version: 0") || !lines.get(1).startsWith("topic_id: ")) {
            throw new CorruptCheckpointException(file, "expected 'version: 0' and 'topic_id: <id>'");
        }
        try {
            return Uuid.fromString(lines.get(1).substring("topic_id: ".length()).trim());
        } catch (IllegalArgumentException e) {
            throw new CorruptCheckpointException(file, e.getMessage());
        }
    }
}
