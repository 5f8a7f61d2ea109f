package io.letterbox.broker.network;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.requests.SaslHandshakeResponse;
import org.apache.kafka.common.security.auth.KafkaPrincipal;

import io.letterbox.broker.config.PlainUsers;

/**
 * One connection's SASL/PLAIN authentication on a SASL listener, as Kafka's brokers run it:
 * SaslHandshake naming PLAIN, then one SaslAuthenticate carrying
 * {@code [authzid] NUL user NUL password}. Until it succeeds the connection may send only
 * ApiVersions and these two; after it, requests run as {@code User:<user>}. A refused mechanism or
 * a wrong password is answered with Kafka's error and then the connection is closed.
 *
 * <p>Not thread-safe: the connection's event loop owns it.
 */
final class SaslPlainAuthenticator {

    static final String MECHANISM = "PLAIN";

    private enum State { HANDSHAKE, AUTHENTICATE, DONE }

    /** An answer, and whether the connection closes once it is written. */
    record Step(AbstractResponse response, boolean close) {
    }

    private final PlainUsers users;
    private State state = State.HANDSHAKE;
    private KafkaPrincipal principal = KafkaPrincipal.ANONYMOUS;
    private String failure;

    SaslPlainAuthenticator(PlainUsers users) {
        this.users = users;
    }

    boolean authenticated() {
        return state == State.DONE;
    }

    KafkaPrincipal principal() {
        return principal;
    }

    /** Why the last step closed the connection, for its log line. */
    String failure() {
        return failure;
    }

    /** Whether {@code request} is a step of authentication (the others must wait for it to finish). */
    static boolean isStep(AbstractRequest request) {
        return request instanceof SaslHandshakeRequest || request instanceof SaslAuthenticateRequest;
    }

    Step step(AbstractRequest request) {
        if (request instanceof SaslHandshakeRequest handshake) {
            return handshake(handshake.data().mechanism());
        }
        return authenticate(((SaslAuthenticateRequest) request).data().authBytes());
    }

    private Step handshake(String mechanism) {
        SaslHandshakeResponseData data = new SaslHandshakeResponseData().setMechanisms(List.of(MECHANISM));
        if (state != State.HANDSHAKE) {
            failure = "a second SaslHandshake";
            return new Step(new SaslHandshakeResponse(data.setErrorCode(Errors.ILLEGAL_SASL_STATE.code())), true);
        }
        if (!MECHANISM.equals(mechanism)) {
            failure = "SASL mechanism " + mechanism + ", where this listener takes " + MECHANISM;
            return new Step(new SaslHandshakeResponse(data.setErrorCode(Errors.UNSUPPORTED_SASL_MECHANISM.code())),
                    true);
        }
        state = State.AUTHENTICATE;
        return new Step(new SaslHandshakeResponse(data), false);
    }

    private Step authenticate(byte[] message) {
        SaslAuthenticateResponseData data = new SaslAuthenticateResponseData().setAuthBytes(new byte[0]);
        if (state != State.AUTHENTICATE) {
            failure = "SaslAuthenticate without a SaslHandshake first";
            return new Step(new SaslAuthenticateResponse(data.setErrorCode(Errors.ILLEGAL_SASL_STATE.code())
                    .setErrorMessage("Unexpected SaslAuthenticate: send SaslHandshake first")), true);
        }
        // RFC 4616: [authzid] NUL authcid NUL passwd
        int first = indexOf(message, 0);
        int second = first < 0 ? -1 : indexOf(message, first + 1);
        String user = second < 0 ? null : new String(message, first + 1, second - first - 1, StandardCharsets.UTF_8);
        String authorizationId = first < 0 ? null : new String(message, 0, first, StandardCharsets.UTF_8);
        byte[] password = second < 0 ? new byte[0] : Arrays.copyOfRange(message, second + 1, message.length);
        boolean ok = user != null && !user.isEmpty() && (authorizationId.isEmpty() || authorizationId.equals(user))
                && users.authenticate(user, password);
        Arrays.fill(password, (byte) 0);
        if (!ok) {
            failure = "SASL/PLAIN authentication failed for user " + (user == null ? "(unreadable message)" : user);
            return new Step(new SaslAuthenticateResponse(data.setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code())
                    .setErrorMessage("Authentication failed: Invalid username or password")), true);
        }
        state = State.DONE;
        principal = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, user);
        return new Step(new SaslAuthenticateResponse(data.setSessionLifetimeMs(0)), false);
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
