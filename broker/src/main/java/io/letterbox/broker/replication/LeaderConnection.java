package io.letterbox.broker.replication;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;

import javax.net.ssl.SSLSocket;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestHeader;

import io.letterbox.broker.config.TlsConfig;

/**
 * A follower's blocking connection to one leader, over TLS when the inter-broker listener is an
 * SSL listener: a size-prefixed request out, its response in,
 * both framed and parsed by kafka-clients' generated classes. The response is read once into a
 * buffer reused across fetches; the parsed records are slices of it, valid until the next fetch.
 *
 * <p>Not thread-safe: one fetcher thread owns it.
 */
final class LeaderConnection implements AutoCloseable {
    private static final String CLIENT_ID = "letterbox-replica-fetcher";

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private byte[] buffer = new byte[64 * 1024];
    private int correlationId;

    /** @param tls the inter-broker listener's TLS settings when it is an SSL listener, else null */
    LeaderConnection(InetSocketAddress address, int timeoutMs, TlsConfig tls) throws IOException {
        Socket plain = new Socket();
        Socket connected = plain;
        try {
            plain.setTcpNoDelay(true);
            plain.connect(address, timeoutMs);
            plain.setSoTimeout(timeoutMs);
            if (tls != null) {
                SSLSocket secure = (SSLSocket) tls.clientSocketFactory().createSocket(plain, address.getHostString(),
                        address.getPort(), true);
                connected = secure;
                secure.setSSLParameters(tls.clientParameters());
                secure.startHandshake();
            }
            socket = connected;
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
        } catch (IOException e) {
            connected.close();
            throw e;
        }
    }

    /** Sends {@code request} and waits for its response; an I/O error or timeout leaves the connection unusable. */
    FetchResponse fetch(FetchRequest request) throws IOException {
        RequestHeader header = new RequestHeader(ApiKeys.FETCH, request.version(), CLIENT_ID, ++correlationId);
        ByteBuffer payload = request.serializeWithHeader(header);
        out.writeInt(payload.remaining());
        out.write(payload.array(), payload.arrayOffset() + payload.position(), payload.remaining());
        out.flush();
        int size = in.readInt();
        if (size < 0) {
            throw new IOException("Negative response size " + size + " from " + socket.getRemoteSocketAddress());
        }
        if (size > buffer.length) {
            buffer = new byte[Math.max(size, buffer.length * 2)];
        }
        in.readFully(buffer, 0, size);
        return (FetchResponse) AbstractResponse.parseResponse(ByteBuffer.wrap(buffer, 0, size), header);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a socket that failed: nothing left to release.
        }
    }
}
