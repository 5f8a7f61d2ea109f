package io.letterbox.storage.log;

import io.letterbox.storage.config.LogConfig;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.letterbox.storage.log.TestBatches.NOW;
import static io.letterbox.storage.log.TestBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GroupCommitTest {

    @TempDir
    Path tmp;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        FailurePoint.disarmAll();
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private Log log(String name) {
        Log log = Log.open(tmp.resolve(name + "-0"), org.apache.kafka.common.Uuid.randomUuid(), LogConfig.defaults(),
                org.apache.kafka.common.utils.Time.SYSTEM);
        toClose.add(log);
        return log;
    }

    private GroupCommit groupCommit() {
        GroupCommit gc = new GroupCommit("test-group-commit");
        toClose.add(0, gc);
        return gc;
    }

    @Test
    void manyConcurrentProducersShareFsyncs() throws Exception {
        // Given: 8 threads appending to 2 logs and asking for durability after each append
        GroupCommit gc = groupCommit();
        Log a = log("a");
        Log b = log("b");
        int threads = 8;
        int perThread = 50;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        List<CompletableFuture<Void>> futures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<long[]> acked = java.util.Collections.synchronizedList(new ArrayList<>());

        // When
        for (int t = 0; t < threads; t++) {
            Log target = t % 2 == 0 ? a : b;
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        LogAppendInfo info = target.appendAsLeader(batch("v" + i), 0, NOW);
                        CompletableFuture<Void> f = gc.flush(target, info.lastOffset() + 1);
                        futures.add(f);
                        f.join();
                        acked.add(new long[] {target == a ? 0 : 1, info.lastOffset() + 1,
                                target.flushedOffset()});
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            worker.start();
            workers.add(worker);
        }
        start.countDown();
        for (Thread w : workers) {
            w.join(TimeUnit.SECONDS.toMillis(30));
        }

        // Then
        assertThat(futures).hasSize(threads * perThread).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        assertThat(acked).allSatisfy(r -> assertThat(r[2]).isGreaterThanOrEqualTo(r[1]));
        assertThat(gc.logFlushes()).isLessThan(gc.requests()).isLessThanOrEqualTo(2 * gc.rounds());
        assertThat(a.flushedOffset()).isEqualTo(a.logEndOffset()).isEqualTo(threads / 2 * perThread);
    }

    @Test
    void alreadyFlushedOffsetsCompleteImmediately() {
        // Given
        GroupCommit gc = groupCommit();
        Log log = log("c");
        log.appendAsLeader(batch("a"), 0, NOW);
        log.flush(1);

        // When
        CompletableFuture<Void> f = gc.flush(log, 1);

        // Then
        assertThat(f).isCompleted();
        assertThat(gc.requests()).isZero();
    }

    /** Appends one batch to a new log, arms {@code fault} and asks for its fsync; that request must fail. */
    private Log logWhoseFsyncFailed(GroupCommit gc, String name, Runnable fault, String message) {
        Log log = log(name);
        log.appendAsLeader(batch("a"), 0, NOW);
        fault.run();
        CompletableFuture<Void> failed = gc.flush(log, 1);
        assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(KafkaStorageException.class).hasMessageContaining(message);
        assertThat(log.flushedOffset()).isZero();
        return log;
    }

    @Test
    void anFsyncFailureFailsTheWaitingFuturesAndTheBatchesItCoveredAreNeverAcknowledged() {
        // Given a batch whose fsync finds the disk full: its future fails (checked by the helper)
        GroupCommit gc = groupCommit();
        Log log = logWhoseFsyncFailed(gc, "d", () -> FailurePoint.FSYNC.armDiskFull(1), "No space left on device");

        // Then the batch is cut so that no later fsync can make it readable; the log stays online
        assertThat(log.logEndOffset()).isZero();
        assertThat(log.isOffline()).isFalse();
        // and the next batch takes the freed offset and is acknowledged once the disk has room again
        LogAppendInfo next = log.appendAsLeader(batch("b"), 0, NOW);
        assertThat(next.firstOffset()).isZero();
        assertThat(next.truncations()).isEqualTo(1);
        assertThat(gc.flush(log, 1)).succeedsWithin(java.time.Duration.ofSeconds(10));
        assertThat(log.flushedOffset()).isEqualTo(1);
    }

    @Test
    void anFsyncIoErrorFailsTheWaitingFuturesAndTakesTheLogOffline() {
        // Given a batch whose fsync hits an I/O error: its future fails (checked by the helper)
        GroupCommit gc = groupCommit();
        Log log = logWhoseFsyncFailed(gc, "f", () -> FailurePoint.FSYNC.arm(1), "Input/output error");

        // Then the log is offline: the next fsync fails too
        assertThat(log.isOffline()).isTrue();
        assertThat(gc.flush(log, 1)).failsWithin(java.time.Duration.ofSeconds(10));
    }

    @Test
    void closeAnswersEveryOutstandingRequestAndRefusesNewOnes() {
        // Given
        GroupCommit gc = new GroupCommit("closing");
        Log log = log("e");
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            LogAppendInfo info = log.appendAsLeader(batch("v" + i), 0, NOW);
            futures.add(gc.flush(log, info.lastOffset() + 1));
        }

        // When
        gc.close();

        // Then
        assertThat(futures).allMatch(CompletableFuture::isDone);
        assertThat(log.flushedOffset()).isEqualTo(20);
        log.appendAsLeader(batch("late"), 0, NOW);
        assertThat(gc.flush(log, 21)).isCompletedExceptionally();
    }

    /** A group commit whose linger (10 s) is far longer than any test waits, so a linger is seen. */
    private GroupCommit lingeringGroupCommit() {
        GroupCommit gc = new GroupCommit("test-lingering", 10_000);
        toClose.add(0, gc);
        return gc;
    }

    private int loadLogs;

    /**
     * Ends with a round of at least {@link GroupCommit#LINGER_MIN_REQUESTS} requests, what counts as
     * load: bursts of requests, the first of which starts a round that the rest then wait for.
     */
    private void roundUnderLoad(GroupCommit gc) {
        for (int attempt = 0; attempt < 20; attempt++) {
            List<Log> logs = new ArrayList<>();
            for (int i = 0; i < 4 * GroupCommit.LINGER_MIN_REQUESTS; i++) {
                Log log = log("load" + loadLogs++);
                log.appendAsLeader(batch("x"), 0, NOW);
                logs.add(log);
            }
            List<CompletableFuture<Void>> burst = new ArrayList<>();
            for (Log log : logs) {
                burst.add(gc.flush(log, 1));
            }
            assertThat(CompletableFuture.allOf(burst.toArray(CompletableFuture[]::new)))
                    .succeedsWithin(java.time.Duration.ofSeconds(10));
            if (gc.lastRoundRequests() >= GroupCommit.LINGER_MIN_REQUESTS) {
                return;
            }
        }
        throw new AssertionError("no round took " + GroupCommit.LINGER_MIN_REQUESTS + " requests in 20 bursts");
    }

    @Test
    void aLoneFlushSoonIsNotHeldBack() {
        // Given a group commit that lingers 10 s under load, and no load
        GroupCommit gc = lingeringGroupCommit();
        Log log = log("lone");
        log.appendAsLeader(batch("a"), 0, NOW);

        // When / Then: one request alone is fsynced at once
        assertThat(gc.flushSoon(log, 1)).succeedsWithin(java.time.Duration.ofSeconds(5));
        assertThat(log.flushedOffset()).isEqualTo(1);
    }

    @Test
    void underLoadAFlushSoonWaitsForCompanyAndAFlushEndsTheWait() {
        // Given a round under load just done
        GroupCommit gc = lingeringGroupCommit();
        roundUnderLoad(gc);
        Log soon = log("soon");
        Log now = log("now");
        soon.appendAsLeader(batch("a"), 0, NOW);
        now.appendAsLeader(batch("b"), 0, NOW);

        // When an acks=1 kind of request comes: it lingers
        CompletableFuture<Void> lingering = gc.flushSoon(soon, 1);
        assertThat(lingering).failsWithin(java.time.Duration.ofMillis(300))
                .withThrowableOfType(java.util.concurrent.TimeoutException.class);
        assertThat(soon.flushedOffset()).isZero();

        // Then a request someone waits on starts the round at once, and both are answered
        CompletableFuture<Void> urgent = gc.flush(now, 1);
        assertThat(urgent).succeedsWithin(java.time.Duration.ofSeconds(5));
        assertThat(lingering).succeedsWithin(java.time.Duration.ofSeconds(5));
        assertThat(soon.flushedOffset()).isEqualTo(1);
    }

    @Test
    void closeServesALingeringRequest() {
        // Given a request lingering under load
        GroupCommit gc = new GroupCommit("closing-lingering", 10_000);
        roundUnderLoad(gc);
        Log log = log("g");
        log.appendAsLeader(batch("a"), 0, NOW);
        CompletableFuture<Void> lingering = gc.flushSoon(log, 1);

        // When
        gc.close();

        // Then it was fsynced and answered, not dropped
        assertThat(lingering).isCompleted().isNotCompletedExceptionally();
        assertThat(log.flushedOffset()).isEqualTo(1);
    }

    @Test
    void theLogsOfOneDirectoryInARoundShareOneFileSystemSyncWhereTheJdkOffersOne() throws Exception {
        GroupCommit gc = lingeringGroupCommit();
        java.util.Optional<FileSystemSync> sync = FileSystemSync.open(tmp);
        boolean offered = sync.isPresent();
        if (offered) {
            sync.get().close();
        }
        assertThat(roundOfThree(gc, "on")).isEqualTo(offered ? 1 : 0);
    }

    @Test
    void turnedOffEveryLogIsFsyncedOnItsOwn() throws Exception {
        GroupCommit gc = lingeringGroupCommit();
        gc.fileSystemSync(false);
        assertThat(roundOfThree(gc, "off")).isZero();
    }

    /** Three logs flushed in one round, each with only its active segment's data to make durable: file system syncs used. */
    private long roundOfThree(GroupCommit gc, String name) {
        // Given three logs fsynced once (their directory entries are durable), then appended to
        List<Log> logs = List.of(log(name + "1"), log(name + "2"), log(name + "3"));
        for (Log log : logs) {
            log.appendAsLeader(batch("a"), 0, NOW);
            assertThat(gc.flush(log, 1)).succeedsWithin(java.time.Duration.ofSeconds(5));
            log.appendAsLeader(batch("b"), 0, NOW);
        }
        roundUnderLoad(gc);
        long syncsBefore = gc.fileSystemSyncs();
        long roundsBefore = gc.rounds();

        // When all three come in one round (two linger until the third, urgent, starts it)
        CompletableFuture<Void> first = gc.flushSoon(logs.get(0), 2);
        CompletableFuture<Void> second = gc.flushSoon(logs.get(1), 2);
        CompletableFuture<Void> third = gc.flush(logs.get(2), 2);

        // Then every one is durable
        assertThat(CompletableFuture.allOf(first, second, third)).succeedsWithin(java.time.Duration.ofSeconds(5));
        assertThat(gc.rounds()).isEqualTo(roundsBefore + 1);
        for (Log log : logs) {
            assertThat(log.flushedOffset()).isEqualTo(2);
        }
        return gc.fileSystemSyncs() - syncsBefore;
    }

    @Test
    void aFileSystemSyncCoversALogOnlyWhenItsActiveSegmentsDataIsAllThatIsMissing() {
        // A new segment's directory entry is not durable yet: the log fsyncs on its own
        Log log = log("target");
        log.appendAsLeader(batch("a"), 0, NOW);
        assertThat(log.fileSystemSyncTarget(1)).isNull();
        log.flush(1);

        // Only the active segment's data is missing: a sync covers it, up to the log end
        log.appendAsLeader(batch("b"), 0, NOW);
        assertThat(log.fileSystemSyncTarget(5).offset()).isEqualTo(2);

        // A roll since the last flush leaves a segment whose indexes must be fsynced: on its own again
        log.roll();
        log.appendAsLeader(batch("c"), 0, NOW);
        assertThat(log.fileSystemSyncTarget(3)).isNull();
        log.flush(3);
        log.appendAsLeader(batch("d"), 0, NOW);
        Log.SyncTarget target = log.fileSystemSyncTarget(4);
        log.fileSystemSynced(target);
        assertThat(log.flushedOffset()).isEqualTo(4);
    }

    @Test
    void aTruncationBetweenTheTargetAndTheSyncLeavesTheLogUnflushed() {
        // Given a target taken over two unflushed batches
        Log log = log("truncated");
        log.appendAsLeader(batch("a"), 0, NOW);
        log.flush(1);
        log.appendAsLeader(batch("b"), 0, NOW);
        log.appendAsLeader(batch("c"), 0, NOW);
        Log.SyncTarget target = log.fileSystemSyncTarget(3);

        // When the log is cut back and written again before the sync is done
        log.truncateTo(1);
        log.appendAsLeader(batch("x"), 0, NOW);
        log.appendAsLeader(batch("y"), 0, NOW);
        log.fileSystemSynced(target);

        // Then what the sync may not have covered stays unflushed
        assertThat(log.flushedOffset()).isEqualTo(1);
    }

    @Test
    void aRequestBeyondTheLogEndIsRefused() {
        // Given
        GroupCommit gc = groupCommit();
        Log log = log("f");

        // When
        CompletableFuture<Void> f = gc.flush(log, 5);

        // Then
        assertThat(f).isCompletedExceptionally();
    }
}
