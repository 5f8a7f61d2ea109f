package io.letterbox.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** The KRaft keys: a node of a three-voter cluster, the single-node default, and each start-up refusal. */
class ClusterConfigTest {
    private static final String VOTERS = "1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097";

    private static Map<String, String> node2(String key, String value) {
        Map<String, String> props = new HashMap<>(Map.of(
                "node.id", "2",
                "process.roles", "broker,controller",
                "listeners", "PLAINTEXT://127.0.0.1:9094,CONTROLLER://127.0.0.1:9095",
                "controller.listener.names", "CONTROLLER",
                "controller.quorum.voters", VOTERS));
        if (value == null) {
            props.remove(key);
        } else {
            props.put(key, value);
        }
        return props;
    }

    @Test
    void aVoterBindsItsControllerListenerAndServesClientsOnTheOthers() {
        BrokerConfig config = BrokerConfig.parse(node2("broker.rack", "r2"));
        ClusterConfig cluster = config.cluster();
        assertThat(cluster.voters()).containsOnlyKeys(1, 2, 3).containsEntry(2, "127.0.0.1:9095");
        assertThat(cluster.controllerListener()).isEqualTo(new Endpoint("CONTROLLER", "127.0.0.1", 9095));
        assertThat(cluster.heartbeatIntervalMs()).isEqualTo(2000);
        assertThat(cluster.sessionTimeoutMs()).isEqualTo(9000);
        assertThat(config.listeners()).containsExactly(new Endpoint("PLAINTEXT", "127.0.0.1", 9094));
        assertThat(config.advertisedListeners()).containsExactly(new Endpoint("PLAINTEXT", "127.0.0.1", 9094));
    }

    @Test
    void aBrokerOnlyNodeIsNoVoterAndFollowsTheLogFromItsClientHost() {
        Map<String, String> props = node2("node.id", "4");
        props.put("process.roles", "broker");
        props.put("listeners", "PLAINTEXT://127.0.0.1:9098");
        BrokerConfig config = BrokerConfig.parse(props);
        assertThat(config.cluster().broker()).isTrue();
        assertThat(config.cluster().controller()).isFalse();
        assertThat(config.cluster().controllerListener()).isNull();
        assertThat(config.listeners()).containsExactly(new Endpoint("PLAINTEXT", "127.0.0.1", 9098));
        var metadata = config.metadataConfig(io.letterbox.metadata.ConfigValidator.NONE);
        assertThat(metadata.isVoter()).isFalse();
        assertThat(metadata.rpcHost()).isEqualTo("127.0.0.1");
        assertThat(metadata.voters()).containsOnlyKeys(1, 2, 3);
    }

    @Test
    void aControllerOnlyNodeServesNoClients() {
        Map<String, String> props = node2("process.roles", "controller");
        props.put("listeners", "CONTROLLER://127.0.0.1:9095");
        BrokerConfig config = BrokerConfig.parse(props);
        assertThat(config.cluster().controllerOnly()).isTrue();
        assertThat(config.listeners()).isEmpty();
        assertThat(config.advertisedListeners()).isEmpty();
        assertThat(config.metadataConfig(io.letterbox.metadata.ConfigValidator.NONE).isVoter()).isTrue();
    }

    @Test
    void aVoterBindsItsListenerWhileTheOthersMayReachItThroughAProxy() {
        BrokerConfig config = BrokerConfig.parse(node2("controller.quorum.voters",
                "1@127.0.0.1:9093,2@127.0.0.1:29095,3@127.0.0.1:9097"));
        var metadata = config.metadataConfig(io.letterbox.metadata.ConfigValidator.NONE);
        assertThat(metadata.rpcPort()).isEqualTo(9095);
        assertThat(metadata.voters()).containsEntry(2, "127.0.0.1:29095");
    }

    @Test
    void withoutVotersTheNodeIsAClusterOfOne() {
        ClusterConfig cluster = BrokerConfig.parse(Map.of()).cluster();
        assertThat(cluster.voters()).isEmpty();
        assertThat(cluster.controllerListener()).isNull();
    }

    @Test
    void eachMisconfigurationStopsTheStartNamingItsKey() {
        assertRefused(node2("process.roles", "broker"), "controller.quorum.voters",
                "node.id 2 is a voter, so process.roles must contain controller (it is broker)");
        assertRefused(node2("process.roles", "controller"), "listeners",
                "process.roles=controller serves no clients: listeners must only contain the controller listeners");
        Map<String, String> brokerWithControllerListener = node2("node.id", "4");
        brokerWithControllerListener.put("process.roles", "broker");
        assertRefused(brokerWithControllerListener, "controller.listener.names",
                "listener CONTROLLER must not be among listeners when process.roles=broker");
        Map<String, String> brokerAlone = new HashMap<>(Map.of("process.roles", "broker"));
        assertRefused(brokerAlone, "controller.quorum.voters",
                "must list the controllers when process.roles=broker");
        assertRefused(node2("controller.listener.names", "CTRL"), "controller.listener.names",
                "listener CTRL is not among listeners");
        assertRefused(node2("controller.listener.names", null), "controller.listener.names", "must name the listener");
        assertRefused(node2("node.id", "4"), "controller.quorum.voters",
                "node.id 4 is not a voter, so process.roles must not contain controller");
        assertRefused(node2("controller.quorum.voters", "1-127.0.0.1:9093"), "controller.quorum.voters",
                "each voter must look like id@host:port");
        assertRefused(node2("broker.heartbeat.interval.ms", "9000"), "broker.heartbeat.interval.ms",
                "must be less than broker.session.timeout.ms");
        assertRefused(node2("listeners", "CONTROLLER://127.0.0.1:9095"), "listeners", "no listener for clients");
    }

    private static void assertRefused(Map<String, String> props, String key, String message) {
        assertThatThrownBy(() -> BrokerConfig.parse(props)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(key).hasMessageContaining(message);
    }
}
