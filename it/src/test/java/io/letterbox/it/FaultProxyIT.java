package io.letterbox.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.letterbox.it.support.FaultProxy;
import io.letterbox.it.support.ItSupport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fault-injecting proxy against a real echo server on loopback: it forwards both ways, a cut
 * closes connections and refuses new ones, a hold delays bytes without closing or losing any (for
 * every connection, or those of one process), and heal restores each.
 */
class FaultProxyIT {
    private ServerSocket echoServer;
    private FaultProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echoServer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::echoAll, "echo-server");
        acceptor.setDaemon(true);
        acceptor.start();
        proxy = FaultProxy.start("127.0.0.1", echoServer.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echoServer.close();
    }

    private void echoAll() {
        while (!echoServer.isClosed()) {
            try {
                Socket s = echoServer.accept();
                Thread t = new Thread(() -> {
                    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                        in.transferTo(out);
                    } catch (IOException e) {
                        // the peer went away
                    }
                }, "echo");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        s.setSoTimeout(5_000);
        return s;
    }

    private static String roundTrip(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        return read(s, text.length());
    }

    private static String read(Socket s, int length) throws IOException {
        byte[] buf = s.getInputStream().readNBytes(length);
        return new String(buf, StandardCharsets.UTF_8);
    }

    @Test
    void forwardsBothWays() throws IOException {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "hello")).isEqualTo("hello");
            assertThat(roundTrip(s, "x".repeat(100_000))).hasSize(100_000);
        }
        // The pump counts a chunk after writing it, so the count may trail what the reader has.
        ItSupport.await("every byte counted", Duration.ofSeconds(5), () -> proxy.forwardedBytes() == 2 * 100_005);
        assertThat(proxy.state()).isEqualTo(FaultProxy.State.FORWARDING);
    }

    @Test
    void aCutClosesConnectionsAndRefusesNewOnesUntilHealed() throws IOException {
        try (Socket before = connect()) {
            assertThat(roundTrip(before, "up")).isEqualTo("up");
            proxy.cut();
            assertThat(before.getInputStream().read()).as("closed by the cut").isEqualTo(-1);
        }
        try (Socket during = connect()) {
            assertThat(during.getInputStream().read()).as("refused while cut").isEqualTo(-1);
        }
        proxy.heal();
        try (Socket after = connect()) {
            assertThat(roundTrip(after, "again")).isEqualTo("again");
        }
    }

    @Test
    void aHoldFromOneProcessHoldsOnlyTheConnectionsItOpened() throws Exception {
        try (Socket ours = connect()) {
            assertThat(roundTrip(ours, "mine")).isEqualTo("mine");
            proxy.holdFrom(ProcessHandle.current().pid());
            ours.getOutputStream().write("held".getBytes(StandardCharsets.UTF_8));
            ours.setSoTimeout(500);
            assertThatThrownBy(() -> ours.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);

            // Another process's connection still goes through
            Process other = new ProcessBuilder("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + proxy.port()
                    + "; printf theirs >&3; read -r -t 10 -n 6 answer <&3; printf '%s' \"$answer\"")
                    .redirectErrorStream(true).start();
            assertThat(other.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("theirs");

            // and, healed, ours gets what was held
            proxy.heal();
            ours.setSoTimeout(5_000);
            assertThat(read(ours, 4)).isEqualTo("held");
        }
    }

    @Test
    void aHoldDelaysBytesWithoutClosingOrLosingThem() throws IOException {
        try (Socket open = connect()) {
            assertThat(roundTrip(open, "before")).isEqualTo("before");
            proxy.hold();
            open.getOutputStream().write("held".getBytes(StandardCharsets.UTF_8));
            open.setSoTimeout(500);
            assertThatThrownBy(() -> open.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            try (Socket opened = connect()) {
                opened.getOutputStream().write("new".getBytes(StandardCharsets.UTF_8));
                opened.setSoTimeout(500);
                assertThatThrownBy(() -> opened.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
                proxy.heal();
                open.setSoTimeout(5_000);
                opened.setSoTimeout(5_000);
                assertThat(read(open, 4)).isEqualTo("held");
                assertThat(read(opened, 3)).isEqualTo("new");
            }
        }
    }
}
