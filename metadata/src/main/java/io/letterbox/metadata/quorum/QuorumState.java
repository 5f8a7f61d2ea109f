package io.letterbox.metadata.quorum;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;

/**
 * The metadata quorum as its leader sees it, in the terms of Kafka's DescribeQuorum: the leader,
 * its term (Kafka's leader epoch), the high watermark, and for each voter and each observer (a
 * broker-only node, a Ratis listener) how far its log reaches and when the leader last heard from it.
 *
 * <p>Offsets are Raft log indexes plus one, so that they count entries as Kafka's offsets do: the
 * high watermark is the commit index plus one, a member's log end offset its match index plus one.
 * A member is caught up when it holds everything committed; {@link Member#lastCaughtUpTimestamp}
 * is then the time of its last reply, and -1 (unknown) while it lags.
 */
public record QuorumState(int leaderId, long term, long highWatermark, List<Member> voters, List<Member> observers) {

    /** One member: its node id, log end offset, and the times in epoch milliseconds (-1 when unknown). */
    public record Member(int nodeId, long logEndOffset, long lastFetchTimestamp, long lastCaughtUpTimestamp) {
    }

    public QuorumState {
        voters = List.copyOf(voters);
        observers = List.copyOf(observers);
    }

    /** The state seen by {@code leader}, this node's division, which must be the leader. */
    static QuorumState ofLeader(RaftServer.Division leader, long nowMs) {
        DivisionInfo info = leader.getInfo();
        RaftPeerId self = leader.getId();
        long commitIndex = leader.getRaftLog().getLastCommittedIndex();
        long lastIndex = leader.getRaftLog().getLastEntryTermIndex() == null ? -1
                : leader.getRaftLog().getLastEntryTermIndex().getIndex();
        Map<RaftPeerId, Reach> reach = followersReach(info, leader.getCommitInfos(), nowMs);
        reach.put(self, new Reach(lastIndex, nowMs));
        return new QuorumState(RatisQuorum.nodeId(self), info.getCurrentTerm(), commitIndex + 1,
                members(leader.getRaftConf().getCurrentPeers(RaftPeerRole.FOLLOWER), reach, commitIndex),
                members(leader.getRaftConf().getCurrentPeers(RaftPeerRole.LISTENER), reach, commitIndex));
    }

    /** How far a member's log reaches (a Raft index) and when the leader last heard from it. */
    private record Reach(long index, long lastHeardMs) {
    }

    /**
     * Each follower's match index and last reply, from the leader's view. Ratis gives the match
     * indexes as an array in the order of its role report's followers; when the two disagree in
     * length (the membership changed between the calls) the commit index each member last reported
     * stands in for the match index.
     */
    private static Map<RaftPeerId, Reach> followersReach(DivisionInfo info, Collection<CommitInfoProto> commits,
            long nowMs) {
        Map<RaftPeerId, Reach> reach = new HashMap<>();
        RoleInfoProto role = info.getRoleInfoProto();
        List<ServerRpcProto> followers = role.hasLeaderInfo() ? role.getLeaderInfo().getFollowerInfoList() : List.of();
        long[] matches = info.getFollowerMatchIndices();
        Map<RaftPeerId, Long> committed = new HashMap<>();
        for (CommitInfoProto c : commits) {
            committed.put(RaftPeerId.valueOf(c.getServer().getId()), c.getCommitIndex());
        }
        boolean aligned = matches != null && matches.length == followers.size();
        for (int i = 0; i < followers.size(); i++) {
            RaftPeerId id = RaftPeerId.valueOf(followers.get(i).getId().getId());
            long index = aligned ? matches[i] : committed.getOrDefault(id, -1L);
            reach.put(id, new Reach(index, nowMs - followers.get(i).getLastRpcElapsedTimeMs()));
        }
        return reach;
    }

    private static List<Member> members(Collection<RaftPeer> peers, Map<RaftPeerId, Reach> reach, long commitIndex) {
        List<Member> members = new ArrayList<>(peers.size());
        for (RaftPeer peer : peers) {
            Reach r = reach.get(peer.getId());
            if (r == null) {
                members.add(new Member(RatisQuorum.nodeId(peer.getId()), -1, -1, -1));
            } else {
                members.add(new Member(RatisQuorum.nodeId(peer.getId()), r.index() + 1, r.lastHeardMs(),
                        r.index() >= commitIndex ? r.lastHeardMs() : -1));
            }
        }
        members.sort((a, b) -> Integer.compare(a.nodeId(), b.nodeId()));
        return members;
    }

    /** The bytes of a query reply: a fixed layout, read back by {@link #decode}. */
    byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(4 + 8 + 8 + 8 + (voters.size() + observers.size()) * 28);
        out.putInt(leaderId).putLong(term).putLong(highWatermark);
        put(out, voters);
        put(out, observers);
        return out.array();
    }

    private static void put(ByteBuffer out, List<Member> members) {
        out.putInt(members.size());
        for (Member m : members) {
            out.putInt(m.nodeId()).putLong(m.logEndOffset()).putLong(m.lastFetchTimestamp())
                    .putLong(m.lastCaughtUpTimestamp());
        }
    }

    static QuorumState decode(ByteBuffer in) {
        int leaderId = in.getInt();
        long term = in.getLong();
        long highWatermark = in.getLong();
        List<Member> voters = get(in);
        List<Member> observers = get(in);
        return new QuorumState(leaderId, term, highWatermark, voters, observers);
    }

    private static List<Member> get(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0 || n > in.remaining() / 28) {
            throw new IllegalArgumentException("Corrupt quorum state: " + n + " members");
        }
        List<Member> members = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            members.add(new Member(in.getInt(), in.getLong(), in.getLong(), in.getLong()));
        }
        return members;
    }
}
