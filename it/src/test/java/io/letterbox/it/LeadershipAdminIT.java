package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.createTopic;
import static io.letterbox.it.support.ItSupport.failureOf;
import static io.letterbox.it.support.ItSupport.get;
import static io.letterbox.it.support.ItSupport.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.BrokerExtension;
import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.RawConnection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ElectionNotNeededException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ElectLeadersRequest;
import org.apache.kafka.common.requests.ElectLeadersResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ElectLeaders and partition reassignment answers on one broker (node 1), as Apache Kafka gives them
 * (run with {@code -Dit.bootstrap=... -Dit.peer=kafka} against the Kafka peer to check): nothing to elect
 * where the preferred replica leads, unknown partitions, invalid targets, nothing to cancel.
 */
class LeadershipAdminIT {

    @RegisterExtension
    static final BrokerExtension BROKER = new BrokerExtension("leadership-admin");

    private Admin admin;

    @BeforeEach
    void connect() {
        admin = ItSupport.admin(BROKER.bootstrap());
    }

    @AfterEach
    void disconnect() {
        admin.close();
    }

    private Optional<Throwable> elect(ElectionType type, TopicPartition tp) {
        return get(admin.electLeaders(type, Set.of(tp)).partitions()).get(tp);
    }

    @Test
    void electLeadersAnswersPerPartition() {
        String topic = uniqueTopic("elect");
        createTopic(admin, topic, 1, Map.of());
        TopicPartition tp = new TopicPartition(topic, 0);
        assertThat(elect(ElectionType.PREFERRED, tp)).containsInstanceOf(ElectionNotNeededException.class);
        assertThat(elect(ElectionType.UNCLEAN, tp)).containsInstanceOf(ElectionNotNeededException.class);
        assertThat(elect(ElectionType.PREFERRED, new TopicPartition(topic, 5)))
                .containsInstanceOf(UnknownTopicOrPartitionException.class);
        assertThat(elect(ElectionType.PREFERRED, new TopicPartition(uniqueTopic("missing"), 0)))
                .containsInstanceOf(UnknownTopicOrPartitionException.class);
        // Every partition: those needing no election are left out
        assertThat(get(admin.electLeaders(ElectionType.PREFERRED, null).partitions())).doesNotContainKey(tp);
        // Version 0 knows only preferred elections
        try (RawConnection raw = new RawConnection(BROKER.bootstrap())) {
            ElectLeadersResponse v0 = raw.send(new ElectLeadersRequest.Builder(ElectionType.PREFERRED, Set.of(tp),
                    30_000).build((short) 0));
            assertThat(v0.data().replicaElectionResults()).singleElement().satisfies(r -> {
                assertThat(r.topic()).isEqualTo(topic);
                assertThat(Errors.forCode(r.partitionResult().get(0).errorCode())).isEqualTo(Errors.ELECTION_NOT_NEEDED);
            });
        }
    }

    @Test
    void reassignmentsAreValidatedPerPartition() {
        String topic = uniqueTopic("reassign");
        createTopic(admin, topic, 1, Map.of());
        TopicPartition tp = new TopicPartition(topic, 0);
        assertThat(failureOf(admin.alterPartitionReassignments(Map.of(tp,
                Optional.of(new NewPartitionReassignment(List.of(42))))).all()))
                .isInstanceOf(InvalidReplicaAssignmentException.class);
        assertThat(failureOf(admin.alterPartitionReassignments(Map.of(tp,
                Optional.of(new NewPartitionReassignment(List.of(1, 1))))).all()))
                .isInstanceOf(InvalidReplicaAssignmentException.class);
        assertThat(failureOf(admin.alterPartitionReassignments(Map.of(new TopicPartition(topic, 3),
                Optional.of(new NewPartitionReassignment(List.of(1))))).all()))
                .isInstanceOf(UnknownTopicOrPartitionException.class);
        assertThat(failureOf(admin.alterPartitionReassignments(Map.of(tp, Optional.empty())).all()))
                .isInstanceOf(NoReassignmentInProgressException.class);
        // To the replicas it has: accepted, and nothing in progress
        get(admin.alterPartitionReassignments(Map.of(tp, Optional.of(new NewPartitionReassignment(List.of(1)))))
                .all());
        assertThat(get(admin.listPartitionReassignments(Set.of(tp)).reassignments())).isEmpty();
    }
}
