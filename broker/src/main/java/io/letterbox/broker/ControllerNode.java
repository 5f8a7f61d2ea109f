package io.letterbox.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.letterbox.broker.config.BrokerConfig;
import io.letterbox.broker.config.ConfigValidation;
import io.letterbox.metadata.MetadataNode;

/**
 * A node with {@code process.roles=controller}: a voter of the metadata quorum on its controller
 * listener and nothing else. It binds no client listener, registers no broker and holds no
 * partitions; as any voter it may become the active controller, which fences silent brokers.
 */
public final class ControllerNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControllerNode.class);

    private final MetadataNode metadata;

    private ControllerNode(MetadataNode metadata) {
        this.metadata = metadata;
    }

    /** Starts the node; returns once the quorum has a leader and the cluster id is known. */
    public static ControllerNode start(BrokerConfig config) {
        if (!config.cluster().controllerOnly()) {
            throw new IllegalArgumentException("process.roles must be controller alone for a ControllerNode");
        }
        ConfigValidation validation = new ConfigValidation(config);
        validation.validateBrokerConfigs(Map.of());
        try {
            return new ControllerNode(MetadataNode.start(config.metadataConfig(validation)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The controller listener's address, where the Raft server listens. */
    public InetSocketAddress rpcAddress() {
        return metadata.rpcAddress();
    }

    public MetadataNode metadata() {
        return metadata;
    }

    @Override
    public void close() {
        long start = System.nanoTime();
        metadata.close();
        log.info("Stopped cleanly in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }
}
