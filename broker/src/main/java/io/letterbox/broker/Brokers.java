package io.letterbox.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBrokerCollection;
import org.apache.kafka.common.network.ListenerName;

import io.letterbox.broker.config.BrokerConfig;
import io.letterbox.broker.config.Endpoint;
import io.letterbox.metadata.image.BrokerRegistration;
import io.letterbox.metadata.image.MetadataImage;

/**
 * The brokers clients are told about: the registered, unfenced ones, each at its advertised
 * address on the listener the client used. Until this node's registration is in the image it
 * describes itself from its own config, so a client is never told of an empty cluster; once
 * fenced it no longer lists itself.
 */
public final class Brokers {

    private final BrokerConfig config;
    private final IntSupplier activeController;
    private final Supplier<MetadataImage> images;

    /**
     * @param activeController the node id of the active controller, or -1 when none is known
     * @param images           the current metadata image
     */
    public Brokers(BrokerConfig config, IntSupplier activeController, Supplier<MetadataImage> images) {
        this.config = config;
        this.activeController = activeController;
        this.images = images;
    }

    public MetadataResponseBrokerCollection describe(MetadataImage image, ListenerName listener) {
        MetadataResponseBrokerCollection out = new MetadataResponseBrokerCollection();
        for (BrokerRegistration b : image.cluster().liveBrokers().values()) {
            b.endpoints().stream().filter(e -> e.listenerName().equals(listener.value())).findFirst()
                    .ifPresent(e -> out.add(new MetadataResponseBroker().setNodeId(b.id())
                            .setHost(e.host()).setPort(e.port()).setRack(b.rack())));
        }
        if (image.cluster().broker(config.nodeId()) == null) {
            for (Endpoint e : config.advertisedListeners()) {
                if (e.listenerName().equals(listener.value())) {
                    out.add(new MetadataResponseBroker().setNodeId(config.nodeId())
                            .setHost(e.host()).setPort(e.port()).setRack(config.rack()));
                }
            }
        }
        return out;
    }

    /**
     * The node clients see as controller: the metadata leader when it is a live broker. Any
     * broker takes admin requests (its controller writes through the leader), so this broker is
     * named while no leader is known or the leader is a controller-only node, which clients cannot
     * reach (Kafka's brokers name a broker too).
     */
    public int controllerId() {
        int leader = activeController.getAsInt();
        return leader >= 0 && images.get().cluster().liveBrokers().containsKey(leader) ? leader : config.nodeId();
    }

    public static List<Integer> toList(int[] ids) {
        List<Integer> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            out.add(id);
        }
        return out;
    }
}
