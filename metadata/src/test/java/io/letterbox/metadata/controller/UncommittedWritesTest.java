package io.letterbox.metadata.controller;

import static io.letterbox.metadata.Nodes.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.metadata.ConfigValidator;
import io.letterbox.metadata.image.MetadataDelta;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.record.MetadataRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the controller does when the log cannot commit. The log here is a small in-memory one
 * whose appends stay pending until the test commits or fails them, so the order of events is
 * exact (a real Ratis leader loses its leadership at no predictable moment).
 */
class UncommittedWritesTest {
    /** An in-memory metadata log: appends wait until {@link #commitAll} or {@link #failAll}. */
    static final class PendingLog implements MetadataWriter {
        volatile MetadataImage committed = MetadataImage.EMPTY;
        private final List<List<MetadataRecord>> pending = new ArrayList<>();
        private final List<CompletableFuture<Long>> futures = new ArrayList<>();
        private long offset;

        @Override
        public synchronized CompletableFuture<Long> append(List<MetadataRecord> records) {
            CompletableFuture<Long> f = new CompletableFuture<>();
            pending.add(records);
            futures.add(f);
            return f;
        }

        synchronized int pendingCount() {
            return pending.size();
        }

        void commitAll() {
            List<CompletableFuture<Long>> done;
            List<Long> offsets = new ArrayList<>();
            synchronized (this) {
                for (List<MetadataRecord> batch : pending) {
                    committed = new MetadataDelta(committed).replayAll(batch).apply(++offset);
                    offsets.add(offset);
                }
                done = new ArrayList<>(futures);
                pending.clear();
                futures.clear();
            }
            for (int i = 0; i < done.size(); i++) {
                done.get(i).complete(offsets.get(i));
            }
        }

        void failAll() {
            List<CompletableFuture<Long>> failed;
            synchronized (this) {
                failed = new ArrayList<>(futures);
                pending.clear();
                futures.clear();
            }
            failed.forEach(f -> f.completeExceptionally(new NotControllerException("lost leadership")));
        }
    }

    final PendingLog log = new PendingLog();
    final Controller controller = new Controller(log, () -> log.committed, 1, (short) 1, ConfigValidator.NONE);

    @AfterEach
    void close() {
        controller.close();
    }

    void awaitPending(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (log.pendingCount() < n && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(log.pendingCount()).isEqualTo(n);
    }

    @Test
    void laterOperationsSeeEarlierUncommittedWrites() throws Exception {
        // Given a broker registration that is not committed yet
        CompletableFuture<Void> registered = controller.registerBroker(
                new io.letterbox.metadata.image.BrokerRegistration(1, Uuid.randomUuid(), List.of(), null));
        awaitPending(1);
        // When a topic is created while it is pending, placement already counts that broker
        CompletableFuture<List<CreateTopicResult>> created =
                controller.createTopics(List.of(NewTopic.of("t", 1, (short) 1)), false);
        awaitPending(2);
        assertThat(created).isNotDone();
        // Then both complete once committed
        log.commitAll();
        get(registered);
        assertThat(get(created).get(0).error().error()).isEqualTo(Errors.NONE);
        assertThat(log.committed.topics().get("t")).isNotNull();
    }

    @Test
    void aFailedCommitFailsTheFutureAndTheControllerRecovers() throws Exception {
        // Given a pending registration
        CompletableFuture<Void> lost = controller.registerBroker(
                new io.letterbox.metadata.image.BrokerRegistration(1, Uuid.randomUuid(), List.of(), null));
        CompletableFuture<Long> lostIds = controller.allocateProducerIds(10);
        awaitPending(2);

        // When the log fails it
        log.failAll();

        // Then the futures fail with NOT_CONTROLLER, never on the caller's thread
        assertThat(lost).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(NotControllerException.class);
        assertThat(lostIds).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(NotControllerException.class);

        // and the next operation starts from the committed image again (no broker, ids from 0)
        CompletableFuture<Long> ids = controller.allocateProducerIds(10);
        awaitPending(1);
        log.commitAll();
        assertThat(get(ids)).isZero();
        CompletableFuture<List<CreateTopicResult>> created =
                controller.createTopics(List.of(NewTopic.of("t", 1, (short) 1)), false);
        assertThat(get(created).get(0).error().error()).isEqualTo(Errors.INVALID_REPLICATION_FACTOR);
        assertThat(log.committed.cluster().brokers()).isEmpty();
    }
}
