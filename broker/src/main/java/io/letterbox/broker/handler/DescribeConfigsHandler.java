package io.letterbox.broker.handler;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;
import org.apache.kafka.common.requests.RequestContext;

import io.letterbox.broker.config.BrokerConfig;
import io.letterbox.metadata.image.MetadataImage;
import io.letterbox.metadata.image.TopicImage;

/**
 * DescribeConfigs for topics (every topic-level key with its effective value) and for this
 * broker (every broker key; the resource "" is the cluster-wide default and lists only what is
 * set there). Values, sources and synonyms come from {@link ConfigSources}.
 *
 * <p>As in Kafka, a broker describes only itself: another broker id is INVALID_REQUEST (the
 * AdminClient sends a broker resource to that broker). BROKER_LOGGER, GROUP and CLIENT_METRICS
 * resources are not supported yet and are answered INVALID_REQUEST saying so. Passwords (the TLS
 * stores') are sensitive: described as set, without their values.
 */
public final class DescribeConfigsHandler implements ApiHandler<DescribeConfigsRequest> {

    private final Supplier<MetadataImage> images;
    private final BrokerConfig config;

    public DescribeConfigsHandler(Supplier<MetadataImage> images, BrokerConfig config) {
        this.images = images;
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
        ConfigSources sources = ConfigSources.of(config, image);
        DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        for (DescribeConfigsResource resource : data.resources()) {
            DescribeConfigsResult result = new DescribeConfigsResult()
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
            response.results().add(result);
            try {
                ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
                List<ConfigSources.Entry> entries = switch (type) {
                    case TOPIC -> topic(image, sources, resource.resourceName());
                    case BROKER -> broker(sources, resource.resourceName());
                    default -> throw new InvalidRequestException("Unsupported resource type: " + type
                            + " (Letterbox describes only TOPIC and BROKER configs)");
                };
                Set<String> keys = resource.configurationKeys() == null || resource.configurationKeys().isEmpty()
                        ? null : new HashSet<>(resource.configurationKeys());
                for (ConfigSources.Entry e : entries) {
                    if (keys == null || keys.contains(e.name())) {
                        result.configs().add(describe(e, type == ConfigResource.Type.BROKER
                                && ConfigSources.isReadOnly(e.name()), data));
                    }
                }
            } catch (RuntimeException e) {
                result.setErrorCode(ErrorMapping.errorOf(e).code()).setErrorMessage(ErrorMapping.messageOf(e));
                result.configs().clear();
            }
        }
        return CompletableFuture.completedFuture(new DescribeConfigsResponse(response));
    }

    private static List<ConfigSources.Entry> topic(MetadataImage image, ConfigSources sources, String name) {
        Topic.validate(name);
        TopicImage topic = image.topics().get(name);
        if (topic == null) {
            throw new UnknownTopicOrPartitionException("The topic '" + name + "' does not exist.");
        }
        return sources.topic(topic.configs());
    }

    private List<ConfigSources.Entry> broker(ConfigSources sources, String name) {
        if (name == null || name.isEmpty()) {
            return sources.broker(false);
        }
        int id;
        try {
            id = Integer.parseInt(name);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("Broker id must be an integer, but it is: " + name);
        }
        if (id != config.nodeId()) {
            throw new InvalidRequestException("Unexpected broker id, expected " + config.nodeId()
                    + " or empty string, but received " + name);
        }
        return sources.broker(true);
    }

    private static DescribeConfigsResourceResult describe(ConfigSources.Entry e, boolean readOnly,
            DescribeConfigsRequestData request) {
        // As Kafka: a password's value is never sent, only that it is set and where
        boolean sensitive = e.type() == ConfigType.PASSWORD;
        List<DescribeConfigsSynonym> synonyms = new ArrayList<>();
        if (request.includeSynonyms()) {
            for (ConfigSources.Synonym s : e.synonyms()) {
                synonyms.add(new DescribeConfigsSynonym().setName(s.name()).setValue(sensitive ? null : s.value())
                        .setSource(s.source().id()));
            }
        }
        return new DescribeConfigsResourceResult().setName(e.name()).setValue(sensitive ? null : e.value())
                .setReadOnly(readOnly).setConfigSource(e.source().id()).setIsSensitive(sensitive).setSynonyms(synonyms)
                .setConfigType(e.type().id())
                .setDocumentation(request.includeDocumentation() ? e.documentation() : null);
    }
}
