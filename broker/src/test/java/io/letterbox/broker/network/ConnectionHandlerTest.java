package io.letterbox.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.ListGroupsResponse;
import org.apache.kafka.common.requests.RequestContext;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.Test;

import io.letterbox.broker.config.ListenerSecurity;
import io.letterbox.broker.handler.ApiHandler;
import io.letterbox.broker.handler.ApiVersionsHandler;
import io.letterbox.broker.handler.HandlerRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;

class ConnectionHandlerTest {

    /** A handler whose answers the test releases, to finish requests out of order. */
    private static final class HeldListGroups implements ApiHandler<ListGroupsRequest> {
        final List<CompletableFuture<AbstractResponse>> pending = new ArrayList<>();

        @Override
        public ApiKeys apiKey() {
            return ApiKeys.LIST_GROUPS;
        }

        @Override
        public CompletableFuture<AbstractResponse> handle(RequestContext context, ListGroupsRequest request) {
            CompletableFuture<AbstractResponse> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }
    }

    private final HandlerRegistry registry = new HandlerRegistry();
    private final HeldListGroups held = new HeldListGroups();

    private EmbeddedChannel channel() {
        registry.register(new ApiVersionsHandler(registry)).register(held);
        return new EmbeddedChannel(new FrameDecoder(1 << 20),
                new ConnectionHandler(registry, new ListenerName("PLAINTEXT"), ListenerSecurity.PLAINTEXT));
    }

    private static ByteBuf frame(ApiKeys key, short version, int correlationId, ApiMessage body) {
        RequestHeader header = new RequestHeader(key, version, "test", correlationId);
        ByteBuffer bytes = RequestUtils.serialize(header.data(), header.headerVersion(), body, version);
        return Unpooled.buffer().writeInt(bytes.remaining()).writeBytes(bytes);
    }

    private static ByteBuffer response(EmbeddedChannel channel) {
        ByteBuf out = Unpooled.buffer();
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            ByteBuf b = (ByteBuf) msg;
            out.writeBytes(b);
            b.release();
        }
        ByteBuffer nio = ByteBuffer.allocate(out.readableBytes());
        out.readBytes(nio);
        out.release();
        return nio.flip();
    }

    @Test
    void apiVersionsListsExactlyTheRegisteredHandlers() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(frame(ApiKeys.API_VERSIONS, (short) 3, 7, new ApiVersionsRequestData()
                .setClientSoftwareName("test").setClientSoftwareVersion("1")));
        ByteBuffer bytes = response(channel);
        assertThat(bytes.getInt()).isEqualTo(bytes.remaining());
        assertThat(ResponseHeader.parse(bytes, (short) 0).correlationId()).isEqualTo(7);
        ApiVersionsResponse r = (ApiVersionsResponse) AbstractResponse.parseResponse(ApiKeys.API_VERSIONS,
                new ByteBufferAccessor(bytes), (short) 3);
        assertThat(r.data().errorCode()).isZero();
        assertThat(r.data().apiKeys()).extracting(k -> ApiKeys.forId(k.apiKey()))
                .containsExactlyInAnyOrder(ApiKeys.API_VERSIONS, ApiKeys.LIST_GROUPS);
    }

    @Test
    void apiVersionsNewerThanOursIsAnsweredAtV0WithUnsupportedVersion() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(frame(ApiKeys.API_VERSIONS, (short) 5, 3, new ApiVersionsRequestData()
                .setClientSoftwareName("test").setClientSoftwareVersion("1")));
        ByteBuffer bytes = response(channel);
        bytes.getInt();
        assertThat(ResponseHeader.parse(bytes, (short) 0).correlationId()).isEqualTo(3);
        ApiVersionsResponse r = (ApiVersionsResponse) AbstractResponse.parseResponse(ApiKeys.API_VERSIONS,
                new ByteBufferAccessor(bytes), (short) 0);
        assertThat(r.data().errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        assertThat(r.data().apiKeys().find(ApiKeys.API_VERSIONS.id).maxVersion()).isEqualTo((short) 4);
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void responsesLeaveInRequestOrderWhateverOrderHandlersFinishIn() {
        EmbeddedChannel channel = channel();
        for (int id = 1; id <= 3; id++) {
            channel.writeInbound(frame(ApiKeys.LIST_GROUPS, (short) 4, id, new ListGroupsRequestData()));
        }
        assertThat(held.pending).hasSize(3);
        held.pending.get(2).complete(new ListGroupsResponse(new ListGroupsResponseData()));
        held.pending.get(1).complete(new ListGroupsResponse(new ListGroupsResponseData()));
        channel.runPendingTasks();
        assertThat(response(channel).remaining()).isZero(); // the first is still running
        held.pending.get(0).complete(new ListGroupsResponse(new ListGroupsResponseData()));
        channel.runPendingTasks();
        ByteBuffer bytes = response(channel);
        List<Integer> order = new ArrayList<>();
        while (bytes.hasRemaining()) {
            int size = bytes.getInt();
            ByteBuffer one = bytes.slice(bytes.position(), size);
            bytes.position(bytes.position() + size);
            order.add(ResponseHeader.parse(one, ApiKeys.LIST_GROUPS.responseHeaderVersion((short) 4)).correlationId());
        }
        assertThat(order).containsExactly(1, 2, 3);
    }

    @Test
    void unknownApiKeyClosesTheConnection() {
        EmbeddedChannel channel = channel();
        ByteBuf bad = Unpooled.buffer();
        bad.writeInt(10).writeShort(9999).writeShort(0).writeInt(1).writeShort(-1);
        channel.writeInbound(bad);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void versionWeDoNotSpeakClosesTheConnection() {
        EmbeddedChannel channel = channel();
        // LIST_GROUPS is registered up to v5 by default; the fetch API is not registered at all.
        ByteBuf fetch = Unpooled.buffer();
        fetch.writeInt(10).writeShort(ApiKeys.FETCH.id).writeShort(12).writeInt(1).writeShort(-1);
        channel.writeInbound(fetch);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void garbageClosesTheConnection() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(Unpooled.buffer().writeInt(6).writeBytes(new byte[] {0, 18, 0, 3, 0, 0}));
        assertThat(channel.isOpen()).isFalse();
    }
}
