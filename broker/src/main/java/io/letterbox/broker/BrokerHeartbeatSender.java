package io.letterbox.broker;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.letterbox.metadata.MetadataNode;

/**
 * Tells the active controller every {@code broker.heartbeat.interval.ms} that this broker is
 * alive, so it is not fenced. A missed heartbeat is logged once per outage, not once per try.
 *
 * <p>Thread-safe; one timer thread.
 */
final class BrokerHeartbeatSender implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BrokerHeartbeatSender.class);

    private final int brokerId;
    private final MetadataNode metadata;
    private final ScheduledExecutorService timer;
    private volatile boolean failing;

    BrokerHeartbeatSender(int brokerId, MetadataNode metadata, long intervalMs) {
        this.brokerId = brokerId;
        this.metadata = metadata;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "letterbox-broker-heartbeat");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::send, 0, intervalMs, TimeUnit.MILLISECONDS);
    }

    private void send() {
        try {
            metadata.heartbeat(brokerId).get(10, TimeUnit.SECONDS);
            if (failing) {
                failing = false;
                log.info("Heartbeats reach the controller again");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (!failing) {
                failing = true;
                // The cause as text: a Throwable as the last argument would print a stack trace instead.
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                log.warn("Broker heartbeat failed, will retry: {}", cause.toString());
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
