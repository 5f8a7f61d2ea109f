package io.letterbox.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslAuthenticateResponse;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.apache.kafka.common.requests.SaslHandshakeResponse;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.Test;

import io.letterbox.broker.config.PlainUsers;

/** The SASL/PLAIN exchange one connection runs: RFC 4616 messages, Kafka's errors, the order of steps. */
class SaslPlainAuthenticatorTest {

    private static final PlainUsers USERS = PlainUsers.parse("jaas",
            "org.apache.kafka.common.security.plain.PlainLoginModule required user_alice=\"secret\";");

    private static SaslPlainAuthenticator.Step handshake(SaslPlainAuthenticator a, String mechanism) {
        return a.step(new SaslHandshakeRequest.Builder(new SaslHandshakeRequestData().setMechanism(mechanism))
                .build((short) 1));
    }

    private static SaslPlainAuthenticator.Step authenticate(SaslPlainAuthenticator a, String message) {
        return a.step(new SaslAuthenticateRequest.Builder(new SaslAuthenticateRequestData()
                .setAuthBytes(message.getBytes(StandardCharsets.UTF_8))).build((short) 2));
    }

    private static Errors error(SaslPlainAuthenticator.Step step) {
        return step.response() instanceof SaslHandshakeResponse h ? Errors.forCode(h.data().errorCode())
                : Errors.forCode(((SaslAuthenticateResponse) step.response()).data().errorCode());
    }

    @Test
    void theRightPasswordAuthenticatesAsTheUser() {
        SaslPlainAuthenticator a = new SaslPlainAuthenticator(USERS);
        assertThat(error(handshake(a, "PLAIN"))).isEqualTo(Errors.NONE);
        SaslPlainAuthenticator.Step step = authenticate(a, "\0alice\0secret");

        assertThat(error(step)).isEqualTo(Errors.NONE);
        assertThat(step.close()).isFalse();
        assertThat(a.authenticated()).isTrue();
        assertThat(a.principal()).isEqualTo(new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "alice"));
    }

    @Test
    void anAuthorizationIdMustBeTheUserItself() {
        SaslPlainAuthenticator same = new SaslPlainAuthenticator(USERS);
        handshake(same, "PLAIN");
        assertThat(error(authenticate(same, "alice\0alice\0secret"))).isEqualTo(Errors.NONE);

        SaslPlainAuthenticator other = new SaslPlainAuthenticator(USERS);
        handshake(other, "PLAIN");
        SaslPlainAuthenticator.Step step = authenticate(other, "admin\0alice\0secret");
        assertThat(error(step)).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED);
        assertThat(step.close()).isTrue();
        assertThat(other.authenticated()).isFalse();
    }

    @Test
    void badMessagesAndStepsOutOfOrderCloseTheConnection() {
        for (String message : new String[] {"", "alice", "\0alice", "\0\0secret", "\0alice\0wrong"}) {
            SaslPlainAuthenticator a = new SaslPlainAuthenticator(USERS);
            handshake(a, "PLAIN");
            SaslPlainAuthenticator.Step step = authenticate(a, message);
            assertThat(error(step)).as("message %s", message.replace("\0", "<NUL>"))
                    .isEqualTo(Errors.SASL_AUTHENTICATION_FAILED);
            assertThat(step.close()).isTrue();
        }

        SaslPlainAuthenticator early = new SaslPlainAuthenticator(USERS);
        assertThat(error(authenticate(early, "\0alice\0secret"))).isEqualTo(Errors.ILLEGAL_SASL_STATE);

        SaslPlainAuthenticator scram = new SaslPlainAuthenticator(USERS);
        SaslPlainAuthenticator.Step step = handshake(scram, "SCRAM-SHA-256");
        assertThat(error(step)).isEqualTo(Errors.UNSUPPORTED_SASL_MECHANISM);
        assertThat(((SaslHandshakeResponse) step.response()).data().mechanisms()).containsExactly("PLAIN");
        assertThat(step.close()).isTrue();
    }
}
