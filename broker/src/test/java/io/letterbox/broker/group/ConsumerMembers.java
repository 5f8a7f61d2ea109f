package io.letterbox.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * Drives a {@link ClassicGroupCoordinator} as consumers do: members of group {@code g} with the
 * consumer protocol ("range"), subscribed to the topics given, joining with KIP-394's two steps.
 * Not thread-safe.
 */
final class ConsumerMembers {

    static final String GROUP = "g";

    private final ClassicGroupCoordinator coordinator;
    private final int sessionMs;

    ConsumerMembers(ClassicGroupCoordinator coordinator, int sessionMs) {
        this.coordinator = coordinator;
        this.sessionMs = sessionMs;
    }

    static byte[] subscription(String... topics) {
        ByteBuffer b = ConsumerProtocol.serializeSubscription(new Subscription(List.of(topics)));
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    JoinGroupRequestData joinRequest(String memberId, String instanceId, String protocolType, byte[] metadata) {
        JoinGroupRequestProtocolCollection ps = new JoinGroupRequestProtocolCollection();
        ps.add(new JoinGroupRequestProtocol().setName("range").setMetadata(metadata));
        return new JoinGroupRequestData().setGroupId(GROUP).setMemberId(memberId).setGroupInstanceId(instanceId)
                .setSessionTimeoutMs(sessionMs).setRebalanceTimeoutMs(2_000).setProtocolType(protocolType)
                .setProtocols(ps);
    }

    /** A dynamic member's join after MEMBER_ID_REQUIRED; completes when the join phase does. */
    CompletableFuture<JoinGroupResponseData> joinNew(String protocolType, String... topics) {
        JoinGroupResponseData first = coordinator.join(joinRequest("", null, protocolType, subscription(topics)),
                "c", "/127.0.0.1", true).join();
        assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        return coordinator.join(joinRequest(first.memberId(), null, protocolType, subscription(topics)), "c",
                "/127.0.0.1", true);
    }

    /**
     * {@code count} consumers subscribed to {@code topics}, joined and synced: a Stable generation.
     * All land in one generation only when the coordinator's initial rebalance delay gathers them.
     */
    List<JoinGroupResponseData> stable(int count, String... topics) throws Exception {
        List<CompletableFuture<JoinGroupResponseData>> joins = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            joins.add(joinNew("consumer", topics));
        }
        List<JoinGroupResponseData> joined = new ArrayList<>();
        for (CompletableFuture<JoinGroupResponseData> j : joins) {
            joined.add(j.get(10, TimeUnit.SECONDS));
        }
        syncAll(joined);
        return joined;
    }

    /** Every member syncs, the leader with an assignment "for &lt;member id&gt;" for each. */
    void syncAll(List<JoinGroupResponseData> joined) throws Exception {
        List<CompletableFuture<SyncGroupResponseData>> syncs = new ArrayList<>();
        for (JoinGroupResponseData j : joined) {
            SyncGroupRequestData req = new SyncGroupRequestData().setGroupId(GROUP).setGenerationId(j.generationId())
                    .setMemberId(j.memberId());
            if (j.leader().equals(j.memberId())) {
                for (JoinGroupResponseData m : joined) {
                    req.assignments().add(new SyncGroupRequestAssignment().setMemberId(m.memberId())
                            .setAssignment(("for " + m.memberId()).getBytes()));
                }
            }
            syncs.add(coordinator.sync(req));
        }
        for (CompletableFuture<SyncGroupResponseData> s : syncs) {
            assertThat(Errors.forCode(s.get(10, TimeUnit.SECONDS).errorCode())).isEqualTo(Errors.NONE);
        }
    }

    Errors heartbeat(String memberId, int generation) {
        return coordinator.heartbeat(new HeartbeatRequestData().setGroupId(GROUP).setGenerationId(generation)
                .setMemberId(memberId));
    }
}
