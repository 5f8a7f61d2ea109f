package io.letterbox.broker.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;

import io.letterbox.storage.config.LogConfig;

/**
 * Renders docs/configuration.md from the broker's own definitions: {@link BrokerConfig#CONFIG_DEF},
 * {@link BrokerConfig#TOPIC_DEFAULT_KEYS}, {@link BrokerConfig#dynamicKeys()} and
 * {@link LogConfig#CONFIG_DEF}. A key added to either definition shows up without touching this
 * class; the sections below only decide which table a broker key lands in (first match wins).
 */
final class ConfigurationDoc {

    static final String REGENERATE = "./mvnw -o -pl broker -am test -Dtest=ConfigurationDocTest "
            + "-Dsurefire.failIfNoSpecifiedTests=false -Dconfig.doc.write=true";

    /** Defaults computed on the machine the broker runs on; the doc says how instead of one machine's value. */
    private static final Map<String, String> COMPUTED_DEFAULTS = Map.of(
            BrokerConfig.NUM_NETWORK_THREADS, "the number of CPUs");

    private record Section(String title, String intro, Predicate<String> holds) {
    }

    private static final String TOPIC_SECTION = "Topic configs";

    /** Broker key sections in the order they are matched; rendered in {@link #ORDER}. */
    private static final List<Section> BROKER_SECTIONS = List.of(
            new Section("Log defaults for topics", "Broker-wide defaults of topic configs: a topic without its own "
                    + "override of the topic key gets this value. Unset, the topic key's default applies (shown here "
                    + "in this key's unit). Values are checked against the topic key's rules at start-up and by "
                    + "AlterConfigs. Where several keys set one topic key, the more precise unit wins (`ms` over "
                    + "`minutes` over `hours`).", BrokerConfig.TOPIC_DEFAULT_KEYS::containsKey),
            new Section("Group coordinator", "Consumer groups: the classic protocol (`group.*`), KIP-848's "
                    + "consumer protocol (`group.consumer.*`) and committed offsets (`offsets.*`).",
                    k -> k.startsWith("group.") || k.startsWith("offset.") || k.startsWith("offsets.")),
            new Section("Metadata quorum", "The Raft group (Apache Ratis) that holds the metadata log.",
                    k -> k.startsWith("controller.") || k.equals(BrokerConfig.PROCESS_ROLES)),
            new Section("TLS and SASL", "SSL and SASL_SSL listeners (see `listener.security.protocol.map`): the "
                    + "broker's certificate, whom it trusts, and the TLS versions and suites it accepts. Each key may "
                    + "be set for one listener as `listener.name.<listener in lower case>.<key>`. SASL_PLAINTEXT and "
                    + "SASL_SSL listeners take SASL/PLAIN, with their users in "
                    + "`listener.name.<listener>.plain.sasl.jaas.config`.",
                    k -> k.startsWith("ssl.") || k.startsWith("sasl.") || k.equals(BrokerConfig.SECURITY_PROTOCOL_MAP)),
            new Section("Transactions and share groups", "Accepted so that Kafka's sample `server.properties` "
                    + "starts; Letterbox does not support transactions or share groups yet.",
                    k -> k.startsWith("transaction.") || k.startsWith("share.")),
            new Section("Log storage", "Where partition logs live and how the broker looks after them.",
                    k -> k.startsWith("log.") || k.equals(BrokerConfig.NUM_RECOVERY_THREADS_PER_DATA_DIR)),
            new Section("Server", "Identity, listeners, network and topic creation.", k -> true));

    private static final List<String> ORDER = List.of("Server", "Log storage", "Log defaults for topics",
            TOPIC_SECTION, "Group coordinator", "Metadata quorum", "TLS and SASL",
            "Transactions and share groups");

    private static final String TOPIC_INTRO = "Set per topic when it is created (`letterbox topic create --config "
            + "k=v`, CreateTopics) or later (`letterbox topic alter --config k=v`, IncrementalAlterConfigs, "
            + "`kafka-configs.sh`); a change applies to the running partitions at once. A topic without an "
            + "override gets the broker default (the keys in the last column), else the default shown.";

    private ConfigurationDoc() {
    }

    static String render() {
        Map<String, List<ConfigKey>> bySection = new LinkedHashMap<>();
        ORDER.forEach(title -> bySection.put(title, new ArrayList<>()));
        for (ConfigKey key : BrokerConfig.CONFIG_DEF.configKeys().values()) {
            String title = BROKER_SECTIONS.stream().filter(s -> s.holds().test(key.name)).findFirst()
                    .orElseThrow().title();
            bySection.get(title).add(key);
        }
        bySection.get(TOPIC_SECTION).addAll(LogConfig.CONFIG_DEF.configKeys().values());
        bySection.values().forEach(keys -> keys.sort(Comparator.comparing((ConfigKey k) -> k.importance)
                .thenComparing(k -> k.name)));

        StringBuilder out = new StringBuilder();
        header(out);
        for (Map.Entry<String, List<ConfigKey>> e : bySection.entrySet()) {
            String title = e.getKey();
            out.append("\n## ").append(title).append("\n\n");
            if (title.equals(TOPIC_SECTION)) {
                out.append(TOPIC_INTRO).append("\n\n");
                topicTable(out, e.getValue());
            } else {
                out.append(BROKER_SECTIONS.stream().filter(s -> s.title().equals(title)).findFirst().orElseThrow()
                        .intro()).append("\n\n");
                brokerTable(out, e.getValue(), title.equals("Log defaults for topics"));
            }
        }
        return out.toString();
    }

