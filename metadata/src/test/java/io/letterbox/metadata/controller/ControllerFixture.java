package io.letterbox.metadata.controller;

import io.letterbox.metadata.MetadataNode;
import io.letterbox.metadata.Nodes;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The fixture of controller tests: a real single-voter metadata node with brokers 1, 2 and 3 registered. */
abstract class ControllerFixture {
    @TempDir
    Path dir;
    MetadataNode node;
    Controller controller;

    @BeforeEach
    void start() throws Exception {
        node = Nodes.startWithBrokers(dir, 3);
        controller = node.controller();
    }

    @AfterEach
    void close() {
        node.close();
    }
}
