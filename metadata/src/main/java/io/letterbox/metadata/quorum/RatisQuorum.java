package io.letterbox.metadata.quorum;

import io.letterbox.metadata.MetadataConfig;
import io.letterbox.metadata.record.MetadataRecord;
import io.letterbox.metadata.record.RecordCodec;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.LeaderNotReadyException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * This node's membership in the metadata Raft group (Apache Ratis, Netty transport).
 *
 * <p>Group: a fixed group id; peer ids are {@code "n<nodeId>"}. With no voters configured the
 * group is this node alone, at {@code rpcHost:rpcPort} (port 0 picks a free port each start; the
 * address stored in the log from an earlier start does not matter to a group of one). Storage is
 * {@code <dir>/ratis}: Ratis' own layout of log segments, term/vote metadata and the state
 * machine's snapshots.
 *
 * <p>Writes: {@link #append} submits one encoded record batch straight to the local Raft server
 * when this node leads, else through a Ratis client to the leader. "Done" means committed by a
 * majority (fsynced on each of them) and applied to this node's image and published to its
 * listeners. A write that cannot commit (no leader reachable, closed) or that the state machine
 * rejected (validated against a lagging image) fails with {@link NotControllerException}, which
 * clients retry.
 *
 * <p>Heartbeats: {@link #heartbeat} is a read-only query the client sends to the leader.
 *
 * <p>Non-voters (broker-only nodes) are Ratis listeners: at each start they ask the leader to add
 * them to the group's listeners (at the same address each time), then receive and apply the committed log as followers do, but
 * never vote nor count towards a commit. Their writes go to the leader like a follower's.
 *
 * <p>Timeouts: a group of one needs no real election, so its first election timeout is a few
 * milliseconds; that keeps start-up (election plus the leader's first commit) well under 100 ms
 * once classes are loaded.
 *
 * <p>Thread-safe.
 */
public final class RatisQuorum implements Closeable {
    /** Tries of a client call to the leader, 100 ms apart: rides out an election. */
    private static final int CLIENT_ATTEMPTS = 30;
    /** How long a non-voter tries to join the group before its start fails. */
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(60);
    /** In the metadata directory of a non-voter: the Raft port it listens on, the same at every start. */
    private static final String LISTENER_PORT_FILE = "listener-rpc-port";
    /** The one metadata group of a Letterbox cluster. */
    public static final RaftGroupId GROUP_ID =
            RaftGroupId.valueOf(UUID.nameUUIDFromBytes("letterbox-metadata".getBytes(StandardCharsets.UTF_8)));

    private final RaftServer server;
    private final RaftPeerId selfId;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong();
    private final InetSocketAddress rpcAddress;
    private final LeaderClient client;
    private final MetadataStateMachine stateMachine;

    private RatisQuorum(RaftServer server, RaftPeerId selfId, InetSocketAddress rpcAddress, LeaderClient client,
                        MetadataStateMachine stateMachine) {
        this.server = server;
        this.selfId = selfId;
        this.rpcAddress = rpcAddress;
        this.client = client;
        this.stateMachine = stateMachine;
    }

    /** The node id of a peer id made by {@link #peerId}. */
    static int nodeId(RaftPeerId peer) {
        return Integer.parseInt(peer.toString().substring(1));
    }

    public static RaftPeerId peerId(int nodeId) {
        return RaftPeerId.valueOf("n" + nodeId);
    }

    /**
     * Starts the Raft server for this node. A voter returns at once (see {@link #awaitReady}); a
     * non-voter first joins the group as a listener, which needs a leader.
     */
    public static RatisQuorum start(MetadataConfig config, MetadataStateMachine stateMachine) throws IOException {
        Map<Integer, String> voters = new TreeMap<>(config.voters());
        InetSocketAddress bind;
        if (voters.isEmpty()) {
            int port = config.rpcPort() == 0 ? freePort(config.rpcHost()) : config.rpcPort();
            bind = new InetSocketAddress(config.rpcHost(), port);
        } else if (!config.isVoter()) {
            bind = new InetSocketAddress(config.rpcHost(), listenerPort(config));
        } else {
            // The voter's own entry may name a proxy in front of it: it binds rpcPort when given.
            bind = new InetSocketAddress(config.rpcHost(),
                    config.rpcPort() != 0 ? config.rpcPort() : parsePort(voters.get(config.nodeId())));
        }
        if (voters.isEmpty()) {
            voters.put(config.nodeId(), config.rpcHost() + ":" + bind.getPort());
        }
        List<RaftPeer> voterPeers = new ArrayList<>();
        voters.forEach((id, address) -> voterPeers.add(
                RaftPeer.newBuilder().setId(peerId(id)).setAddress(address).build()));
        RaftPeer listener = config.isVoter() ? null : RaftPeer.newBuilder().setId(peerId(config.nodeId()))
                .setAddress(bind.getHostString() + ":" + bind.getPort())
                .setStartupRole(RaftPeerRole.LISTENER).build();
        List<RaftPeer> peers = new ArrayList<>(voterPeers);
        if (listener != null) {
            peers.add(listener);
        }
        RaftGroup group = RaftGroup.valueOf(GROUP_ID, peers);

        RaftProperties p = new RaftProperties();
        RaftConfigKeys.Rpc.setType(p, SupportedRpcType.NETTY);
        NettyConfigKeys.Server.setHost(p, bind.getHostString());
        NettyConfigKeys.Server.setPort(p, bind.getPort());
        NettyConfigKeys.Server.setUseEpoll(p, false);
        RaftServerConfigKeys.setStorageDir(p, List.of(config.dir().resolve("ratis").toFile()));
        if (peers.size() == 1) {
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, TimeDuration.valueOf(1, TimeUnit.MILLISECONDS));
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, TimeDuration.valueOf(5, TimeUnit.MILLISECONDS));
        } else {
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, TimeDuration.valueOf(150, TimeUnit.MILLISECONDS));
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, TimeDuration.valueOf(300, TimeUnit.MILLISECONDS));
        }
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(300, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(600, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.snapshotEveryEntries());
        RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf("8MB"));
        RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf("1MB"));
        // Ratis shuts its server down for good after a JVM pause this long (a GC, a SIGSTOP, a stalled
        // VM), which would leave the node running without metadata. Raft's safety needs no clock: a
        // paused member catches up when it resumes, a paused leader finds a newer term. So never.
        RaftServerConfigKeys.setCloseThreshold(p, TimeDuration.valueOf(365, TimeUnit.DAYS));

        RaftPeerId self = peerId(config.nodeId());
        RaftServer server = RaftServer.newBuilder()
                .setServerId(self)
                .setGroup(group)
                .setStateMachine(stateMachine)
                .setProperties(p)
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            closeQuietly(server);
            throw e;
        }
        RaftProperties clientProperties = new RaftProperties();
        RaftConfigKeys.Rpc.setType(clientProperties, SupportedRpcType.NETTY);
        RaftClientConfigKeys.Rpc.setRequestTimeout(clientProperties, TimeDuration.valueOf(3, TimeUnit.SECONDS));
        // Writes and heartbeats go to the leader, always a voter. Each client has its own id: the
        // leader's retry cache tells calls apart by client id and call id.
        RaftGroup voterGroup = RaftGroup.valueOf(GROUP_ID, voterPeers);
        LeaderClient client = new LeaderClient(() -> {
            RaftClient.Builder builder = RaftClient.newBuilder()
                    .setProperties(clientProperties)
                    .setRaftGroup(voterGroup)
                    .setClientId(ClientId.randomId())
                    .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(CLIENT_ATTEMPTS,
                            TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)));
            if (listener == null) {
                builder.setLeaderId(self);
            }
            return builder.build();
        });
        RatisQuorum quorum = new RatisQuorum(server, self, bind, client, stateMachine);
        if (listener != null) {
            try {
                quorum.joinAsListener(listener);
            } catch (IOException | RuntimeException e) {
                try {
                    quorum.close();
                } catch (IOException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
        return quorum;
    }

    /**
     * Asks the leader to add this node to the group's listeners (replacing an entry of an earlier
     * start, whose address may differ), so that the leader sends it the log. Retries until a
     * leader answers, for at most {@link #JOIN_TIMEOUT}.
     */
    private void joinAsListener(RaftPeer self) throws IOException {
        SetConfigurationRequest.Arguments join = SetConfigurationRequest.Arguments.newBuilder()
                .setServersInNewConf(List.of())
                .setListenersInNewConf(List.of(self))
                .setMode(SetConfigurationRequest.Mode.ADD)
                .build();
        long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try {
                RaftClientReply reply = client.setConfiguration(join);
                if (reply.isSuccess()) {
                    return;
                }
                last = new IOException(String.valueOf(reply.getException()));
            } catch (IOException e) {
                last = e;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while joining the metadata quorum");
            }
        }
        throw new IOException("Could not join the metadata quorum as a listener within " + JOIN_TIMEOUT.toSeconds()
                + " s: no controller answered (" + (last == null ? "no reply" : last.getMessage()) + ")", last);
    }

    /**
     * A listener's port is kept across starts: the group's configuration holds its address, and
     * Ratis does not change the address of a member already in it.
     */
    private static int listenerPort(MetadataConfig config) throws IOException {
        if (config.rpcPort() != 0) {
            return config.rpcPort();
        }
        Path file = config.dir().resolve(LISTENER_PORT_FILE);
        if (Files.exists(file)) {
            try {
                return Integer.parseInt(Files.readString(file, StandardCharsets.UTF_8).trim());
            } catch (NumberFormatException e) {
                throw new IOException("Corrupt " + file + ": delete it to pick a new port", e);
            }
        }
        int port = freePort(config.rpcHost());
        Path tmp = file.resolveSibling(LISTENER_PORT_FILE + ".tmp");
        Files.writeString(tmp, Integer.toString(port), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return port;
    }

    private static int parsePort(String address) {
        int colon = address.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("Voter address must be host:port, got " + address);
        }
        return Integer.parseInt(address.substring(colon + 1));
    }

    private static int freePort(String host) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(host, 0));
            return s.getLocalPort();
        }
    }

    /** The address the Raft RPC server listens on. */
    public InetSocketAddress rpcAddress() {
        return rpcAddress;
    }

    private RaftServer.Division division() throws IOException {
        return server.getDivision(GROUP_ID);
    }

    /** Whether this node is the leader and has committed an entry of its term (so it may write). */
    public boolean isReadyLeader() {
        try {
            return division().getInfo().isLeaderReady();
        } catch (IOException e) {
            return false;
        }
    }

    /** The node id of the metadata leader (the active controller) as this node knows it, or -1. */
    public int leaderId() {
        try {
            RaftServer.Division d = division();
            RaftPeerId leader = d.getInfo().isLeader() ? selfId : d.getInfo().getLeaderId();
            return leader == null ? -1 : nodeId(leader);
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * The Raft address of node {@code nodeId}, a voter or a listener, as the group's configuration
     * names it; null when it is not a member or the address is unreadable.
     */
    public InetSocketAddress peerAddress(int nodeId) {
        try {
            RaftPeer peer = division().getRaftConf().getPeer(peerId(nodeId), RaftPeerRole.FOLLOWER, RaftPeerRole.LISTENER);
            if (peer == null || peer.getAddress() == null) {
                return null;
            }
            String address = peer.getAddress();
            return new InetSocketAddress(address.substring(0, address.lastIndexOf(':')), parsePort(address));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Tells the leader that broker {@code brokerId} is alive; completes when the leader has it. */
    public CompletableFuture<Void> heartbeat(int brokerId) {
        return client.sendReadOnly(MetadataStateMachine.heartbeatMessage(brokerId)).handle((r, error) -> {
            if (error != null) {
                throw translate(error);
            }
            if (!r.isSuccess()) {
                throw translate(r.getException());
            }
            return null;
        });
    }

    /**
     * The quorum as the leader sees it: computed here when this node leads, else asked of the
     * leader by a read-only query. Fails with {@link NotControllerException} when no leader answers.
     */
    public CompletableFuture<QuorumState> describe() {
        try {
            RaftServer.Division d = division();
            if (d.getInfo().isLeader()) {
                return CompletableFuture.completedFuture(QuorumState.ofLeader(d, System.currentTimeMillis()));
            }
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(translate(e));
        }
        return client.sendReadOnly(MetadataStateMachine.DESCRIBE_QUORUM).thenApply(r -> {
            if (!r.isSuccess()) {
                throw translate(r.getException());
            }
            return QuorumState.decode(r.getMessage().getContent().asReadOnlyByteBuffer());
        }).exceptionally(error -> {
            throw translate(error);
        });
    }

    /**
     * Waits until a leader is known and this node has applied everything committed when it
     * became ready; on the leader that includes every entry of earlier terms.
     */
    public void awaitReady(Duration timeout) throws IOException, TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            RaftServer.Division d = division();
            if (!d.getInfo().isAlive()) {
                throw new IOException("The metadata Raft server stopped during start-up");
            }
            boolean leaderKnown = d.getInfo().isLeaderReady()
                    || ((d.getInfo().isFollower() || d.getInfo().isListener()) && d.getInfo().getLeaderId() != null);
            if (leaderKnown && d.getInfo().getLastAppliedIndex() >= d.getRaftLog().getLastCommittedIndex()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("The metadata quorum was not ready within " + timeout.toMillis() + " ms");
            }
            Thread.sleep(1);
        }
    }

    /**
     * Appends one batch of records atomically. The future completes with the batch's log index
     * once it is committed and applied here, or fails with {@link NotControllerException} when
     * this node cannot write (not the leader, stepping down, closed).
     */
    public CompletableFuture<Long> append(List<? extends MetadataRecord> records) {
        Message message = Message.valueOf(ByteString.copyFrom(RecordCodec.encodeBatch(records)));
        CompletableFuture<RaftClientReply> reply;
        try {
            if (isReadyLeader()) {
                reply = server.submitClientRequestAsync(RaftClientRequest.newBuilder()
                        .setClientId(clientId)
                        .setServerId(selfId)
                        .setGroupId(GROUP_ID)
                        .setCallId(callIds.incrementAndGet())
                        .setMessage(message)
                        .setType(RaftClientRequest.writeRequestType())
                        .build())
                        // Leadership lost before the entry was appended: the client finds the next leader.
                        .thenCompose(r -> !r.isSuccess() && lostLeadership(r.getException())
                                ? client.send(message) : CompletableFuture.completedFuture(r));
            } else {
                reply = client.send(message);
            }
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(translate(e));
        }
        // A reply from the leader may come before this node applied the entry.
        return reply.thenCompose(r -> {
            if (!r.isSuccess()) {
                throw translate(r.getException());
            }
            String content = r.getMessage() == null ? "" : r.getMessage().getContent().toStringUtf8();
            if (content.startsWith(MetadataStateMachine.REJECTED_PREFIX)) {
                throw new NotControllerException("The metadata changed meanwhile, retry: "
                        + content.substring(MetadataStateMachine.REJECTED_PREFIX.length()));
            }
            long index = r.getLogIndex();
            return stateMachine.awaitApplied(index).thenApply(v -> index);
        }).exceptionally(error -> {
            throw translate(error);
        });
    }

    private static boolean lostLeadership(Throwable e) {
        return e instanceof NotLeaderException || e instanceof LeaderNotReadyException
                || e instanceof LeaderSteppingDownException;
    }

    private static RuntimeException translate(Throwable e) {
        Throwable cause = e;
        while ((cause instanceof java.util.concurrent.CompletionException
                || cause instanceof java.util.concurrent.ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof NotControllerException nce) {
            return nce;
        }
        if (lostLeadership(cause) || cause instanceof AlreadyClosedException) {
            return new NotControllerException("This node is not the active controller: " + cause.getMessage());
        }
        if (cause instanceof RaftException || cause instanceof IOException) {
            return new NotControllerException("The metadata log cannot commit: " + cause.getMessage());
        }
        return new UnknownServerException("Metadata write failed: " + cause, cause);
    }

    /**
     * Stops the Raft server; a snapshot is taken first if entries were applied since the last one.
     *
     * <p>Ratis' log worker waits for work with a fixed one-second poll and its close waits for
     * that poll to end, which would make every close take about a second. Once that close has
     * begun (the worker's run loop is told to stop; nothing more can be written), a helper thread
     * interrupts the worker, which then exits at once; everything it wrote was already flushed.
     */
    @Override
    public void close() throws IOException {
        Thread waker = null;
        try {
            String workerName = division().getMemberId() + "-SegmentedRaftLogWorker";
            waker = new Thread(() -> wakeLogWorker(workerName), "letterbox-metadata-close");
            waker.setDaemon(true);
            waker.start();
        } catch (IOException | RuntimeException e) {
            // no division (start-up failed early): nothing to wake
        }
        client.close();
        try {
            server.close();
        } finally {
            if (waker != null) {
                waker.interrupt();
            }
        }
    }

    private static void wakeLogWorker(String workerName) {
        try {
            while (true) {
                Thread worker = null;
                boolean closing = false;
                for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
                    if (e.getKey().getName().equals(workerName)) {
                        worker = e.getKey();
                    }
                    for (StackTraceElement frame : e.getValue()) {
                        if (frame.getMethodName().equals("close")
                                && frame.getClassName().endsWith(".SegmentedRaftLogWorker")) {
                            closing = true;
                            break;
                        }
                    }
                }
                if (worker == null) {
                    return;
                }
                if (closing) {
                    // close() has begun: its first step stops the run loop; now end the poll.
                    Thread.sleep(2);
                    worker.interrupt();
                    return;
                }
                Thread.sleep(2);
            }
        } catch (InterruptedException e) {
            // close finished without our help
        }
    }

    private static void closeQuietly(RaftServer server) {
        try {
            server.close();
        } catch (IOException | RuntimeException ignored) {
            // start-up already failed; that failure is the one to report
        }
    }
}
