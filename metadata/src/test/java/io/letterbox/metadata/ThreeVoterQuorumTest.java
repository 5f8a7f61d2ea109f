package io.letterbox.metadata;

import static io.letterbox.metadata.Nodes.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.metadata.controller.CreateTopicResult;
import io.letterbox.metadata.controller.NewTopic;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three voters in one JVM, on loopback ports: replication, NOT_CONTROLLER on followers, failover. */
class ThreeVoterQuorumTest {
    @TempDir
    Path dir;
    final List<MetadataNode> nodes = new ArrayList<>();

    @AfterEach
    void closeAll() {
        nodes.forEach(MetadataNode::close);
    }

    /** Starts three voters together on free loopback ports; returns the voter map. */
    private Map<Integer, String> startVoters() throws Exception {
        Map<Integer, String> voters = new TreeMap<>();
        for (int id = 1; id <= 3; id++) {
            voters.put(id, "127.0.0.1:" + freePort());
        }
        startTogether(List.of(1, 2, 3), voters);
        return voters;
    }

    /** Starts the voters {@code ids} at once (each start waits for a quorum) and adds them to {@link #nodes}. */
    private void startTogether(List<Integer> ids, Map<Integer, String> voters) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(ids.size());
        try {
            List<Future<MetadataNode>> starting = new ArrayList<>();
            for (int id : ids) {
                MetadataConfig config = new MetadataConfig(id, dir.resolve("n" + id), "127.0.0.1", 0, 1, (short) 1,
                        ConfigValidator.NONE).withVoters(voters);
                starting.add(pool.submit(() -> MetadataNode.start(config)));
            }
            for (Future<MetadataNode> f : starting) {
                nodes.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void replicatesAndFailsOver() throws Exception {
        // Given three voters started together
        startVoters();
        String clusterId = nodes.get(0).image().clusterId();
        assertThat(clusterId).hasSize(22);
        assertThat(nodes).allSatisfy(n -> assertThat(n.image().clusterId()).isEqualTo(clusterId));

        // When the leader creates a topic, every voter applies it
        MetadataNode leader = awaitLeader(nodes);
        for (int id = 1; id <= 3; id++) {
            get(leader.controller().registerBroker(Nodes.broker(id)));
        }
        CreateTopicResult created = get(leader.controller().createTopics(
                List.of(NewTopic.of("replicated", 3, (short) 1)), false)).get(0);
        assertThat(created.error().error()).isEqualTo(Errors.NONE);
        for (MetadataNode n : nodes) {
            awaitTopic(n, "replicated");
        }

        // and a follower's controller writes through the leader: done means applied on the follower too
        MetadataNode follower = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
        CreateTopicResult viaFollower = get(follower.controller().createTopics(
                List.of(NewTopic.of("via-follower", 1, (short) 1)), false)).get(0);
        assertThat(viaFollower.error().error()).isEqualTo(Errors.NONE);
        assertThat(follower.image().topics().get("via-follower").id()).isEqualTo(viaFollower.topicId());
        for (MetadataNode n : nodes) {
            awaitTopic(n, "via-follower");
        }

        // Two nodes create one name at once, each validating against its own image: exactly one
        // wins; the other's batch, if it reached the log, is rejected there alike on every member
        // (retriable NOT_CONTROLLER), else its controller already saw the topic (TOPIC_ALREADY_EXISTS).
        MetadataNode other = nodes.stream().filter(n -> n != leader && n != follower).findFirst().orElseThrow();
        CompletableFuture<List<CreateTopicResult>> first = follower.controller().createTopics(
                List.of(NewTopic.of("contended", 1, (short) 1)), false);
        CompletableFuture<List<CreateTopicResult>> second = other.controller().createTopics(
                List.of(NewTopic.of("contended", 1, (short) 1)), false);
        List<CreateTopicResult> winners = new ArrayList<>();
        for (CompletableFuture<List<CreateTopicResult>> attempt : List.of(first, second)) {
            try {
                CreateTopicResult r = attempt.get(30, TimeUnit.SECONDS).get(0);
                if (r.error().error() == Errors.NONE) {
                    winners.add(r);
                } else {
                    assertThat(r.error().error()).isEqualTo(Errors.TOPIC_ALREADY_EXISTS);
                }
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(NotControllerException.class);
            }
        }
        assertThat(winners).hasSize(1);
        for (MetadataNode n : nodes) {
            awaitTopic(n, "contended");
            assertThat(n.image().topics().get("contended").id()).isEqualTo(winners.get(0).topicId());
            assertThat(n.failure()).isNull();
        }

        // When the leader stops, the other two elect a new one that can write
        leader.close();
        nodes.remove(leader);
        MetadataNode next = awaitLeader(nodes);
        assertThat(next).isNotSameAs(leader);
        CreateTopicResult after = get(next.controller().createTopics(
                List.of(NewTopic.of("after-failover", 1, (short) 1)), false)).get(0);
        assertThat(after.error().error()).isEqualTo(Errors.NONE);
        for (MetadataNode n : nodes) {
            awaitTopic(n, "after-failover");
            assertThat(n.image().topics().get("replicated").id()).isEqualTo(created.topicId());
        }
    }

    @Test
    void aNonVoterFollowsTheLogAsAListenerAndWritesThroughTheLeader() throws Exception {
        // Given three voters and node 4, which is not among them
        Map<Integer, String> voters = startVoters();
        MetadataConfig listenerConfig = new MetadataConfig(4, dir.resolve("n4"), "127.0.0.1", 0, 1, (short) 1,
                ConfigValidator.NONE).withVoters(voters);
        MetadataNode listener = MetadataNode.start(listenerConfig);
        nodes.add(listener);
        assertThat(listener.image().clusterId()).isEqualTo(nodes.get(0).image().clusterId());
        assertThat(listener.leaderId()).isIn(1, 2, 3);

        // Its writes go through the leader and are applied on it when done
        get(listener.controller().registerBroker(Nodes.broker(4)));
        CreateTopicResult created = get(listener.controller().createTopics(
                List.of(NewTopic.of("from-listener", 1, (short) 1)), false)).get(0);
        assertThat(created.error().error()).isEqualTo(Errors.NONE);
        assertThat(listener.image().topics().get("from-listener").id()).isEqualTo(created.topicId());
        get(listener.heartbeat(4));

        // and it applies what the voters write
        MetadataNode leader = awaitLeader(nodes);
        get(leader.controller().createTopics(List.of(NewTopic.of("from-leader", 1, (short) 1)), false));
        awaitTopic(listener, "from-leader");

        // Restarted, it catches up on what it missed, and it never leads
        listener.close();
        nodes.remove(listener);
        get(leader.controller().createTopics(List.of(NewTopic.of("while-away", 1, (short) 1)), false));
        MetadataNode again = MetadataNode.start(listenerConfig);
        nodes.add(again);
        awaitTopic(again, "while-away");
        assertThat(again.isLeader()).isFalse();
        assertThat(nodes).allSatisfy(n -> assertThat(n.failure()).isNull());
    }

    @Test
    void aVoterThatLostItsQuorumWritesAndHeartbeatsAgainOnceItIsBack() throws Exception {
        // Given three voters, two of which stop, the leader among them: a leader that has not yet
        // noticed it lost its majority would still answer the survivor's read-only heartbeat
        Map<Integer, String> voters = startVoters();
        MetadataNode leader = awaitLeader(nodes);
        MetadataNode survivor = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
        List<Integer> stopped = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            MetadataNode n = nodes.get(id - 1);
            if (n != survivor) {
                stopped.add(id);
                n.close();
            }
        }
        nodes.retainAll(List.of(survivor));

        // Then a write and a heartbeat fail (retriably) once the client has used up its retries
        ExecutionException noQuorum = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> get(survivor.controller().registerBroker(Nodes.broker(3))));
        assertThat(noQuorum.getCause()).isInstanceOf(NotControllerException.class);
        assertThat(org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> get(survivor.heartbeat(3))).getCause()).isInstanceOf(NotControllerException.class);

        // When the two come back, the survivor's writes and heartbeats go through again
        startTogether(stopped, voters);
        get(survivor.controller().registerBroker(Nodes.broker(3)));
        get(survivor.heartbeat(3));
        assertThat(survivor.image().cluster().broker(3)).isNotNull();
    }

    private static MetadataNode awaitLeader(List<MetadataNode> nodes) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (MetadataNode n : nodes) {
                if (n.isLeader()) {
                    return n;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("No leader elected");
    }

    private static void awaitTopic(MetadataNode node, String topic) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (node.image().topics().get(topic) == null) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Node " + node.config().nodeId() + " never saw topic " + topic);
            }
            Thread.sleep(5);
        }
    }
}
