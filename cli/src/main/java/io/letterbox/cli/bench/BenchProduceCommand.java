package io.letterbox.cli.bench;

import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;

import io.letterbox.cli.Version;
import io.letterbox.cli.client.ClientCommand;
import io.letterbox.cli.client.ClientErrors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code letterbox bench produce}: sends records as fast as allowed; latency is send to acknowledgement. */
@Command(name = "produce", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Send records and measure throughput and send-to-acknowledgement latency.",
        footer = {"", "Examples:",
                "  letterbox bench produce --topic perf --num-records 1000000 --record-size 100",
                "  letterbox bench produce --topic perf --throughput 5000 --acks 1",
                "  letterbox bench produce --topic perf --producer-props linger.ms=10 batch.size=65536 compression.type=lz4"})
public final class BenchProduceCommand extends ClientCommand {

    @Mixin
    BenchOptions bench;

    @Option(names = "--acks", paramLabel = "all|1|0", defaultValue = "all", description = "Producer acks (default all).")
    String acks;

    @Override
    public Integer call() throws Exception {
        bench.validate(spec, 1);
        Map<String, Object> config = bench.producerConfig(spec, acks);
        ProgressLine progress = new ProgressLine(spec.commandLine().getErr(), ProgressLine.stderrIsTerminal());
        BenchResult result;
        try (KafkaProducer<byte[], byte[]> producer = client.producer(config)) {
            Sender sender = new Sender(producer, bench.topic, bench.recordSize, false);
            long start = System.nanoTime();
            try (AutoCloseable shown = progress.every(() -> BenchResult.progress("produce", sender.acknowledged.get(),
                    bench.numRecords, sender.acknowledged.get() * bench.recordSize, System.nanoTime() - start))) {
                sender.run(bench.numRecords, new Throttle(bench.throughput));
            }
            long elapsed = System.nanoTime() - start;
            if (sender.firstError.get() != null) {
                spec.commandLine().getErr().println("letterbox: " + sender.acknowledged.get() + " of " + bench.numRecords
                        + " records acknowledged, then: " + ClientErrors.explain(sender.firstError.get(), this));
                spec.commandLine().getErr().flush();
                return 1;
            }
            long n = sender.acknowledged.get();
            result = new BenchResult("produce", "send to acknowledgement (acks=" + acks + ")", n, n * bench.recordSize,
                    elapsed, sender.ackLatency);
        }
        result.print(spec.commandLine().getOut(), bench.output.json());
        return 0;
    }

    @Override
    public String topicName() {
        return bench.topic;
    }
}
