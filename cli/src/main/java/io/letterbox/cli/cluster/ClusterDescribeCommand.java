package io.letterbox.cli.cluster;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.protocol.ApiKeys;

import io.letterbox.cli.Version;
import io.letterbox.cli.client.ClientCommand;
import io.letterbox.cli.client.Futures;
import io.letterbox.cli.client.Output;
import io.letterbox.cli.client.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code letterbox cluster describe}: cluster id, controller, brokers (DescribeCluster), topic
 * count (ListTopics), and the protocol a broker speaks (ApiVersions: how many APIs, and the
 * Produce and Fetch version ranges). Kafka's protocol has no field for the broker's software
 * version, so none is shown.
 */
@Command(name = "describe", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Show the cluster id, controller, brokers, topic count and the protocol the brokers speak.",
                "The Kafka protocol does not carry a broker's software version; the API count and ranges stand for it."},
        footer = {"", "Examples:",
                "  letterbox cluster describe",
                "  letterbox cluster describe -b broker1:9092 -o json"})
public final class ClusterDescribeCommand extends ClientCommand {

    /** The APIs whose version ranges say most about a broker's age. */
    private static final Set<Integer> HEADLINE_APIS = Set.of((int) ApiKeys.PRODUCE.id, (int) ApiKeys.FETCH.id);

    @Mixin
    Output output;

    @Override
    public Integer call() {
        Map<String, Object> model = new LinkedHashMap<>();
        List<Map<String, Object>> brokers = new ArrayList<>();
        List<ApiVersionsProbe.Api> apis;
        Node asked;
        try (Admin admin = client.admin()) {
            DescribeClusterResult cluster = admin.describeCluster();
            List<Node> nodes = new ArrayList<>(Futures.get(cluster.nodes()));
            nodes.sort(Comparator.comparingInt(Node::id));
            Node controller = Futures.get(cluster.controller());
            int topics = Futures.get(admin.listTopics().names()).size();
            model.put("clusterId", Futures.get(cluster.clusterId()));
            model.put("controller", controller == null || controller.isEmpty() ? null : controller.id());
            model.put("topicCount", topics);
            for (Node n : nodes) {
                Map<String, Object> b = new LinkedHashMap<>();
                b.put("id", n.id());
                b.put("host", n.host());
                b.put("port", n.port());
                b.put("rack", n.rack());
                brokers.add(b);
            }
            asked = nodes.get(0);
            apis = ApiVersionsProbe.query(asked.host(), asked.port());
        }
        Map<String, Object> protocol = new LinkedHashMap<>();
        protocol.put("summary", summary(apis));
        protocol.put("askedBroker", asked.id());
        List<Map<String, Object>> apiList = new ArrayList<>();
        for (ApiVersionsProbe.Api a : apis) {
            Map<String, Object> api = new LinkedHashMap<>();
            api.put("key", a.key());
            api.put("name", a.name());
            api.put("minVersion", a.min());
            api.put("maxVersion", a.max());
            apiList.add(api);
        }
        protocol.put("apis", apiList);
        model.put("version", protocol);
        model.put("brokers", brokers);
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            Output.printJson(out, model);
            return 0;
        }
        out.printf("Cluster id:  %s%n", model.get("clusterId"));
        out.printf("Controller:  %s%n", model.get("controller") == null ? "-" : model.get("controller"));
        out.printf("Topics:      %s%n", model.get("topicCount"));
        out.printf("Version:     %s (broker %d)%n", protocol.get("summary"), asked.id());
        out.println();
        Table t = new Table("broker", "host", "port", "rack");
        brokers.forEach(b -> t.row(b.get("id"), b.get("host"), b.get("port"), b.get("rack")));
        t.print(out);
        out.flush();
        return 0;
    }

    /** "Kafka protocol, 27 APIs (Produce v3-v11, Fetch v4-v17)". */
    static String summary(Collection<ApiVersionsProbe.Api> apis) {
        List<String> headline = new ArrayList<>();
        for (ApiVersionsProbe.Api a : apis) {
            if (HEADLINE_APIS.contains(a.key())) {
                headline.add(a.name() + " v" + a.min() + "-v" + a.max());
            }
        }
        return "Kafka protocol, " + apis.size() + " APIs" + (headline.isEmpty() ? "" : " (" + String.join(", ", headline) + ")");
    }
}
