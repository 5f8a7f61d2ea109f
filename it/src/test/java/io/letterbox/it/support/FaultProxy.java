package io.letterbox.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on loopback for fault tests: forwards a local port to a target address, and can
 * fail the link between them on demand.
 * <ul>
 *   <li>{@link #cut()}: the link is down and says so: every open connection is closed (both
 *       ends), and a new one is closed as soon as it is accepted, like a host whose port is shut.
 *   <li>{@link #hold()}: a silent partition: nothing crosses in either direction, but no
 *       connection is closed and new ones are accepted and left waiting. Bytes already sent wait
 *       in the socket buffers (and at most one chunk per direction here), as TCP retransmits,
 *       and flow again after {@link #heal()}: nothing is lost, only late.
 *   <li>{@link #holdFrom(long)}: a hold for the connections one process opened (now and later),
 *       the others flowing: how a test isolates a node whose outgoing connections cross proxies
 *       shared with the other nodes. The owner of a connection is found on Linux without root:
 *       its port in {@code /proc/net/tcp} gives the socket's inode, looked for among the
 *       process's {@code /proc/<pid>/fd} links.
 *   <li>{@link #heal()}: forwarding resumes for every connection; new ones reach the target again.
 * </ul>
 * A connection's two directions are copied by two daemon threads. Thread-safe.
 */
public final class FaultProxy implements AutoCloseable {
    /** How the link behaves now. */
    public enum State { FORWARDING, CUT, HELD }

    private static final int CHUNK = 16 * 1024;

    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    /** Accepted connections still open, by the client-side socket, with whether they are held alone. */
    private final Map<Socket, Boolean> heldAlone = new ConcurrentHashMap<>();
    private final Set<Long> heldPids = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private final AtomicLong forwardedBytes = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private volatile State state = State.FORWARDING;
    private volatile boolean closed;

    private FaultProxy(InetSocketAddress target, ServerSocket server) {
        this.target = target;
        this.server = server;
    }

    /** A proxy on a free loopback port, forwarding to {@code targetHost:targetPort}. */
    public static FaultProxy start(String targetHost, int targetPort) {
        return start(0, targetHost, targetPort);
    }

    /** A proxy on loopback port {@code port} (0: a free one), forwarding to {@code targetHost:targetPort}. */
    public static FaultProxy start(int port, String targetHost, int targetPort) {
        try {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            FaultProxy proxy = new FaultProxy(new InetSocketAddress(targetHost, targetPort), server);
            daemon("fault-proxy-accept-" + server.getLocalPort(), proxy::acceptLoop).start();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a proxy on port " + port, e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code 127.0.0.1:port}, for a listener or voter entry that should go through the proxy. */
    public String address() {
        return "127.0.0.1:" + port();
    }

    public State state() {
        return state;
    }

    /** Bytes copied to either side since the start. */
    public long forwardedBytes() {
        return forwardedBytes.get();
    }

    /** Connections accepted since the start, including those closed by a cut. */
    public long acceptedConnections() {
        return accepted.get();
    }

    /** Closes every connection and refuses new ones until {@link #heal()}. */
    public void cut() {
        state = State.CUT;
        closeAllConnections();
        openGate();
    }

    /** Stops every byte, closing nothing, until {@link #heal()}. */
    public void hold() {
        state = State.HELD;
    }

    /** Holds every connection process {@code pid} opened or opens to this proxy, until {@link #heal()}. */
    public void holdFrom(long pid) {
        heldPids.add(pid);
        Set<Long> inodes = ConnectionOwners.socketInodes(pid);
        heldAlone.replaceAll((client, held) -> held || inodes.contains(ConnectionOwners.inodeOf(client)));
    }

    /** Forwards again, every connection. */
    public void heal() {
        state = State.FORWARDING;
        heldPids.clear();
        heldAlone.replaceAll((client, held) -> false);
        openGate();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        closeAllConnections();
        openGate();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            if (state == State.CUT) {
                closeQuietly(client);
                continue;
            }
            sockets.add(client);
            heldAlone.put(client, heldPids.stream().anyMatch(pid ->
                    ConnectionOwners.socketInodes(pid).contains(ConnectionOwners.inodeOf(client))));
            daemon("fault-proxy-connect-" + port(), () -> connect(client)).start();
        }
    }

    private void connect(Socket client) {
        Socket upstream = new Socket();
        sockets.add(upstream);
        try {
            if (!awaitPassable(client)) {
                throw new SocketException("cut");
            }
            upstream.connect(target, 5_000);
            upstream.setTcpNoDelay(true);
            client.setTcpNoDelay(true);
            daemon("fault-proxy-up-" + port(), () -> pump(client, upstream, client)).start();
            daemon("fault-proxy-down-" + port(), () -> pump(upstream, client, client)).start();
        } catch (IOException e) {
            closeQuietly(client);
            closeQuietly(upstream);
        }
    }

    /**
     * Copies {@code from} to {@code to} until either closes; each chunk waits while the link, or
     * the connection of {@code client}, is held.
     */
    private void pump(Socket from, Socket to, Socket client) {
        byte[] buffer = new byte[CHUNK];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (!awaitPassable(client)) {
                    break;
                }
                out.write(buffer, 0, n);
                out.flush();
                forwardedBytes.addAndGet(n);
            }
        } catch (IOException e) {
            // one side closed or was cut: close both below
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            heldAlone.remove(client);
        }
    }

    /** Waits while the link or this connection is held; false when it is cut or the proxy closed. */
    private boolean awaitPassable(Socket client) {
        synchronized (gate) {
            while ((state == State.HELD || heldAlone.getOrDefault(client, false)) && !closed) {
                try {
                    gate.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return state == State.FORWARDING && !closed;
    }

    private void openGate() {
        synchronized (gate) {
            gate.notifyAll();
        }
    }

    private void closeAllConnections() {
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    private void closeQuietly(Socket s) {
        sockets.remove(s);
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }
}
