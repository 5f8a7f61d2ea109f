package io.letterbox.metadata.quorum;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.SetConfigurationRequest;

/**
 * The Ratis client this node sends writes, heartbeats and its listener join to the leader with.
 *
 * <p>Ratis' ordered async client closes itself for good once a call has used up its retries (no
 * leader for a few seconds: the quorum was lost); every later call then fails at once. So a call
 * that fails replaces the client with a new one: the next call, once a leader is back, succeeds.
 * Calls in flight on the replaced client fail, as they would have anyway, and are retried by
 * their callers (NOT_CONTROLLER is retriable).
 *
 * <p>Thread-safe.
 */
final class LeaderClient implements AutoCloseable {
    private final Supplier<RaftClient> factory;
    private final AtomicReference<RaftClient> current;
    private final AtomicBoolean closed = new AtomicBoolean();

    LeaderClient(Supplier<RaftClient> factory) {
        this.factory = factory;
        this.current = new AtomicReference<>(factory.get());
    }

    /** A write, ordered with this node's other writes. */
    CompletableFuture<RaftClientReply> send(Message message) {
        return call(c -> c.async().send(message));
    }

    /** A read-only query the leader answers. */
    CompletableFuture<RaftClientReply> sendReadOnly(Message message) {
        return call(c -> c.async().sendReadOnly(message));
    }

    /** Changes the group's configuration (blocking). */
    RaftClientReply setConfiguration(SetConfigurationRequest.Arguments arguments) throws IOException {
        RaftClient client = current.get();
        try {
            return client.admin().setConfiguration(arguments);
        } catch (IOException | RuntimeException e) {
            replace(client);
            throw e;
        }
    }

    private CompletableFuture<RaftClientReply> call(Function<RaftClient, CompletableFuture<RaftClientReply>> call) {
        RaftClient client = current.get();
        CompletableFuture<RaftClientReply> reply;
        try {
            reply = call.apply(client);
        } catch (RuntimeException e) {
            replace(client);
            return CompletableFuture.failedFuture(e);
        }
        return reply.whenComplete((r, error) -> {
            if (error != null) {
                replace(client);
            }
        });
    }

    private void replace(RaftClient failed) {
        if (closed.get()) {
            return;
        }
        RaftClient next = factory.get();
        if (current.compareAndSet(failed, next)) {
            closeQuietly(failed);
            if (closed.get()) {
                // close() ran meanwhile and closed the failed client, not this one
                closeQuietly(next);
            }
        } else {
            closeQuietly(next);
        }
    }

    private static void closeQuietly(RaftClient client) {
        try {
            client.close();
        } catch (IOException | RuntimeException e) {
            // a client being dropped: nothing to report
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            closeQuietly(current.get());
        }
    }
}
