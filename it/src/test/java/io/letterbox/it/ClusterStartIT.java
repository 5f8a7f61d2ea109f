package io.letterbox.it;

import static io.letterbox.it.support.ItSupport.await;
import static io.letterbox.it.support.ItSupport.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.letterbox.it.support.ItSupport;
import io.letterbox.it.support.LetterboxCli;
import io.letterbox.it.support.LetterboxCli.Result;
import io.letterbox.it.support.LetterboxCli.Running;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;
import org.junit.jupiter.api.Test;

/**
 * {@code letterbox cluster start}: three nodes as child processes, ready with the bootstrap line
 * and one line per node, described as three brokers; a node killed is reported; SIGTERM to the
 * command stops every child and exits 0. Bad usage is one line and exit 2.
 */
class ClusterStartIT {

    @Test
    void threeNodesStartAreDescribedAndStopWithTheCommand() throws Exception {
        int base = freeBasePort(3);
        Path data = ItSupport.tempDir("cluster-start");
        Running cluster = LetterboxCli.start("cluster", "start", "--nodes", "3", "--base-port", String.valueOf(base),
                "--data-dir", data.toString());
        List<ProcessHandle> children = List.of();
        try {
            await("the cluster is ready", Duration.ofSeconds(150), () -> {
                assertThat(cluster.process().isAlive()).as("cluster start exited:%n%s%n%s", cluster.out(),
                        cluster.err()).isTrue();
                return cluster.out().contains("Press Ctrl-C");
            });
            String bootstrap = "127.0.0.1:" + base + ",127.0.0.1:" + (base + 1) + ",127.0.0.1:" + (base + 2);
            assertThat(cluster.out()).contains("Bootstrap servers: " + bootstrap);
            for (int id = 1; id <= 3; id++) {
                assertThat(cluster.out()).contains("node " + id + " ready: clients 127.0.0.1:" + (base + id - 1)
                        + ", controller 127.0.0.1:" + (base + 10_000 + id - 1));
            }
            children = cluster.process().descendants().toList();
            assertThat(children).hasSize(3);
            try (Admin admin = ItSupport.admin(bootstrap)) {
                assertThat(get(admin.describeCluster().nodes()).stream().map(Node::id).collect(Collectors.toSet()))
                        .isEqualTo(Set.of(1, 2, 3));
                ItSupport.createTopic(admin, ItSupport.uniqueTopic("local"), 3, Map.of());
            }

            // A node that dies is reported, and the others keep running
            long node3 = printedPid(cluster.out(), 3);
            assertThat(children).extracting(ProcessHandle::pid).contains(node3);
            ProcessHandle.of(node3).orElseThrow().destroyForcibly();
            await("node 3's death reported", Duration.ofSeconds(20),
                    () -> cluster.err().contains("node 3 (pid " + node3 + ") exited with code 137"));
            assertThat(cluster.process().isAlive()).isTrue();

            // SIGTERM stops the rest cleanly and the command exits 0
            cluster.process().destroy();
            assertThat(cluster.process().waitFor(60, TimeUnit.SECONDS)).as("cluster start stopped").isTrue();
            assertThat(cluster.process().exitValue()).as("%s%n%s", cluster.out(), cluster.err()).isZero();
            assertThat(cluster.out()).contains("Stopped 2 of 2 running node(s) cleanly.");
            assertThat(children).noneMatch(ProcessHandle::isAlive);
        } finally {
            cluster.process().destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
            ItSupport.deleteRecursively(data);
        }
    }

    @Test
    void tooManyNodesIsBadUsage() {
        Result r = LetterboxCli.run("cluster", "start", "--nodes", "10");
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
        assertThat(r.err()).startsWith("letterbox: --nodes must be 1 to 9, not 10\n");
    }

    /** The pid the ready line of node {@code id} shows. */
    private static long printedPid(String out, int id) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("node " + id + " ready: .*, pid (\\d+),")
                .matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** A base port whose client and quorum ports for {@code nodes} nodes are all free now. */
    private static int freeBasePort(int nodes) {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 50_000);
            boolean free = true;
            for (int i = 0; i < nodes && free; i++) {
                free = isFree(base + i) && isFree(base + 10_000 + i);
            }
            if (free) {
                return base;
            }
        }
        throw new AssertionError("no free range of ports");
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
