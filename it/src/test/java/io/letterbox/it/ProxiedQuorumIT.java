package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.await;
import static io.letterbox.it.support.ItSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerProcess;
import io.letterbox.it.support.FaultProxy;
import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.KraftNodes;
import io.letterbox.it.support.RawConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three voters that reach each other only through {@link FaultProxy}s: each voter's entry in
 * {@code controller.quorum.voters} is the proxy in front of its CONTROLLER listener. The cluster
 * forms through them; a follower whose proxy holds every byte misses what the others write,
 * which keep their quorum, and catches up once the proxy heals.
 */
class ProxiedQuorumIT {
    private static final KraftNodes NODES = new KraftNodes(3, List.of(1, 2, 3));
    private static final List<FaultProxy> PROXIES = new ArrayList<>();
    private static final List<BrokerProcess> VOTERS = new ArrayList<>();

    @BeforeAll
    static void startCluster() {
        for (int id = 1; id <= 3; id++) {
            PROXIES.add(FaultProxy.start("127.0.0.1", NODES.controllerPort(id)));
        }
        String voters = NODES.votersAt(id -> PROXIES.get(id - 1).port());
        for (int id = 1; id <= 3; id++) {
            VOTERS.add(NODES.node("proxied-node" + id, id, KraftNodes.COMBINED, voters).build());
        }
        KraftNodes.startTogether(VOTERS);
    }

    @AfterAll
    static void stopCluster() {
        VOTERS.forEach(BrokerProcess::close);
        PROXIES.forEach(FaultProxy::close);
    }

    @Test
    void aFollowerCutOffByItsProxyMissesChangesAndCatchesUpWhenHealed() {
        int leader;
        try (Admin admin = ItSupport.admin(VOTERS.get(0).bootstrap())) {
            await("three brokers", () -> get(admin.describeCluster().nodes()).stream().map(Node::id)
                    .collect(Collectors.toSet()).equals(Set.of(1, 2, 3)));
            leader = get(admin.describeCluster().controller()).id();
        }
        assertThat(PROXIES).allSatisfy(p -> assertThat(p.forwardedBytes()).isPositive());
        int follower = leader % 3 + 1;
        BrokerProcess other = VOTERS.get(follower % 3);
        BrokerProcess cutOff = VOTERS.get(follower - 1);

        PROXIES.get(follower - 1).hold();
        String topic = ItSupport.uniqueTopic("while-held");
        ItSupport.createTopic(other.bootstrap(), topic, 1, Map.of());
        // Asked directly (an AdminClient may ask another node), its image, which no longer
        // follows the log, does not have the topic
        try (RawConnection raw = new RawConnection(cutOff.bootstrap())) {
            ItSupport.sleep(1_000);
            assertThat(raw.topicError(topic)).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
            PROXIES.get(follower - 1).heal();
            await("node " + follower + " caught up", Duration.ofSeconds(30),
                    () -> raw.topicError(topic) == Errors.NONE);
        }
    }

}
