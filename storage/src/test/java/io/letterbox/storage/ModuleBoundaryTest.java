package io.letterbox.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The storage module knows files and record batches only: no network, no requests, no
 * clients. kafka-clients is on its classpath for the batch format, so this is checked here.
 */
class ModuleBoundaryTest {

    private static final List<String> FORBIDDEN = List.of("import io.netty.", "import org.apache.ratis.",
            "import org.apache.kafka.common.requests.", "import org.apache.kafka.common.message.",
            "import org.apache.kafka.clients.", "import org.apache.kafka.common.network.");

    @Test
    void storageImportsNoNetworkRequestOrClientClasses() throws IOException {
        Path sources = Path.of("src/main/java");
        try (Stream<Path> files = Files.walk(sources)) {
            List<String> violations = files.filter(p -> p.toString().endsWith(".java"))
                    .flatMap(p -> lines(p).filter(l -> FORBIDDEN.stream().anyMatch(l::startsWith))
                            .map(l -> sources.relativize(p) + ": " + l))
                    .toList();
            assertThat(violations).isEmpty();
        }
        assertThat(sources).isDirectory();
    }

    private static Stream<String> lines(Path p) {
        try {
            return Files.readAllLines(p).stream().map(String::trim);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
