package io.letterbox.broker;

import java.util.ArrayList;
import java.util.List;

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
 * describes itself from its own config, so a client is never told of an empty cluster.
 */
public final class Brokers {

    private final BrokerConfig config;

    public Brokers(BrokerConfig config) {
        this.config = config;
    }

    public MetadataResponseBrokerCollection describe(MetadataImage image, ListenerName listener) {
        MetadataResponseBrokerCollection out = new MetadataResponseBrokerCollection();
        for (BrokerRegistration b : image.cluster().brokers().values()) {
            b.endpoints().stream().filter(e -> e.listenerName().equals(listener.value())).findFirst()
                    .ifPresent(e -> out.add(new MetadataResponseBroker().setNodeId(b.id())
                            .setHost(e.host()).setPort(e.port()).setRack(b.rack())));
        }
        if (out.find(config.nodeId()) == null) {
            for (Endpoint e : config.advertisedListeners()) {
                if (e.listenerName().equals(listener.value())) {
                    out.add(new MetadataResponseBroker().setNodeId(config.nodeId())
                            .setHost(e.host()).setPort(e.port()).setRack(config.rack()));
                }
            }
        }
        return out;
    }

    /** The node clients see as controller; with KRaft-style clusters any live broker serves. */
    public int controllerId(MetadataImage image) {
        return config.nodeId();
    }

    public static List<Integer> toList(int[] ids) {
        List<Integer> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            out.add(id);
        }
        return out;
    }
}
