package io.letterbox.cli.bench;

import io.letterbox.cli.Version;
import picocli.CommandLine.Command;

/** {@code letterbox bench}: load generators that print throughput and latency percentiles. */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Generate load and measure throughput (records/s, MiB/s) and latency (p50, p99, p99.9, max).",
        subcommands = {BenchProduceCommand.class, BenchConsumeCommand.class, BenchE2eCommand.class},
        footer = {"", "Examples:",
                "  letterbox bench produce --topic perf --num-records 1000000 --record-size 100",
                "  letterbox bench consume --topic perf --num-records 1000000",
                "  letterbox bench e2e --topic perf --num-records 100000 --throughput 10000"})
public final class BenchCommand {
}
