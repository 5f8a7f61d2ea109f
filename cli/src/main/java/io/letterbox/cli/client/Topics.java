package io.letterbox.cli.client;

import java.util.List;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/** A topic's partitions as a consumer sees them, with the one-line error when the topic is missing. */
public final class Topics {

    private Topics() {
    }

    /** The partitions of {@code topic}, in partition order; {@link CliException} if it does not exist. */
    public static List<TopicPartition> partitionsOf(Consumer<?, ?> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic);
        if (infos == null || infos.isEmpty()) {
            throw new CliException("topic " + topic + " does not exist: create it with `letterbox topic create " + topic + "`");
        }
        return infos.stream().map(i -> new TopicPartition(i.topic(), i.partition()))
                .sorted((a, b) -> Integer.compare(a.partition(), b.partition())).toList();
    }
}
