package io.letterbox.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.network.ClientInformation;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestContext;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/** Calls a handler as the network layer would, for handler tests. */
final class HandlerCalls {

    private HandlerCalls() {
    }

    /** A plaintext request context of {@code key} at {@code version} from a loopback client. */
    static RequestContext context(ApiKeys key, short version) {
        return new RequestContext(new RequestHeader(key, version, "client", 1), "conn",
                InetAddress.getLoopbackAddress(), KafkaPrincipal.ANONYMOUS, ListenerName.normalised("PLAINTEXT"),
                SecurityProtocol.PLAINTEXT, ClientInformation.EMPTY, false);
    }

    /** Handles {@code request} at its version, checks that the answer serializes at that version, returns it. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static <R extends AbstractResponse> R call(ApiHandler handler, AbstractRequest request) throws Exception {
        short version = request.version();
        AbstractResponse response = (AbstractResponse) handler.handle(context(handler.apiKey(), version), request)
                .get(10, TimeUnit.SECONDS);
        assertThat(MessageUtil.toByteBufferAccessor(response.data(), version).buffer().limit()).isPositive();
        return (R) response;
    }
}
