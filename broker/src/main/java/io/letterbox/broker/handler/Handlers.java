package io.letterbox.broker.handler;

import org.apache.kafka.common.utils.Time;

import io.letterbox.broker.Brokers;
import io.letterbox.broker.config.BrokerConfig;
import io.letterbox.broker.delayed.DelayedFetches;
import io.letterbox.broker.fetch.FetchSessionCache;
import io.letterbox.broker.partition.PartitionManager;
import io.letterbox.metadata.MetadataNode;
import io.letterbox.storage.log.LogManager;

/** Builds the registry of every API this broker answers. */
public final class Handlers {

    private Handlers() {
    }

    public static HandlerRegistry registry(BrokerConfig config, MetadataNode metadata, PartitionManager partitions,
            LogManager logManager, FetchSessionCache sessions, DelayedFetches delayedFetches, Time time) {
        HandlerRegistry registry = new HandlerRegistry();
        Brokers brokers = new Brokers(config);
        registry.register(new ApiVersionsHandler(registry));
        registry.register(new MetadataHandler(metadata::image, metadata.controller(), brokers, config.autoCreateTopics()));
        registry.register(new ProduceHandler(metadata::image, partitions, time));
        registry.register(new FetchHandler(metadata::image, partitions, sessions, delayedFetches));
        registry.register(new ListOffsetsHandler(metadata::image, partitions));
        registry.register(new CreateTopicsHandler(metadata::image, metadata.controller(), partitions));
        registry.register(new InitProducerIdHandler(new ProducerIdAllocator(metadata.controller())));
        return registry;
    }
}
