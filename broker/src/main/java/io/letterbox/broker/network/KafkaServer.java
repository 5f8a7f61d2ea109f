package io.letterbox.broker.network;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.apache.kafka.common.network.ListenerName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.letterbox.broker.config.Endpoint;
import io.letterbox.broker.config.ListenerSecurity;
import io.letterbox.broker.handler.HandlerRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The listeners: one server socket per configured endpoint, served by a shared group of
 * network threads (epoll when the platform has it, NIO otherwise). An SSL or SASL_SSL listener's
 * connections start with a TLS handler; a plaintext listener's pipeline is the frames and the
 * requests only. SASL listeners authenticate in the requests' handler.
 */
public final class KafkaServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaServer.class);

    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final List<Channel> serverChannels = new ArrayList<>();
    private final List<Channel> clients = new java.util.concurrent.CopyOnWriteArrayList<>();

    private KafkaServer(int threads) {
        boolean epoll = Epoll.isAvailable();
        var factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("letterbox-accept", true), factory);
        workerGroup = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("letterbox-network", true), factory);
    }

    /**
     * Binds every endpoint and starts serving.
     *
     * @throws java.io.UncheckedIOException when a port cannot be bound
     */
    public static KafkaServer start(List<Endpoint> endpoints, Function<String, ListenerSecurity> security,
            HandlerRegistry registry, int maxFrameBytes, int threads, int sendBufferBytes, int receiveBufferBytes) {
        KafkaServer server = new KafkaServer(threads);
        try {
            for (Endpoint endpoint : endpoints) {
                server.bind(endpoint, security.apply(endpoint.listenerName()), registry, maxFrameBytes,
                        sendBufferBytes, receiveBufferBytes);
            }
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void bind(Endpoint endpoint, ListenerSecurity security, HandlerRegistry registry, int maxFrameBytes,
            int sendBufferBytes, int receiveBufferBytes) {
        ListenerName listenerName = new ListenerName(endpoint.listenerName());
        SslContext tlsContext = security.tls() == null ? null : security.tls().serverContext();
        Class<? extends ServerSocketChannel> channelType = Epoll.isAvailable()
                ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (sendBufferBytes > 0) {
                            ch.config().setSendBufferSize(sendBufferBytes);
                        }
                        if (receiveBufferBytes > 0) {
                            ch.config().setReceiveBufferSize(receiveBufferBytes);
                        }
                        clients.add(ch);
                        ch.closeFuture().addListener(f -> clients.remove(ch));
                        if (tlsContext != null) {
                            ch.pipeline().addLast("tls", tlsContext.newHandler(ch.alloc()));
                            ch.pipeline().addLast("file-chunks", new ChunkedWriteHandler());
                        }
                        ch.pipeline().addLast("frames", new FrameDecoder(maxFrameBytes));
                        ch.pipeline().addLast("requests", new ConnectionHandler(registry, listenerName, security));
                    }
                });
        InetSocketAddress address = endpoint.host().isEmpty()
                ? new InetSocketAddress(endpoint.port()) : new InetSocketAddress(endpoint.host(), endpoint.port());
        try {
            Channel channel = bootstrap.bind(address).sync().channel();
            serverChannels.add(channel);
        } catch (Exception e) {
            throw new java.io.UncheckedIOException(new java.io.IOException(
                    "Cannot listen on " + endpoint + ": " + e.getMessage()
                            + " (is another broker using this port? set listeners=...)", e));
        } 
    }

    /** The address the first listener bound (its port is real even if 0 was configured). */
    public InetSocketAddress boundAddress(int index) {
        return (InetSocketAddress) serverChannels.get(index).localAddress();
    }

    /** Stops accepting new connections; connections already open keep being served. */
    public void stopAccepting() {
        for (Channel ch : serverChannels) {
            ch.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
    }

    /** Closes every connection and stops the network threads. */
    @Override
    public void close() {
        stopAccepting();
        for (Channel ch : clients) {
            ch.close();
        }
        bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        log.debug("network stopped");
    }
}
