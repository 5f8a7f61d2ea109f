package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.await;
import static io.letterbox.it.support.ItSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.AckedStream;
import io.letterbox.it.support.BrokerProcess;
import io.letterbox.it.support.FaultProxy;
import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.KraftNodes;
import io.letterbox.it.support.PartitionZero;
import io.letterbox.it.support.RawConnection;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A network partition isolates a partition leader from the two other nodes of a three-node
 * cluster: every node's Raft and broker traffic crosses a {@link FaultProxy} per listener (the
 * wiring of docs/design-notes.md), and isolating node L holds both of L's proxies and, in the
 * others' proxies, the connections L opened. While an idempotent acks=all producer runs, the old
 * leader acknowledges nothing (its followers stop fetching and it cannot shrink the ISR without the
 * metadata quorum), the majority fences it and elects another leader, and producing goes on; once
 * healed the old leader truncates the tail it appended alone, rejoins the ISR, and every
 * acknowledged record is read back once, in order, led by the new leader and by the old one.
 */
class NetworkPartitionIT {
    private static final Set<Integer> ALL = Set.of(1, 2, 3);
    private final KraftNodes layout = new KraftNodes(3, List.of(1, 2, 3));
    /** In front of each node's CONTROLLER listener (index id - 1). */
    private final List<FaultProxy> raftProxies = new ArrayList<>();
    /** In front of each node's client listener, which it advertises. */
    private final List<FaultProxy> brokerProxies = new ArrayList<>();
    private final List<BrokerProcess> nodes = new ArrayList<>();

    @BeforeEach
    void startCluster() {
        for (int id = 1; id <= 3; id++) {
            raftProxies.add(FaultProxy.start("127.0.0.1", layout.controllerPort(id)));
            brokerProxies.add(FaultProxy.start("127.0.0.1", layout.clientPort(id)));
        }
        String voters = layout.votersAt(id -> raftProxies.get(id - 1).port());
        for (int id = 1; id <= 3; id++) {
            nodes.add(layout.node("netsplit-node" + id, id, KraftNodes.COMBINED, voters)
                    .override("advertised.listeners", "PLAINTEXT://" + brokerProxies.get(id - 1).address())
                    .override("replica.lag.time.max.ms", "3000")
                    .override("replica.fetch.backoff.ms", "200")
                    .override("auto.leader.rebalance.enable", "false")
                    .build());
        }
        KraftNodes.startTogether(nodes);
    }

    @AfterEach
    void stopCluster() {
        nodes.forEach(BrokerProcess::close);
        raftProxies.forEach(FaultProxy::close);
        brokerProxies.forEach(FaultProxy::close);
    }

    @Test
    void anIsolatedLeaderAcknowledgesNothingIsReplacedAndTruncatesItsTailWhenHealed() throws Exception {
        String topic = ItSupport.uniqueTopic("netsplit");
        String everyone = nodes.stream().map(BrokerProcess::bootstrap).collect(Collectors.joining(","));
        int oldLeader;
        try (Admin admin = ItSupport.admin(everyone)) {
            get(admin.createTopics(List.of(new NewTopic(topic, 1, (short) 3)
                    .configs(Map.of("min.insync.replicas", "2")))).all());
            await("topic led, all in sync", () -> isr(admin, topic).equals(ALL));
            oldLeader = PartitionZero.describe(admin, topic).leader().id();
        }
        // and a topic led by the same node that would take acks=all from the leader alone, were it in the ISR alone
        String lenient = ItSupport.uniqueTopic("netsplit-min-isr-1");
        try (Admin admin = ItSupport.admin(everyone)) {
            List<Integer> replicas = new ArrayList<>(List.of(oldLeader));
            ALL.stream().filter(id -> id != oldLeader).forEach(replicas::add);
            get(admin.createTopics(List.of(new NewTopic(lenient, Map.of(0, replicas))
                    .configs(Map.of("min.insync.replicas", "1")))).all());
            await(lenient + " led by " + oldLeader + ", all in sync", () -> isr(admin, lenient).equals(ALL)
                    && PartitionZero.describe(admin, lenient).leader().id() == oldLeader);
        }
        BrokerProcess isolated = nodes.get(oldLeader - 1);
        String majority = nodes.stream().filter(n -> n != isolated).map(BrokerProcess::bootstrap)
                .collect(Collectors.joining(","));

        AckedStream stream;
        List<String> refused = new ArrayList<>();
        long isolatedAt;
        try (KafkaProducer<String, String> producer = ItSupport.producer(everyone, PartitionZero.ACKS_ALL_RETRYING);
             Admin admin = ItSupport.admin(majority);
             RawConnection toOldLeader = new RawConnection(isolated.bootstrap())) {
            // Few in flight: the bounded stream lasts through the isolation, the election and the heal
            stream = PartitionZero.stream(producer, topic, 5);
            await("records acknowledged before the partition", () -> stream.ackedCount() >= 300);

            // When the leader is cut off from the two others, both ways
            isolatedAt = System.nanoTime();
            isolate(oldLeader);

            // Then, asked on its own unproxied port, it appends but never acknowledges an acks=all write,
            // past the lag time too: the ISR it may not shrink alone still names the followers
            for (int i = 0; i < 3; i++) {
                refused.add(assertNotAcknowledged(toOldLeader, topic, "refused#" + i));
                assertNotAcknowledged(toOldLeader, lenient, "refused#" + i);
            }

            // and the majority fences it, elects another leader from the ISR, and acknowledges again
            await("a new leader, the old one out of the ISR", Duration.ofSeconds(45), () -> {
                TopicPartitionInfo p = PartitionZero.describe(admin, topic);
                return p != null && p.leader() != null && p.leader().id() != oldLeader
                        && p.isr().stream().noneMatch(n -> n.id() == oldLeader);
            });
            int newLeader = PartitionZero.describe(admin, topic).leader().id();
            int ackedAtElection = stream.ackedCount();
            await("records acknowledged by the new leader", Duration.ofSeconds(60),
                    () -> stream.ackedCount() >= ackedAtElection + 300);
            System.out.printf("NetworkPartitionIT: leader %d isolated, leader %d acknowledging %d ms later%n",
                    oldLeader, newLeader, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - isolatedAt));
            // still nothing from the old one, which has not heard of the election
            refused.add(assertNotAcknowledged(toOldLeader, topic, "refused#late"));
            assertNotAcknowledged(toOldLeader, lenient, "refused#late");

            // When the partition heals
            heal();
            // Then the old leader follows, catches up and is back in the ISR
            await("node " + oldLeader + " back in the ISR", Duration.ofSeconds(60),
                    () -> isr(admin, topic).equals(ALL));
            // having cut, at the diverging epoch the new leader named, the tail it appended alone
            assertTruncatedAtLeast(isolated, topic, refused.size());
            assertTruncatedAtLeast(isolated, lenient, refused.size());
            int ackedAtHeal = stream.ackedCount();
            await("records acknowledged after healing", () -> stream.ackedCount() >= ackedAtHeal + 200);
            stream.stop();
            producer.flush();
        }

