package io.letterbox.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.letterbox.broker.config.BrokerConfig;
import io.letterbox.broker.config.ConfigValidation;
import io.letterbox.broker.delayed.DelayedFetches;
import io.letterbox.broker.fetch.FetchSessionCache;
import io.letterbox.broker.group.ClassicGroup;
import io.letterbox.broker.group.ClassicGroupCoordinator;
import io.letterbox.broker.group.GroupMetadataManager;
import io.letterbox.broker.group.GroupRegistry;
import io.letterbox.broker.group.OffsetExpiry;
import io.letterbox.broker.group.consumer.ConsumerGroupCoordinator;
import io.letterbox.broker.handler.Handlers;
import io.letterbox.broker.network.KafkaServer;
import io.letterbox.broker.partition.LogMaintenance;
import io.letterbox.broker.partition.PartitionManager;
import io.letterbox.broker.replication.ReplicaFetchers;
import io.letterbox.broker.replication.ReplicationThrottles;
import io.letterbox.metadata.MetadataNode;
import io.letterbox.metadata.image.BrokerRegistration;
import io.letterbox.metadata.record.Endpoint;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import io.letterbox.storage.log.LogManager;

/**
 * One Letterbox node: its logs, its metadata log, its partitions and its listeners, started in
 * that order and stopped in the reverse one.
 *
 * <p>{@link #close()} is the clean shutdown: stop accepting, hand leaderships over to other in-sync
 * replicas (in a cluster), answer waiting requests, stop the network, stop the log maintenance tasks, then flush and fsync every log and write checkpoints and
 * the clean-shutdown marker.
 */
