package io.letterbox.broker.replication;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import javax.net.ssl.SSLSocket;

import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.requests.SaslHandshakeResponse;

import io.letterbox.broker.config.PlainUsers;
import io.letterbox.broker.config.TlsConfig;

/**
 * A follower's blocking connection to one leader, over TLS when the inter-broker listener is an
 * SSL listener and logged in with SASL/PLAIN when it is a SASL one: a size-prefixed request out, its response in,
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

    /**
     * @param tls   the inter-broker listener's TLS settings when it is an SSL or SASL_SSL listener, else null
     * @param login the follower's SASL/PLAIN login when the inter-broker listener is a SASL one, else null
     */
    LeaderConnection(InetSocketAddress address, int timeoutMs, TlsConfig tls, PlainUsers.Login login)
            throws IOException {
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
            if (login != null) {
                login(login);
            }
        } catch (IOException e) {
            connected.close();
            throw e;
        }
    }

    /** Sends {@code request} and waits for its response; an I/O error or timeout leaves the connection unusable. */
    FetchResponse fetch(FetchRequest request) throws IOException {
        return (FetchResponse) send(request);
    }

    /**
     * Logs in with SASL/PLAIN as a client would: SaslHandshake, then SaslAuthenticate with
     * {@code NUL user NUL password}.
     *
     * @throws IOException when the leader refuses, naming its error
     */
    private void login(PlainUsers.Login login) throws IOException {
        SaslHandshakeResponse handshake = (SaslHandshakeResponse) send(new SaslHandshakeRequest.Builder(
                new SaslHandshakeRequestData().setMechanism("PLAIN")).build((short) 1));
        if (handshake.data().errorCode() != Errors.NONE.code()) {
            throw new IOException("SASL handshake refused: " + Errors.forCode(handshake.data().errorCode()));
        }
        byte[] user = login.username().getBytes(StandardCharsets.UTF_8);
        byte[] password = login.password().getBytes(StandardCharsets.UTF_8);
        byte[] message = new byte[2 + user.length + password.length];
        System.arraycopy(user, 0, message, 1, user.length);
        System.arraycopy(password, 0, message, 2 + user.length, password.length);
        SaslAuthenticateResponse answer = (SaslAuthenticateResponse) send(new SaslAuthenticateRequest.Builder(
                new SaslAuthenticateRequestData().setAuthBytes(message)).build((short) 2));
        if (answer.data().errorCode() != Errors.NONE.code()) {
            throw new IOException("SASL login as " + login.username() + " refused: "
                    + Errors.forCode(answer.data().errorCode()) + " " + answer.data().errorMessage());
        }
    }

    private AbstractResponse send(AbstractRequest request) throws IOException {
        RequestHeader header = new RequestHeader(request.apiKey(), request.version(), CLIENT_ID, ++correlationId);
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
        return AbstractResponse.parseResponse(ByteBuffer.wrap(buffer, 0, size), header);
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
