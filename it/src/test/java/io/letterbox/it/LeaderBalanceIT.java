package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.await;
import static io.letterbox.it.support.ItSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.AckedStream;
import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.PartitionZero;
import io.letterbox.it.support.ThreeNodeCluster;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.ElectionNotNeededException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

/**
 * Leadership goes back to the preferred replica (a partition's first replica) after that broker was killed
 * and restarted: on request through {@code Admin.electLeaders(PREFERRED)} while an idempotent acks=all
 * producer keeps going (every acknowledged record is read back), and by itself with
 * {@code auto.leader.rebalance.enable}.
 */
class LeaderBalanceIT {
    private static final Map<String, String> FAST_FAILOVER = Map.of(
            "broker.heartbeat.interval.ms", "500",
            "broker.session.timeout.ms", "2500",
            "replica.lag.time.max.ms", "3000",
            "replica.fetch.backoff.ms", "200",
            "offsets.topic.num.partitions", "1");

    private static Map<String, String> with(String key, String value) {
        Map<String, String> overrides = new HashMap<>(FAST_FAILOVER);
        overrides.put(key, value);
        return overrides;
    }

    /** A topic of one partition whose replicas are 1, 2, 3 (1 preferred), led by 1 and fully in sync. */
    private static String createPreferring1(Admin admin, String prefix) {
        String topic = ItSupport.uniqueTopic(prefix);
        get(admin.createTopics(List.of(new NewTopic(topic, Map.of(0, List.of(1, 2, 3)))
                .configs(Map.of("min.insync.replicas", "2")))).all());
        await("topic " + topic + " led by 1, all replicas in sync", () -> {
            TopicPartitionInfo p = PartitionZero.describe(admin, topic);
            return p != null && leaderOf(p) == 1 && p.isr().size() == 3;
        });
        return topic;
    }


    private static int leaderOf(TopicPartitionInfo p) {
        Node leader = p == null ? null : p.leader();
        return leader == null ? -1 : leader.id();
    }

    /** Kills broker 1, waits for another leader, restarts it and waits for it to be back in the ISR. */
    private static void killAndRestartBroker1(ThreeNodeCluster cluster, Admin admin, String topic) {
        cluster.node(1).kill();
        await("another leader than 1", Duration.ofSeconds(30), () -> leaderOf(PartitionZero.describe(admin, topic)) > 1);
        cluster.node(1).start();
        await("broker 1 back in the ISR", Duration.ofSeconds(30), () -> {
            TopicPartitionInfo p = PartitionZero.describe(admin, topic);
            return p != null && p.isr().size() == 3;
        });
    }

    private static Optional<Throwable> electPreferred(Admin admin, TopicPartition tp) {
        return get(admin.electLeaders(ElectionType.PREFERRED, Set.of(tp)).partitions()).get(tp);
    }

    @Test
    void electLeadersMovesLeadershipBackToThePreferredReplicaWhileProducing() throws Exception {
        try (ThreeNodeCluster cluster = new ThreeNodeCluster("elect",
                with("auto.leader.rebalance.enable", "false")).start();
             Admin admin = ItSupport.admin(cluster.bootstrap())) {
            String topic = createPreferring1(admin, "elect");
            TopicPartition tp = new TopicPartition(topic, 0);
            // Led by its preferred replica: nothing to do
            assertThat(electPreferred(admin, tp)).containsInstanceOf(ElectionNotNeededException.class);
            assertThat(electPreferred(admin, new TopicPartition(topic, 7)))
                    .containsInstanceOf(UnknownTopicOrPartitionException.class);

            AckedStream stream;
            try (KafkaProducer<String, String> producer = ItSupport.producer(cluster.bootstrap(), PartitionZero.ACKS_ALL_RETRYING)) {
                stream = PartitionZero.stream(producer, topic);
                await("records acknowledged before the kill", () -> stream.ackedCount() >= 200);
                // Given the preferred replica killed, restarted and back in sync under another leader
                killAndRestartBroker1(cluster, admin, topic);
                assertThat(leaderOf(PartitionZero.describe(admin, topic))).isNotEqualTo(1);
                // When a preferred election is asked for
                assertThat(electPreferred(admin, tp)).isEmpty();
                // Then 1 leads again, and the producer goes on acknowledging
                await("broker 1 leads again", () -> leaderOf(PartitionZero.describe(admin, topic)) == 1);
                int ackedAfterElection = stream.ackedCount();
                await("records acknowledged after the election", () -> stream.ackedCount() >= ackedAfterElection + 200);
                assertThat(electPreferred(admin, tp)).containsInstanceOf(ElectionNotNeededException.class);
                stream.stop();
                producer.flush();
            }
            stream.assertEveryAcknowledgedRecordIn(ItSupport.readAll(cluster.bootstrap(), topic));
            System.out.printf("LeaderBalanceIT: %d records acknowledged and read back across a kill and a preferred "
                    + "election%n", stream.ackedCount());
        }
    }

    @Test
    void theActiveControllerMovesLeadershipBackByItself() {
        try (ThreeNodeCluster cluster = new ThreeNodeCluster("rebalance",
                with("leader.imbalance.check.interval.seconds", "1")).start();
             Admin admin = ItSupport.admin(cluster.bootstrap())) {
            String topic = createPreferring1(admin, "rebalance");
            cluster.node(1).kill();
            await("another leader than 1", Duration.ofSeconds(30), () -> leaderOf(PartitionZero.describe(admin, topic)) > 1);
            cluster.node(1).start();
            // Then, once 1 is back in the ISR, the rebalance gives it back its leadership with no request
            await("broker 1 leads again by itself", Duration.ofSeconds(30),
                    () -> leaderOf(PartitionZero.describe(admin, topic)) == 1);
        }
    }
}
