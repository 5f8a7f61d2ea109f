package io.letterbox.broker.handler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.broker.config.BrokerConfig;
import io.letterbox.broker.partition.PartitionManager;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.image.TopicImage;

/**
 * DescribeConfigs for topics and brokers, answered from the metadata image: every key with its
 * effective value, its source and, when asked, its synonyms and documentation (see
 * {@link ConfigSources}).
 *
 * <p>A broker resource names this node (AdminClient sends it to the broker it names; another id
 * is INVALID_REQUEST, as in Kafka) or "" for the cluster-wide dynamic defaults. Broker loggers,
 * groups and client-metrics subscriptions have no configs here: INVALID_REQUEST saying so.
 */
public final class DescribeConfigsHandler implements ApiHandler<DescribeConfigsRequest> {

    private final Supplier<MetadataImage> images;
    private final PartitionManager partitions;
    private final BrokerConfig config;

    public DescribeConfigsHandler(Supplier<MetadataImage> images, PartitionManager partitions, BrokerConfig config) {
        this.images = images;
        this.partitions = partitions;
        this.config = config;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CONFIGS;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, DescribeConfigsRequest request) {
        DescribeConfigsRequestData data = request.data();
        MetadataImage image = images.get();
        ConfigSources sources = sources(image, config);
        DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        for (DescribeConfigsResource resource : data.resources()) {
            DescribeConfigsResult out = new DescribeConfigsResult()
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
            response.results().add(out);
            try {
                out.setConfigs(describe(image, sources, resource, data.includeSynonyms(), data.includeDocumentation()));
            } catch (RuntimeException e) {
                out.setErrorCode(ErrorMapping.errorOf(e).code()).setErrorMessage(ErrorMapping.messageOf(e))
                        .setConfigs(new ArrayList<>());
            }
        }
        return CompletableFuture.completedFuture(new DescribeConfigsResponse(response));
    }

    private List<DescribeConfigsResourceResult> describe(MetadataImage image, ConfigSources sources,
            DescribeConfigsResource resource, boolean synonyms, boolean docs) {
        ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
        String name = resource.resourceName();
        switch (type) {
            case TOPIC -> {
                Topic.validate(name);
                TopicImage topic = image.topics().get(name);
                if (topic == null) {
                    throw new UnknownTopicOrPartitionException("The topic '" + name + "' does not exist.");
                }
                return sources.topic(topic.configs(), partitions.logConfig(image, topic.configs()),
                        resource.configurationKeys(), synonyms, docs);
            }
            case BROKER -> {
                if (name == null || name.isEmpty()) {
                    return sources.broker(false, resource.configurationKeys(), synonyms, docs);
                }
                int id = brokerId(name);
                if (id != config.nodeId()) {
                    throw new InvalidRequestException("Unexpected broker id, expected " + config.nodeId()
                            + " or empty string, but received " + name);
                }
                return sources.broker(true, resource.configurationKeys(), synonyms, docs);
            }
            default -> throw new InvalidRequestException("Resource type " + type
                    + " is not supported by DescribeConfigs on this broker; only TOPIC and BROKER are");
        }
    }

    /** The sources of this broker's configs as of {@code image}. */
    static ConfigSources sources(MetadataImage image, BrokerConfig config) {
        return new ConfigSources(config.originals(), image.brokerConfig(""),
                image.brokerConfig(Integer.toString(config.nodeId())));
    }

    static int brokerId(String resourceName) {
        try {
            return Integer.parseInt(resourceName);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("Broker id must be an integer, but it is: " + resourceName);
        }
    }
}
