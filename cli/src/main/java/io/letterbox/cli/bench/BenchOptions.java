package io.letterbox.cli.bench;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.kafka.clients.producer.ProducerConfig;

import io.letterbox.cli.client.Acks;
import io.letterbox.cli.client.Output;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Options every benchmark shares: the topic, how many records of what size, the pace, and -o. */
final class BenchOptions {

    @Mixin
    Output output;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "The topic to use (must exist).")
    String topic;

    @Option(names = "--num-records", paramLabel = "N", defaultValue = "100000", description = "Records to send or read (default 100000).")
    long numRecords;

    @Option(names = "--record-size", paramLabel = "BYTES", defaultValue = "100", description = "Value size in bytes (default 100).")
    int recordSize;

    @Option(names = "--throughput", paramLabel = "RECORDS/S", defaultValue = "-1",
            description = "Send at most this many records a second (default -1: as fast as possible).")
    double throughput;

    @Option(names = "--producer-props", paramLabel = "key=value", arity = "1..*", description = "Producer settings.")
    Map<String, String> producerProps = new LinkedHashMap<>();

    @Option(names = "--consumer-props", paramLabel = "key=value", arity = "1..*", description = "Consumer settings.")
    Map<String, String> consumerProps = new LinkedHashMap<>();

    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "30000",
            description = "Give up after MS milliseconds without progress (default 30000).")
    long timeoutMs;

    /** Producer settings: {@code acks} (checked), then --producer-props, which win. */
    Map<String, Object> producerConfig(CommandSpec spec, String acks) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.ACKS_CONFIG, Acks.require(spec, acks));
        config.putAll(producerProps);
        return config;
    }

    void validate(CommandSpec spec, int minRecordSize) {
        if (numRecords < 1) {
            throw new ParameterException(spec.commandLine(), "--num-records must be at least 1, not " + numRecords);
        }
        if (recordSize < minRecordSize) {
            throw new ParameterException(spec.commandLine(), "--record-size must be at least " + minRecordSize
                    + ", not " + recordSize);
        }
        if (timeoutMs < 1) {
            throw new ParameterException(spec.commandLine(), "--timeout-ms must be at least 1, not " + timeoutMs);
        }
    }
}
