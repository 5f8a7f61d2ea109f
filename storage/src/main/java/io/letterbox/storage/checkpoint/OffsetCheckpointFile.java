package io.letterbox.storage.checkpoint;

import org.apache.kafka.common.TopicPartition;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A per-log-directory checkpoint of one offset per partition, in Kafka's text format:
 *
 * <pre>
 * 0                      version
 * 2                      number of entries
 * orders 0 1234          topic, partition, offset
 * orders 1 99
 * </pre>
 *
 * Used for {@code recovery-point-offset-checkpoint} and {@code log-start-offset-checkpoint}.
 * Writes go through {@link AtomicFile} (durable when {@link #write} returns).
 *
 * <p>Thread-safety: instances are immutable; callers serialize writes to one file.
 */
public final class OffsetCheckpointFile {

    private static final int VERSION = 0;

    private final Path file;

    public OffsetCheckpointFile(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public void write(Map<TopicPartition, Long> offsets) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append(VERSION).append('\n').append(offsets.size()).append('\n');
        for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
            sb.append(e.getKey().topic()).append(' ').append(e.getKey().partition()).append(' ')
                    .append(e.getValue()).append('\n');
        }
        AtomicFile.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads the checkpoint; a missing file is an empty map.
     *
     * @throws CorruptCheckpointException if the content is not in the expected format
     */
    public Map<TopicPartition, Long> read() throws IOException {
        if (!Files.exists(file)) {
            return Collections.emptyMap();
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        try {
            if (lines.size() < 2 || Integer.parseInt(lines.get(0).trim()) != VERSION) {
                throw new CorruptCheckpointException(file, "bad header");
            }
            int count = Integer.parseInt(lines.get(1).trim());
            if (lines.size() < 2 + count) {
                throw new CorruptCheckpointException(file, "expected " + count + " entries, found " + (lines.size() - 2));
            }
            Map<TopicPartition, Long> result = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String[] parts = lines.get(2 + i).trim().split(" ");
                if (parts.length != 3) {
                    throw new CorruptCheckpointException(file, "bad line '" + lines.get(2 + i) + "'");
                }
                result.put(new TopicPartition(parts[0], Integer.parseInt(parts[1])), Long.parseLong(parts[2]));
            }
            return result;
        } catch (NumberFormatException e) {
            throw new CorruptCheckpointException(file, e.getMessage());
        }
    }
}
