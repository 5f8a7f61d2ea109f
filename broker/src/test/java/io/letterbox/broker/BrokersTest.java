package io.letterbox.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.Test;

import io.letterbox.broker.config.BrokerConfig;
import io.letterbox.metadata.image.MetadataDelta;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.record.Endpoint;
import io.letterbox.metadata.record.RegisterBrokerRecord;

/** The controller clients are told about is always a broker they can reach. */
class BrokersTest {
    private static final MetadataImage BROKERS_1_AND_2 = new MetadataDelta(MetadataImage.EMPTY).replayAll(List.of(
            register(1), register(2))).apply(2);

    private static RegisterBrokerRecord register(int id) {
        return new RegisterBrokerRecord(id, Uuid.randomUuid(),
                List.of(new Endpoint("PLAINTEXT", "127.0.0.1", 9091 + id, SecurityProtocol.PLAINTEXT)), null);
    }

    private static int controllerSeenBy(int nodeId, int leader) {
        BrokerConfig config = BrokerConfig.parse(Map.of("node.id", String.valueOf(nodeId)));
        return new Brokers(config, () -> leader, () -> BROKERS_1_AND_2).controllerId();
    }

    @Test
    void aLeaderThatIsALiveBrokerIsNamed() {
        assertThat(controllerSeenBy(1, 2)).isEqualTo(2);
    }

    @Test
    void aControllerOnlyLeaderOrNoLeaderNamesThisBroker() {
        assertThat(controllerSeenBy(1, 3)).isEqualTo(1);
        assertThat(controllerSeenBy(2, -1)).isEqualTo(2);
    }
}