public final class Broker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Broker.class);
    /** A start slower than this is told at INFO (with its phases); a faster one at DEBUG. */
    private static final long SLOW_START_MS = 10_000;
    private static final AtomicBoolean FIRST_START = new AtomicBoolean(true);

    private final BrokerConfig config;
    private final LogMaintenance logMaintenance;
    private final LogManager logManager;
    private final MetadataNode metadata;
    private final DelayedFetches delayedFetches;
    private final GroupMetadataManager groups;
    private final ClassicGroupCoordinator classicGroups;
    private final ConsumerGroupCoordinator consumerGroups;
    private final OffsetExpiry expiry;
    private final BrokerHeartbeatSender heartbeats;
    private final AtomicBoolean stepAside = new AtomicBoolean();
    private final ReplicaFetchers fetchers;
    private final KafkaServer server;
    private volatile boolean closed;

    private Broker(BrokerConfig config, LogMaintenance logMaintenance, LogManager logManager, MetadataNode metadata,
            DelayedFetches delayedFetches, GroupMetadataManager groups, ClassicGroupCoordinator classicGroups,
            ConsumerGroupCoordinator consumerGroups, OffsetExpiry expiry, BrokerHeartbeatSender heartbeats,
            ReplicaFetchers fetchers, KafkaServer server) {
        this.config = config;
        this.logMaintenance = logMaintenance;
        this.logManager = logManager;
        this.metadata = metadata;
        this.delayedFetches = delayedFetches;
        this.groups = groups;
        this.classicGroups = classicGroups;
        this.consumerGroups = consumerGroups;
        this.expiry = expiry;
        this.heartbeats = heartbeats;
        this.fetchers = fetchers;
        this.server = server;
        logManager.addOfflineListener(this::onLogDirOffline);
    }

    /**
     * In a cluster, a failed log directory makes this broker step aside: it stops heartbeating and asks
     * the controller to fence it, so every partition it leads gets a new leader among the in-sync replicas
     * on other brokers, and it leaves their ISRs. A restart with healthy disks brings it back. (Kafka's
     * KRaft brokers without JBOD support shut down instead; this one stays up to answer with the error.)
     * A single node keeps serving its other directories.
     */
    private void onLogDirOffline(Path dir) {
        if (metadata.image().cluster().liveBrokers().size() < 2 || !stepAside.compareAndSet(false, true)) {
            return;
        }
        log.error("This broker steps aside after its log directory {} failed: its partitions move to other brokers."
                + " Restart it once the disk is healthy", dir);
        Thread t = new Thread(() -> {
            heartbeats.close();
            handOverLeaderships();
        }, "letterbox-step-aside");
        t.setDaemon(true);
        t.start();
    }

    /**
     * When this process was launched, in ms since the epoch: {@code LETTERBOX_LAUNCHED_AT_MS} when the
     * launcher sets it (after recording its class archive, which is not part of the start), else the
     * process's start; -1 if unknown.
     */
    private static long launchedAtMillis() {
        String launcher = System.getenv("LETTERBOX_LAUNCHED_AT_MS");
        if (launcher != null) {
            try {
                return Long.parseLong(launcher.trim());
            } catch (NumberFormatException e) {
                // not a time: fall back to the process's start
            }
        }
        return ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
    }

    /**
     * Starts a node. Fails with a message a user can act on: a locked data directory, a port in
     * use, an invalid setting.
     */
    public static Broker start(BrokerConfig config) {
        // Only the process's first broker counts from the launch: later ones (tests) from their own start.
        StartupPhases phases = new StartupPhases(FIRST_START.getAndSet(false) ? launchedAtMillis() : -1L);
        ConfigValidation validation = new ConfigValidation(config);
        validation.validateBrokerConfigs(Map.of());
        LogMaintenance logMaintenance = new LogMaintenance(Time.SYSTEM);
        phases.end("config");
        // The metadata log starts while the partition logs load: neither needs the other until the
        // partitions attach, and on a large broker both take a while.
        AtomicReference<MetadataNode> started = new AtomicReference<>();
        Runnable startMetadata = () -> {
            try {
                started.set(MetadataNode.start(config.metadataConfig(validation)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        LogManager logManager;
        try {
            logManager = LogManager.open(config.logDirs(), config.topicDefaults(Map.of()), Time.SYSTEM,
                    config.numRecoveryThreadsPerDataDir(), logMaintenance.scheduler(), startMetadata);
            logManager.fileSystemSync(config.logFlushSyncfs());
        } catch (RuntimeException e) {
            if (started.get() != null) {
                started.get().close();
            }
            logMaintenance.close();
            throw e;
        }
        MetadataNode metadata = started.get();
        MetadataNode.StartupTimes quorum = metadata.startupTimes();
        phases.end("logs and metadata (logs " + logManager.loadMillis() + ", metadata: raft server "
                + quorum.raftServer().toMillis() + ", election and replay " + quorum.electionAndReplay().toMillis()
                + ", cluster id " + quorum.clusterId().toMillis() + ")");
        DelayedFetches delayedFetches = null;
        GroupMetadataManager groups = null;
        ClassicGroupCoordinator classicGroups = null;
        ConsumerGroupCoordinator consumerGroups = null;
        OffsetExpiry expiry = null;
        BrokerHeartbeatSender heartbeats = null;
        ReplicationThrottles throttles = ReplicationThrottles.of(config.nodeId(), config.replication());
        metadata.addListener(throttles);
        ReplicaFetchers replicaFetchers = new ReplicaFetchers(config.nodeId(), config.replication(), metadata::image,
                throttles);
        try {
            delayedFetches = new DelayedFetches();
            DelayedFetches fetches = delayedFetches;
            MetadataNode controllerNode = metadata;
            PartitionManager partitions = new PartitionManager(config.nodeId(), config, logManager,
                    p -> fetches.onPartitionChanged(p.topicPartition()), replicaFetchers,
                    change -> controllerNode.controller().alterPartition(change));
            replicaFetchers.startIsrChecks(() -> partitions.shrinkIsrs(config.replication().lagTimeMaxMs()));
            metadata.addListener(partitions);
            phases.end("partitions");
            logMaintenance.start(partitions, logManager, config.logRetentionCheckIntervalMs(),
                    config.logFlushOffsetCheckpointIntervalMs(), config.logCleanerConfig());
            // After the partitions: it finds the __consumer_offsets partitions they just opened. The
            // coordinator listens before the first image, so it restores every group loaded.
            groups = new GroupMetadataManager(config.nodeId(), config.offsetsTopicNumPartitions(),
                    config.offsetsTopicReplicationFactor(), partitions, metadata.controller());
            classicGroups = new ClassicGroupCoordinator(config.classicGroupLimits(), groups);
            groups.addLoadListener(classicGroups);
            ClassicGroupCoordinator classic = classicGroups;
            // A group id is one protocol's: a classic group with members keeps consumer-protocol members out.
            consumerGroups = new ConsumerGroupCoordinator(config.consumerGroupConfig(), metadata::image,
                    groups::checkCoordinator, groupId -> {
                        ClassicGroup.State state = classic.stateOf(groupId);
                        return state != null && state != ClassicGroup.State.EMPTY && state != ClassicGroup.State.DEAD;
                    }, groups);
            groups.addLoadListener(consumerGroups);
            metadata.addListener(groups);
            phases.end("groups");
            // The consumer coordinator first: its group shadows an empty classic group of the same id.
            GroupRegistry allGroups = new GroupRegistry(groups, List.of(consumerGroups, classicGroups));
            expiry = new OffsetExpiry(groups, allGroups, config.offsetsRetentionMs());
            expiry.start(config.offsetsRetentionCheckIntervalMs());
            metadata.controller().registerBroker(new BrokerRegistration(config.nodeId(), Uuid.randomUuid(),
                    config.advertisedListeners().stream()
                            .map(e -> new Endpoint(e.listenerName(), e.host(), e.port(),
                                    config.securityProtocol(e.listenerName())))
                            .toList(),
                    config.rack())).get(30, TimeUnit.SECONDS);
            heartbeats = new BrokerHeartbeatSender(config.nodeId(), metadata, config.cluster().heartbeatIntervalMs());
            phases.end("broker registration");
            MetadataNode node = metadata;
            var registry = Handlers.registry(config, node, partitions, logManager,
                    new FetchSessionCache(1000), fetches, throttles, groups, Time.SYSTEM, classicGroups, consumerGroups,
                    allGroups);
            KafkaServer server = KafkaServer.start(config.listeners(), config::security, registry, config.socketRequestMaxBytes(),
                    config.numNetworkThreads(), config.socketSendBufferBytes(), config.socketReceiveBufferBytes());
            phases.end("listeners");
            long totalMs = phases.totalMillis();
            if (totalMs > SLOW_START_MS) {
                log.info("Started in {} ms: {} ms", totalMs, phases);
            } else {
                log.debug("Started in {} ms: {} ms", totalMs, phases);
            }
            return new Broker(config, logMaintenance, logManager, metadata, delayedFetches, groups, classicGroups,
                    consumerGroups, expiry, heartbeats, replicaFetchers, server);
        } catch (Exception e) {
            replicaFetchers.close();
            if (heartbeats != null) {
                heartbeats.close();
            }
            if (expiry != null) {
                expiry.close();
            }
            if (consumerGroups != null) {
                consumerGroups.close();
            }
            if (classicGroups != null) {
                classicGroups.close();
            }
            if (groups != null) {
                groups.close();
            }
            if (delayedFetches != null) {
                delayedFetches.close();
            }
            metadata.close();
            logMaintenance.close();
            logManager.close();
            if (e instanceof RuntimeException re) {
                throw re;
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw new IllegalStateException("start-up failed: " + e.getMessage(), e);
        }
    }

    public BrokerConfig config() {
        return config;
    }

    /** The port the first listener really bound (useful with port 0). */
    public int port() {
        return server.boundAddress(0).getPort();
    }

    public InetSocketAddress boundAddress() {
        return server.boundAddress(0);
    }

    public MetadataNode metadata() {
        return metadata;
    }

    public LogManager logManager() {
        return logManager;
    }

    /**
     * Controlled shutdown: in a cluster, this broker asks the controller to fence it now, so its partitions
     * get new leaders (and it leaves their ISRs) before it stops, not a session timeout after. A single
     * node, or a cluster without a reachable controller, just stops.
     */
    private void handOverLeaderships() {
        if (metadata.image().cluster().liveBrokers().size() < 2) {
            return;
        }
        try {
            metadata.controller().setFenced(config.nodeId(), true).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("Could not hand over leaderships before stopping: {}",
                    e.getCause() != null ? e.getCause().toString() : e.toString());
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long start = System.nanoTime();
        server.stopAccepting();
        heartbeats.close();
        handOverLeaderships();
        fetchers.close();
        delayedFetches.close();
        expiry.close();
        classicGroups.close();
        consumerGroups.close();
        server.close();
        groups.close();
        metadata.close();
        logMaintenance.close();
        logManager.close();
        log.info("Stopped cleanly in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }
}