    private static void header(StringBuilder out) {
        out.append("# Configuration reference\n\n")
                .append("<!-- Generated from BrokerConfig and LogConfig by ConfigurationDoc (broker test sources); "
                        + "do not edit by hand. Regenerate with:\n     ").append(REGENERATE).append(" -->\n\n")
                .append("Letterbox uses Apache Kafka's key names. Broker keys go in a properties file or on the "
                        + "command line, which wins:\n\n```\nbin/letterbox server start config/server.properties "
                        + "--override log.dirs=/var/lib/letterbox\n```\n\n")
                .append("An unknown key or a bad value stops start-up with one line naming it. A topic's value of a "
                        + "topic config comes from, most binding first: the topic's override, this broker's dynamic "
                        + "config, the cluster-wide dynamic default, the properties file, the default below.\n\n")
                .append("The *dynamic* column says whether a running broker takes a new value: **per broker, "
                        + "cluster-wide** keys are set with IncrementalAlterConfigs (`kafka-configs.sh "
                        + "--entity-type brokers --entity-name 1` for one broker, `--entity-default` for every "
                        + "broker), kept in the metadata log and applied at once; **no** means set it in the "
                        + "properties file and restart. Topic configs are all dynamic, per topic.\n\n")
                .append("Contents: ");
        for (int i = 0; i < ORDER.size(); i++) {
            String title = ORDER.get(i);
            out.append(i == 0 ? "" : " · ").append('[').append(title).append("](#")
                    .append(title.toLowerCase().replace(' ', '-')).append(')');
        }
        out.append('\n');
    }

    private static void brokerTable(StringBuilder out, List<ConfigKey> keys, boolean topicDefaults) {
        BrokerConfig defaults = topicDefaults ? BrokerConfig.parse(Map.of()) : null;
        out.append(topicDefaults
                ? "| key | topic key | type | default | valid values | importance | dynamic | description |\n"
                        + "| --- | --- | --- | --- | --- | --- | --- | --- |\n"
                : "| key | type | default | valid values | importance | dynamic | description |\n"
                        + "| --- | --- | --- | --- | --- | --- | --- |\n");
        for (ConfigKey key : keys) {
            String defaultValue;
            String valid;
            out.append("| `").append(key.name).append("` | ");
            if (topicDefaults) {
                String topicKey = BrokerConfig.TOPIC_DEFAULT_KEYS.get(key.name);
                ConfigKey topic = LogConfig.CONFIG_DEF.configKeys().get(topicKey);
                out.append('`').append(topicKey).append("` | ");
                defaultValue = inBrokerUnit(defaults, key.name, topic);
                valid = validValues(topic);
            } else {
                defaultValue = COMPUTED_DEFAULTS.containsKey(key.name) ? COMPUTED_DEFAULTS.get(key.name)
                        : code(defaultOf(key));
                valid = validValues(key);
            }
            String dynamic = BrokerConfig.dynamicKeys().contains(key.name) ? "per broker, cluster-wide" : "no";
            row(out, key.type.name().toLowerCase(), defaultValue, valid, key.importance.name().toLowerCase(),
                    dynamic, key.documentation);
        }
    }

    private static void topicTable(StringBuilder out, List<ConfigKey> keys) {
        out.append("| key | type | default | valid values | importance | description | broker default |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- |\n");
        for (ConfigKey key : keys) {
            List<String> brokerKeys = BrokerConfig.TOPIC_DEFAULT_KEYS.entrySet().stream()
                    .filter(e -> e.getValue().equals(key.name)).map(e -> "`" + e.getKey() + "`").toList();
            out.append("| `").append(key.name).append("` | ");
            row(out, key.type.name().toLowerCase(), code(defaultOf(key)), validValues(key),
                    key.importance.name().toLowerCase(), key.documentation, String.join(", ", brokerKeys));
        }
    }

    /**
     * The topic key's default expressed in the broker key's unit, found by asking the broker how it
     * translates 1 (log.retention.hours=1 gives retention.ms=3600000).
     */
    private static String inBrokerUnit(BrokerConfig broker, String brokerKey, ConfigKey topic) {
        String topicDefault = defaultOf(topic);
        String one = broker.topicDefaults(Map.of(brokerKey, "1")).get(topic.name);
        if ("1".equals(one)) {
            return code(topicDefault);
        }
        long scale = Long.parseLong(one);
        long value = Long.parseLong(topicDefault);
        return value % scale == 0 ? code(Long.toString(value / scale)) : "`" + topic.name + "` default";
    }

    private static String defaultOf(ConfigKey key) {
        if (!key.hasDefault() || key.defaultValue == null) {
            return null;
        }
        return ConfigDef.convertToString(key.defaultValue, key.type);
    }

    private static String validValues(ConfigKey key) {
        if (key.validator != null) {
            return code(key.validator.toString());
        }
        return key.type == ConfigDef.Type.BOOLEAN ? "`true`, `false`" : "";
    }

    private static String code(String value) {
        if (value == null) {
            return "none";
        }
        return value.isEmpty() ? "`\"\"`" : "`" + value + "`";
    }

    private static void row(StringBuilder out, String... cells) {
        for (String cell : cells) {
            out.append(cell == null ? "" : cell.replace("|", "\\|").replace("\n", " ")).append(" | ");
        }
        out.setLength(out.length() - 1);
        out.append('\n');
    }
}
