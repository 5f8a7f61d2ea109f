package io.letterbox.metadata.quorum;

import io.letterbox.metadata.image.MetadataDelta;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.image.RecordReplayException;
import io.letterbox.metadata.record.MetadataRecord;
import io.letterbox.metadata.record.RecordCodec;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Raft state machine of the metadata log: each committed entry is one record batch, applied
 * atomically to the current {@link MetadataImage}, which is then swapped in with one volatile
 * write and handed to the {@link ImagePublisher}.
 *
 * <p>Determinism: applying depends only on the image and the entry. A batch with a record that
 * does not fit the image ({@link RecordReplayException}: written by a controller whose image
 * lagged) is rejected as a whole: the image stays, and the reply message says why, so the
 * writer can retry. Every member rejects it alike. Any other exception while applying (corrupt
 * bytes) is fatal: it is logged, reported to the fatal handler and rethrown, and Ratis then
 * stops this server.
 *
 * <p>Queries: a read-only message is a broker heartbeat (int32 broker id), handed to the
 * heartbeat sink; only the leader's matters, because only the leader fences.
 *
 * <p>Snapshots: {@link #takeSnapshot()} writes the image as records ({@link SnapshotFile}) named
 * after the last applied term and index; start-up loads the newest one and replays only the
 * log entries after it. The image's own offset is stored in the file, so a restart restores an
 * equal image.
 *
 * <p>Threads: Ratis calls apply, snapshot and term-index updates from its state machine updater
 * thread; {@link #image()} may be called from any thread. {@code applyLock} keeps the image and
 * the last-applied term index consistent with each other for snapshots taken from other threads.
 */
public final class MetadataStateMachine extends BaseStateMachine {
    private static final Logger log = LoggerFactory.getLogger(MetadataStateMachine.class);
    /** Starts the reply message of a rejected batch; a committed and applied batch replies with no content. */
    public static final String REJECTED_PREFIX = "rejected: ";

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final ImagePublisher publisher;
    private final Consumer<Throwable> fatalHandler;
    private final IntConsumer heartbeats;
    private final Object applyLock = new Object();
    private volatile MetadataImage image = MetadataImage.EMPTY;
    /** Writers waiting until a log index is applied here, by index. Guarded by applyLock. */
    private final TreeMap<Long, List<CompletableFuture<Void>>> appliedWaiters = new TreeMap<>();

    /**
     * @param publisher    receives every new image in apply order
     * @param fatalHandler told once the state machine cannot go on (it should stop the node)
     * @param heartbeats   told the broker id of every heartbeat query
     */
    public MetadataStateMachine(ImagePublisher publisher, Consumer<Throwable> fatalHandler, IntConsumer heartbeats) {
        this.publisher = publisher;
        this.fatalHandler = fatalHandler;
        this.heartbeats = heartbeats;
    }

    /** The message of a heartbeat query. */
    public static Message heartbeatMessage(int brokerId) {
        return Message.valueOf(ByteString.copyFrom(ByteBuffer.allocate(4).putInt(0, brokerId)));
    }

    /** The message of a quorum description query: one byte, where a heartbeat's has four. */
    static final Message DESCRIBE_QUORUM = Message.valueOf(ByteString.copyFrom(new byte[] {'Q'}));

    @Override
    public CompletableFuture<Message> query(Message request) {
        ByteString content = request.getContent();
        if (content.size() == 1 && content.byteAt(0) == 'Q') {
            return describeQuorum();
        }
        if (content.size() != 4) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("Unknown metadata query"));
        }
        heartbeats.accept(content.asReadOnlyByteBuffer().getInt());
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    /** Ratis runs read-only queries on the leader only: this is the leader's view of the quorum. */
    private CompletableFuture<Message> describeQuorum() {
        try {
            RaftServer.Division division = getServer().get().getDivision(getGroupId());
            if (!division.getInfo().isLeader()) {
                return CompletableFuture.failedFuture(new IllegalStateException("Not the metadata leader"));
            }
            QuorumState state = QuorumState.ofLeader(division, System.currentTimeMillis());
            return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(state.encode())));
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(e);
        } catch (java.util.concurrent.ExecutionException e) {
            return CompletableFuture.failedFuture(e.getCause());
        }
    }

    /** Completes once the entry at {@code index} (or a snapshot past it) is applied here and published. */
    public CompletableFuture<Void> awaitApplied(long index) {
        synchronized (applyLock) {
            TermIndex last = getLastAppliedTermIndex();
            if (last != null && last.getIndex() >= index) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> waiter = new CompletableFuture<>();
            appliedWaiters.computeIfAbsent(index, i -> new ArrayList<>()).add(waiter);
            return waiter;
        }
    }

    private List<CompletableFuture<Void>> takeWaitersUpTo(long index) {
        List<CompletableFuture<Void>> due = new ArrayList<>();
        Map<Long, List<CompletableFuture<Void>>> head = appliedWaiters.headMap(index, true);
        head.values().forEach(due::addAll);
        head.clear();
        return due;
    }

    /** The latest applied image. Lock-free. */
    public MetadataImage image() {
        return image;
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        loadLatestSnapshot();
    }

    @Override
    public void reinitialize() throws IOException {
        loadLatestSnapshot();
    }

    private void loadLatestSnapshot() throws IOException {
        SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
        if (snapshot == null) {
            return;
        }
        Path file = snapshot.getFile().getPath();
        MD5Hash expected = snapshot.getFile().getFileDigest();
        if (expected != null) {
            MD5Hash actual = MD5FileUtil.computeMd5ForFile(file.toFile());
            if (!expected.equals(actual)) {
                throw new IOException("Snapshot " + file + " does not match its MD5 digest");
            }
        }
        MetadataImage loaded = SnapshotFile.read(file);
        MetadataImage previous;
        List<CompletableFuture<Void>> due;
        synchronized (applyLock) {
            previous = image;
            image = loaded;
            setLastAppliedTermIndex(snapshot.getTermIndex());
            due = takeWaitersUpTo(snapshot.getIndex());
        }
        log.debug("Loaded metadata snapshot {} (image offset {})", snapshot.getTermIndex(), loaded.offset());
        publisher.publish(previous, loaded).whenComplete((v, e) -> due.forEach(w -> w.complete(null)));
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        MetadataImage previous;
        MetadataImage next;
        List<CompletableFuture<Void>> due;
        String rejection = null;
        try {
            List<MetadataRecord> records = RecordCodec.decodeBatch(
                    entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
            synchronized (applyLock) {
                previous = image;
                try {
                    next = new MetadataDelta(previous).replayAll(records).apply(entry.getIndex());
                } catch (RecordReplayException e) {
                    next = previous;
                    rejection = e.getMessage();
                }
                image = next;
                updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
                due = takeWaitersUpTo(entry.getIndex());
            }
        } catch (RuntimeException e) {
            log.error("Cannot apply metadata log entry {}; stopping this metadata node", TermIndex.valueOf(entry), e);
            fatalHandler.accept(e);
            throw e;
        }
        if (rejection != null) {
            log.debug("Rejected metadata log entry {}: {}", TermIndex.valueOf(entry), rejection);
            due.forEach(w -> w.complete(null));
            return CompletableFuture.completedFuture(Message.valueOf(REJECTED_PREFIX + rejection));
        }
        return publisher.publish(previous, next).thenApply(v -> {
            due.forEach(w -> w.complete(null));
            return Message.EMPTY;
        });
    }

    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        synchronized (applyLock) {
            super.notifyTermIndexUpdated(term, index);
        }
    }

    @Override
    public long takeSnapshot() throws IOException {
        MetadataImage snapshotImage;
        TermIndex last;
        synchronized (applyLock) {
            snapshotImage = image;
            last = getLastAppliedTermIndex();
        }
        if (last == null || last.getIndex() < 0) {
            return RaftLog.INVALID_LOG_INDEX;
        }
        SingleFileSnapshotInfo latest = storage.getLatestSnapshot();
        if (latest != null && latest.getTermIndex().equals(last)) {
            return last.getIndex();
        }
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        SnapshotFile.write(file.toPath(), snapshotImage);
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
        log.debug("Took metadata snapshot {} (image offset {})", last, snapshotImage.offset());
        return last.getIndex();
    }
}
