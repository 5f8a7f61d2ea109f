package io.letterbox.metadata.controller;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * Tells a crashed broker from a slow one, for a broker whose heartbeats stopped: a TCP connect to
 * its Raft address, which the active controller reaches already (it sends the metadata log
 * there). A refused connection means no process listens there any more: the broker is gone, and
 * waiting out its session would only keep its partitions leaderless. A paused or overloaded
 * process still accepts (the kernel completes the handshake), and an unreachable host times out:
 * those wait for the session timeout, as in Kafka.
 *
 * <p>Thread-safe; probes run on one daemon thread.
 */
public final class BrokerProbe implements AutoCloseable {
    /** What a probe found. */
    public enum Result {
        /** Nothing listens at the address: the process is gone. */
        REFUSED,
        /** A process accepted the connection. */
        ACCEPTED,
        /** No answer in time, or another network error: nothing is known. */
        UNKNOWN
    }

    private final int connectTimeoutMs;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "letterbox-broker-probe");
        t.setDaemon(true);
        return t;
    });

    public BrokerProbe(int connectTimeoutMs) {
        this.connectTimeoutMs = connectTimeoutMs;
    }

    /** Connects to {@code address} and closes the connection at once. */
    public CompletableFuture<Result> probe(InetSocketAddress address) {
        try {
            return CompletableFuture.supplyAsync(() -> connect(address), executor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(Result.UNKNOWN); // closing
        }
    }

    private Result connect(InetSocketAddress address) {
        if (address.isUnresolved()) {
            return Result.UNKNOWN;
        }
        try (Socket socket = new Socket()) {
            socket.connect(address, connectTimeoutMs);
            return Result.ACCEPTED;
        } catch (ConnectException e) {
            // Only ECONNREFUSED proves absence; "network is unreachable" says nothing of the broker.
            String message = e.getMessage();
            return message != null && message.contains("refused") ? Result.REFUSED : Result.UNKNOWN;
        } catch (IOException e) {
            return Result.UNKNOWN;
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
