package io.letterbox.cli.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import picocli.CommandLine.Option;

/**
 * The mixin every client command shares: where the cluster is ({@code --bootstrap-server},
 * default {@code $LETTERBOX_BOOTSTRAP} or {@code localhost:9092}), extra client properties
 * ({@code --command-config}), and the Kafka clients built from them. Before it builds a client
 * it checks that something listens at the bootstrap address, so that a missing broker is one
 * line at once instead of a client retrying for a minute.
 */
public final class ClientOptions {

    /** How long the probe waits for a TCP connection to one address. */
    private static final int PROBE_TIMEOUT_MS = 2_000;

    @Option(names = {"-b", "--bootstrap-server"}, paramLabel = "host:port[,host:port...]",
            defaultValue = "${env:LETTERBOX_BOOTSTRAP:-localhost:9092}",
            description = "Brokers to connect to (default: $LETTERBOX_BOOTSTRAP or localhost:9092).")
    String bootstrap;

    @Option(names = "--command-config", paramLabel = "FILE",
            description = "A properties file of Kafka client settings (security, timeouts, ...).")
    Path commandConfig;

    public String bootstrap() {
        return bootstrap;
    }

    public Admin admin() {
        Map<String, Object> p = common();
        p.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "letterbox-cli");
        return Admin.create(p);
    }

    /** A producer of byte arrays; {@code extra} wins over {@code --command-config}. */
    public KafkaProducer<byte[], byte[]> producer(Map<String, ?> extra) {
        Map<String, Object> p = common();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        // A topic that does not exist should fail in seconds, not after the default minute.
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        p.putAll(extra);
        return new KafkaProducer<>(p);
    }

    /** A consumer of byte arrays; {@code extra} wins over {@code --command-config}. */
    public KafkaConsumer<byte[], byte[]> consumer(Map<String, ?> extra) {
        Map<String, Object> p = common();
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.putAll(extra);
        return new KafkaConsumer<>(p);
    }

    private Map<String, Object> common() {
        probe();
        Map<String, Object> p = new HashMap<>();
        p.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        p.put(CommonClientConfigs.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        if (commandConfig != null) {
            Properties file = new Properties();
            try (InputStream in = Files.newInputStream(commandConfig)) {
                file.load(in);
            } catch (IOException e) {
                throw new CliException("cannot read --command-config " + commandConfig + ": " + e.getMessage());
            }
            file.stringPropertyNames().forEach(k -> p.put(k, file.getProperty(k)));
        }
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return p;
    }

    /** Fails with the "no broker" message unless one bootstrap address accepts a TCP connection. */
    public void probe() {
        for (String server : bootstrap.split(",")) {
            if (reachable(server.trim())) {
                return;
            }
        }
        throw new CliException("no broker at " + bootstrap + ": start one with `bin/letterbox server start` "
                + "or pass --bootstrap-server");
    }

    private static boolean reachable(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new CliException("--bootstrap-server takes host:port, not '" + hostPort + "'");
        }
        String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new CliException("--bootstrap-server takes host:port, not '" + hostPort + "'");
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return false;
        }
        for (InetAddress address : addresses) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, port), PROBE_TIMEOUT_MS);
                return true;
            } catch (IOException refused) {
                // try the next address of this host
            }
        }
        return false;
    }
}
