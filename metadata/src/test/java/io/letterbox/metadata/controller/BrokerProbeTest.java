package io.letterbox.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BrokerProbeTest {
    private final BrokerProbe probe = new BrokerProbe(1_000);

    @AfterEach
    void close() {
        probe.close();
    }

    @Test
    void aListeningProcessIsAcceptedAndAClosedPortRefused() throws Exception {
        InetSocketAddress address;
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            address = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
            assertThat(probe.probe(address).get(10, TimeUnit.SECONDS)).isEqualTo(BrokerProbe.Result.ACCEPTED);
        }
        // Once the socket is closed nothing listens there: the kernel refuses
        assertThat(probe.probe(address).get(10, TimeUnit.SECONDS)).isEqualTo(BrokerProbe.Result.REFUSED);
    }

    @Test
    void anAddressThatDoesNotResolveProvesNothing() throws Exception {
        InetSocketAddress address = InetSocketAddress.createUnresolved("no-such-host.invalid", 9093);
        assertThat(probe.probe(address).get(10, TimeUnit.SECONDS)).isEqualTo(BrokerProbe.Result.UNKNOWN);
    }

    @Test
    void aClosedProbeAnswersUnknown() throws Exception {
        probe.close();
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9);
        assertThat(probe.probe(address).get(10, TimeUnit.SECONDS)).isEqualTo(BrokerProbe.Result.UNKNOWN);
    }
}