        // Then every acknowledged record is there once, in order, and none of those refused, read
        // with the new leader leading and again with the old one leading
        List<ConsumerRecord<String, String>> fromNewLeader = ItSupport.readAll(majority, topic);
        stream.assertEveryAcknowledgedRecordIn(fromNewLeader);
        assertThat(fromNewLeader).extracting(ConsumerRecord::value).doesNotContainAnyElementsOf(refused);
        try (Admin admin = ItSupport.admin(everyone)) {
            await("the three replicas' sizes agree", () -> {
                List<Long> sizes = replicaSizes(admin, topic);
                return sizes.size() == 3 && Set.copyOf(sizes).size() == 1;
            });
            // the old leader was the preferred one (the first replica): it leads again when asked
            get(admin.electLeaders(ElectionType.PREFERRED, Set.of(new TopicPartition(topic, 0))).all());
            await("node " + oldLeader + " leads again",
                    () -> PartitionZero.describe(admin, topic).leader().id() == oldLeader);
        }
        List<ConsumerRecord<String, String>> fromOldLeader = ItSupport.readAll(isolated.bootstrap(), topic);
        assertThat(fromOldLeader).extracting(ConsumerRecord::value)
                .containsExactlyElementsOf(fromNewLeader.stream().map(ConsumerRecord::value).toList());
        assertThat(ItSupport.readAll(everyone, lenient)).as("records of " + lenient).isEmpty();
        System.out.printf("NetworkPartitionIT: %d records acknowledged, read back led by %d and by the others%n",
                stream.ackedCount(), oldLeader);
    }

    /** Sends {@code value} with acks=all to the isolated leader, which must not acknowledge it; returns it. */
    private static String assertNotAcknowledged(RawConnection oldLeader, String topic, String value) {
        Errors answer = Errors.forCode(oldLeader.produce(topic, 0, batch(value), (short) -1, 2_000).errorCode());
        assertThat(answer).as("acks=all answer of the isolated leader to %s in %s", value, topic)
                .isIn(Errors.REQUEST_TIMED_OUT, Errors.NOT_ENOUGH_REPLICAS);
        return value;
    }

    /** The node's log says it cut at least {@code records} records off partition 0 of {@code topic}. */
    private static void assertTruncatedAtLeast(BrokerProcess node, String topic, int records) {
        Matcher truncated = Pattern.compile("Truncated " + Pattern.quote(topic) + "-0 from (\\d+) to (\\d+)")
                .matcher(node.output());
        assertThat(truncated.find()).as("%s truncated %s-0", node, topic).isTrue();
        assertThat(Long.parseLong(truncated.group(1)) - Long.parseLong(truncated.group(2)))
                .as("records cut by %s", truncated.group()).isGreaterThanOrEqualTo(records);
        System.out.printf("NetworkPartitionIT: %s: %s%n", node, truncated.group());
    }

    /** Holds every byte to and from node {@code id}, including those its outgoing connections carry. */
    private void isolate(int id) {
        raftProxies.get(id - 1).hold();
        brokerProxies.get(id - 1).hold();
        long pid = nodes.get(id - 1).pid();
        for (int other = 1; other <= 3; other++) {
            if (other != id) {
                raftProxies.get(other - 1).holdFrom(pid);
                brokerProxies.get(other - 1).holdFrom(pid);
            }
        }
    }

    private void heal() {
        raftProxies.forEach(FaultProxy::heal);
        brokerProxies.forEach(FaultProxy::heal);
    }

    private static Set<Integer> isr(Admin admin, String topic) {
        TopicPartitionInfo p = PartitionZero.describe(admin, topic);
        return p == null ? Set.of() : p.isr().stream().map(Node::id).collect(Collectors.toSet());
    }

    /** The sizes on disk of partition 0's replicas, as each node reports its own. */
    private static List<Long> replicaSizes(Admin admin, String topic) {
        TopicPartition tp = new TopicPartition(topic, 0);
        try {
            return admin.describeLogDirs(ALL).allDescriptions().get(10, TimeUnit.SECONDS).values().stream()
                    .flatMap(dirs -> dirs.values().stream())
                    .map(dir -> dir.replicaInfos().get(tp))
                    .filter(info -> info != null)
                    .map(info -> info.size())
                    .toList();
        } catch (Exception e) {
            return List.of();
        }
    }

    private static ByteBuffer batch(String value) {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(value.getBytes())).buffer();
    }
}
