package io.letterbox.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.metadata.controller.CreateTopicResult;
import io.letterbox.metadata.controller.NewTopic;
import io.letterbox.metadata.image.BrokerRegistration;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.record.Endpoint;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataNodeTest {
    @TempDir
    Path dir;

    static MetadataConfig config(Path dir) {
        return new MetadataConfig(1, dir, "127.0.0.1", 0, 1, (short) 1, ConfigValidator.NONE);
    }

    static BrokerRegistration broker(int id) {
        return new BrokerRegistration(id, Uuid.randomUuid(),
                List.of(new Endpoint("PLAINTEXT", "localhost", 9092 + id, SecurityProtocol.PLAINTEXT)), null);
    }

    @Test
    void smoke() throws Exception {
        MetadataImage before;
        try (MetadataNode node = MetadataNode.start(config(dir))) {
            System.out.println("startup " + node.startupTime().toMillis() + " ms");
            assertThat(node.image().clusterId()).hasSize(22);
            node.controller().registerBroker(broker(1)).get();
            List<CreateTopicResult> r = node.controller().createTopics(List.of(NewTopic.of("a", 3, (short) 1)), false).get();
            System.out.println(r);
            before = node.image();
            assertThat(before.topics().get("a").numPartitions()).isEqualTo(3);
        }
        long t0 = System.nanoTime();
        try (MetadataNode node = MetadataNode.start(config(dir))) {
            System.out.println("restart " + node.startupTime().toMillis() + " ms");
            assertThat(node.image()).isEqualTo(before);
        }
        System.out.println("restart+close " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }
}
