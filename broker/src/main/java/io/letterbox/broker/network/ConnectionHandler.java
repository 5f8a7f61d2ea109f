package io.letterbox.broker.network;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import javax.net.ssl.SSLException;

import org.apache.kafka.common.network.ClientInformation;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestAndSize;
import org.apache.kafka.common.requests.RequestContext;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.letterbox.broker.config.ListenerSecurity;
import io.letterbox.broker.handler.ApiHandler;
import io.letterbox.broker.handler.ApiVersionsHandler;
import io.letterbox.broker.handler.HandlerRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;

/**
 * One client connection: parses each frame into a request, hands it to its API handler, and
 * writes the responses back in request order, whatever order the handlers finish in.
 *
 * <p>A frame that cannot be parsed (garbage, an unknown API key, a version we do not speak,
 * trailing bytes) closes this connection with one log line; other connections are untouched.
 * All state is confined to the channel's event loop.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ConnectionHandler.class);

    /** Requests in progress before the connection stops reading (clients pipeline about 5). */
    private static final int MAX_IN_FLIGHT = 64;

    private final HandlerRegistry registry;
    private final ListenerName listenerName;
    private final SecurityProtocol protocol;
    /** On a SASL listener, the authentication every connection completes first; else null. */
    private final SaslPlainAuthenticator authenticator;
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private String connectionId;
    private InetSocketAddress remote;
    private NettySendChannel sendChannel;

    ConnectionHandler(HandlerRegistry registry, ListenerName listenerName, ListenerSecurity security) {
        this.registry = registry;
        this.listenerName = listenerName;
        this.protocol = security.protocol();
        this.authenticator = security.sasl() ? new SaslPlainAuthenticator(security.plainUsers()) : null;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        remote = ctx.channel().remoteAddress() instanceof InetSocketAddress inet ? inet
                : new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0);
        connectionId = ctx.channel().localAddress() + "-" + remote + "-" + ctx.channel().id().asShortText();
        sendChannel = new NettySendChannel(ctx, protocol == SecurityProtocol.PLAINTEXT
                || protocol == SecurityProtocol.SASL_PLAINTEXT);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            dispatch(ctx, frame.nioBuffer());
        } finally {
            frame.release();
        }
    }

    private void dispatch(ChannelHandlerContext ctx, ByteBuffer buffer) {
        RequestHeader header;
        int start = buffer.position();
        try {
            header = RequestHeader.parse(buffer);
        } catch (RuntimeException e) {
            buffer.position(start);
            if (isApiVersions(buffer)) {
                // A client newer than the codec: its header layout is unknown, but the answer is
                // always ApiVersions v0 with UNSUPPORTED_VERSION, keyed by its correlation id.
                answerUnsupportedApiVersions(ctx, new RequestHeader(ApiKeys.API_VERSIONS, (short) 0, null,
                        buffer.getInt(buffer.position() + 4)));
                return;
            }
            closeOnBadInput(ctx, "an unreadable request header (" + e.getMessage() + ")");
            return;
        }
        ApiKeys key = header.apiKey();
        ApiHandler<?> handler = registry.find(key, header.apiVersion());
        if (handler == null && key == ApiKeys.API_VERSIONS) {
            answerUnsupportedApiVersions(ctx, header);
            return;
        }
        if (handler == null) {
            closeOnBadInput(ctx, key + " version " + header.apiVersion() + ", which this broker does not support");
            return;
        }
        RequestContext context = new RequestContext(header, connectionId, remote.getAddress(),
                Optional.of(remote.getPort()), principal(), listenerName, protocol,
                ClientInformation.EMPTY, false);
        AbstractRequest request;
        try {
            RequestAndSize parsed = context.parseRequest(buffer);
            request = parsed.request;
        } catch (RuntimeException e) {
            closeOnBadInput(ctx, "a malformed " + key + " v" + header.apiVersion() + " request (" + e.getMessage() + ")");
            return;
        }
        if (buffer.hasRemaining()) {
            closeOnBadInput(ctx, key + " request with " + buffer.remaining() + " unread bytes after its body");
            return;
        }
        if (authenticator != null && !authenticator.authenticated() && key != ApiKeys.API_VERSIONS) {
            authenticate(ctx, context, header, request);
            return;
        }
        boolean noResponse = request instanceof ProduceRequest produce && produce.acks() == 0;
        InFlight slot = noResponse ? null : new InFlight(context, header.apiVersion());
        if (slot != null) {
            inFlight.add(slot);
            if (inFlight.size() >= MAX_IN_FLIGHT) {
                ctx.channel().config().setAutoRead(false);
            }
        }
        CompletableFuture<AbstractResponse> result;
        try {
            result = invoke(handler, context, request);
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        result.whenComplete((response, error) -> {
            AbstractResponse answer = response;
            if (error != null) {
                log.warn("{} request from {} failed unexpectedly: {}", key, remote, error.toString());
                log.debug("stack trace", error);
                answer = request.getErrorResponse(0, error);
            }
            AbstractResponse done = answer;
            if (ctx.executor().inEventLoop()) {
                complete(ctx, slot, done);
            } else {
                ctx.executor().execute(() -> complete(ctx, slot, done));
            }
        });
    }

    /** A request before the connection authenticated: a step of it, or a reason to close. */
    private void authenticate(ChannelHandlerContext ctx, RequestContext context, RequestHeader header,
            AbstractRequest request) {
        if (!SaslPlainAuthenticator.isStep(request)) {
            closeOnBadInput(ctx, header.apiKey() + " before authenticating");
            return;
        }
        SaslPlainAuthenticator.Step step = authenticator.step(request);
        InFlight slot = new InFlight(context, header.apiVersion());
        inFlight.add(slot);
        complete(ctx, slot, step.response());
        if (step.close()) {
            // As Kafka logs a failed authentication: once, at info
            log.info("Closing connection from {}: {}", remote, authenticator.failure());
            ctx.close();
        }
    }

    private KafkaPrincipal principal() {
        return authenticator == null ? KafkaPrincipal.ANONYMOUS : authenticator.principal();
    }

    /** ApiVersions at a version newer than the codec knows. */
    private static boolean isApiVersions(ByteBuffer buffer) {
        return buffer.remaining() >= 8 && buffer.getShort(buffer.position()) == ApiKeys.API_VERSIONS.id
                && buffer.getShort(buffer.position() + 2) > ApiKeys.API_VERSIONS.latestVersion(true);
    }

    /** ApiVersions newer than ours: answered at v0 with our range, so the client retries with it. */
    private void answerUnsupportedApiVersions(ChannelHandlerContext ctx, RequestHeader header) {
        RequestContext context = new RequestContext(header, connectionId, remote.getAddress(),
                Optional.of(remote.getPort()), principal(), listenerName, protocol,
                ClientInformation.EMPTY, false);
        InFlight slot = new InFlight(context, (short) 0);
        inFlight.add(slot);
        complete(ctx, slot, ApiVersionsHandler.unsupportedVersion(registry));
    }

    @SuppressWarnings("unchecked")
    private static <Q extends AbstractRequest> CompletableFuture<AbstractResponse> invoke(ApiHandler<Q> handler,
            RequestContext context, AbstractRequest request) {
        return handler.handle(context, (Q) request);
    }

    private void complete(ChannelHandlerContext ctx, InFlight slot, AbstractResponse response) {
        if (slot == null) {
            // acks=0: the client reads no response, so an error can only be signalled by closing.
            if (response.errorCounts().keySet().stream().anyMatch(e -> e != Errors.NONE)) {
                log.debug("Closing acks=0 connection {} after a failed produce: {}", remote, response.errorCounts());
                ctx.close();
            }
            return;
        }
        slot.response = response;
        boolean wrote = false;
        while (!inFlight.isEmpty() && inFlight.peekFirst().response != null) {
            InFlight head = inFlight.pollFirst();
            try {
                sendChannel.write(head.response.toSend(head.context.header.toResponseHeader(), head.version));
                wrote = true;
            } catch (Exception e) {
                log.warn("Closing connection {}: could not write a {} response: {}", remote,
                        head.context.header.apiKey(), e.toString());
                ctx.close();
                return;
            }
        }
        if (wrote) {
            ctx.flush();
        }
        if (inFlight.size() < MAX_IN_FLIGHT && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void closeOnBadInput(ChannelHandlerContext ctx, String what) {
        log.warn("Closing connection from {}: it sent {}", remote, what);
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException && cause.getCause() instanceof SSLException tls) {
            // As Kafka logs a failed handshake: once, at info, without the bytes that were not TLS
            log.info("Closing connection from {}: TLS handshake failed: {}", remote,
                    tls instanceof NotSslRecordException ? "it does not speak TLS" : tls.getMessage());
        } else if (cause instanceof java.io.IOException) {
            log.debug("Connection {} failed: {}", remote, cause.toString());
        } else {
            log.warn("Closing connection from {}: {}", remote, cause.toString());
        }
        ctx.close();
    }

    private static final class InFlight {
        final RequestContext context;
        final short version;
        AbstractResponse response;

        InFlight(RequestContext context, short version) {
            this.context = context;
            this.version = version;
        }
    }
}
