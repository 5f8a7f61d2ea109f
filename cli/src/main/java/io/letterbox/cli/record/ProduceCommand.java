package io.letterbox.cli.record;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

import io.letterbox.cli.Signals;
import io.letterbox.cli.Version;
import io.letterbox.cli.client.ClientCommand;
import io.letterbox.cli.client.Acks;
import io.letterbox.cli.client.CliException;
import io.letterbox.cli.client.ClientErrors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code letterbox produce TOPIC}: one record per input line (stdin or {@code --file}), sent with
 * the Java producer; at the end "N records acknowledged" on stderr. Exit 1 if any record failed,
 * naming the first failure; it stops reading at that failure rather than failing every line.
 */
@Command(name = "produce", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Send one record per input line (stdin or --file) to a topic.",
        footer = {"", "Examples:",
                "  echo 'hello' | letterbox produce orders",
                "  letterbox produce orders --file orders.txt --acks 1 --compression-type zstd",
                "  printf 'k1:v1\\nk2:v2\\n' | letterbox produce orders --property parse.key=true --property key.separator=:",
                "  printf 'k1:v1\\n' | letterbox produce orders --key-separator : --header source=cli"})
public final class ProduceCommand extends ClientCommand {

    /** Compression codecs of the producer. */
    enum Compression { none, gzip, snappy, lz4, zstd }

    @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic to write to.")
    String topic;

    @Option(names = "--file", paramLabel = "FILE", description = "Read lines from FILE instead of stdin.")
    Path file;

    @Option(names = "--property", paramLabel = "key=value", arity = "1..*",
            description = "Line parsing, as Kafka's console producer: parse.key, key.separator, parse.headers, "
                    + "headers.delimiter, headers.separator, headers.key.separator, null.marker, ignore.error.")
    Map<String, String> properties = new LinkedHashMap<>();

    @Option(names = "--key-separator", paramLabel = "SEP",
            description = "Short for --property parse.key=true --property key.separator=SEP.")
    String keySeparator;

    @Option(names = "--header", paramLabel = "key=value", description = "A header on every record. Repeatable.")
    List<String> headers = new ArrayList<>();

    @Option(names = "--partition", paramLabel = "N", description = "Write every record to this partition.")
    Integer partition;

    @Option(names = "--compression-type", paramLabel = "none|gzip|snappy|lz4|zstd", defaultValue = "none",
            description = "Batch compression (default none).")
    Compression compression;

    @Option(names = "--acks", paramLabel = "all|1|0", defaultValue = "all",
            description = "all (default): in-sync replicas have it; 1: the leader has it; 0: no answer.")
    String acks;

    @Option(names = "--producer-property", paramLabel = "key=value", description = "Any producer setting. Repeatable.")
    Map<String, String> producerProperties = new LinkedHashMap<>();

    @Override
    public Integer call() throws IOException {
        LineParser parser = parser();
        Acks.require(spec, acks);
        if (partition != null && partition < 0) {
            throw usage("--partition must be 0 or more, not " + partition);
        }
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.ACKS_CONFIG, acks);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression.name());
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.putAll(producerProperties);
        AtomicLong acknowledged = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> firstError = new AtomicReference<>();
        AtomicLong lines = new AtomicLong();
        AtomicBoolean reported = new AtomicBoolean();
        try (BufferedReader in = reader(); KafkaProducer<byte[], byte[]> producer = client.producer(config)) {
            // Ctrl-C while reading: what was read so far is still sent, then the same summary.
            Signals.onTerminate(() -> {
                if (!reported.get()) {
                    try {
                        producer.flush();
                    } catch (IllegalStateException closed) {
                        // the main thread finished sending in the meantime
                    }
                    report(reported, lines.get(), acknowledged.get(), failed.get(), firstError.get());
                }
            });
            String line;
            while (firstError.get() == null && (line = in.readLine()) != null) {
                LineParser.Parsed p;
                try {
                    p = parser.parse(line, lines.incrementAndGet());
                } catch (IllegalArgumentException e) {
                    throw new CliException(e.getMessage());
                }
                producer.send(new ProducerRecord<>(topic, partition, null, p.key(), p.value(), p.headers()), (md, e) -> {
                    if (e == null) {
                        acknowledged.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        firstError.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
        }
        return report(reported, lines.get(), acknowledged.get(), failed.get(), firstError.get());
    }

    /** The closing line on stderr, once; exit 1 if any record failed. */
    private int report(AtomicBoolean reported, long lines, long acknowledged, long failed, Exception firstError) {
        if (!reported.compareAndSet(false, true)) {
            return firstError == null ? 0 : 1;
        }
        PrintWriter err = spec.commandLine().getErr();
        int code = 0;
        if (firstError != null) {
            err.printf("letterbox: %d of %d records failed: %s%n", failed, lines, ClientErrors.explain(firstError, this));
            code = 1;
        } else {
            err.println("0".equals(acks) ? lines + " records sent (acks=0: the broker does not acknowledge)"
                    : acknowledged + " records acknowledged");
        }
        err.flush();
        return code;
    }

    private LineParser parser() {
        Map<String, String> props = new LinkedHashMap<>(properties);
        if (keySeparator != null) {
            props.put("parse.key", "true");
            props.put("key.separator", keySeparator);
        }
        List<Header> fixed = new ArrayList<>();
        for (String h : headers) {
            int eq = h.indexOf('=');
            if (eq <= 0) {
                throw usage("--header takes key=value, not '" + h + "'");
            }
            fixed.add(new RecordHeader(h.substring(0, eq), h.substring(eq + 1).getBytes(StandardCharsets.UTF_8)));
        }
        try {
            return new LineParser(props, fixed);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private BufferedReader reader() throws IOException {
        if (file == null) {
            return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        }
        if (!Files.isReadable(file)) {
            throw new CliException("cannot read --file " + file);
        }
        return Files.newBufferedReader(file, StandardCharsets.UTF_8);
    }

    @Override
    public String topicName() {
        return topic;
    }
}
