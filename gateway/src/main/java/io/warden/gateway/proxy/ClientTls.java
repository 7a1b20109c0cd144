package io.warden.gateway.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.internal.net.SslChannelProvider;
import io.vertx.core.internal.net.SslHandshakeCompletionHandler;
import io.vertx.core.internal.tls.SslContextManager;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.SocketAddress;
import io.warden.gateway.config.TlsConfig;

/**
 * TLS on a listener's client connections, started by the gateway on a connection it has already admitted.
 *
 * <p>A Vert.x TLS server hands a connection over only once its handshake is done, so connections still in their
 * handshake would escape the connection limits: a client could hold any number of sockets without ever sending a
 * ClientHello, each until the handshake timeout. Kafka counts a connection when it accepts it. So the listener's
 * servers accept plain TCP, the connection is admitted (or refused) at once, and only then does its TLS handshake
 * start: the TLS handler goes in front of the connection's pipeline before anything has been read from it, so the
 * ClientHello is the first thing it sees. The handler is the one Vert.x's own TLS servers use, built from the same
 * options, so the handshake, the handshake timeout, client certificates and the engine are as before.
 */
final class ClientTls {

    /** What new handshakes use: the TLS context and the options it was built from, swapped together on reload. */
    private record Current(SslChannelProvider provider, ServerSSLOptions options) {
    }

    private final VertxInternal vertx;
    private final SslContextManager contexts;
    private volatile Current current;

    private ClientTls(Vertx vertx, TlsConfig tls) {
        this.vertx = (VertxInternal) vertx;
        this.contexts = new SslContextManager(SslContextManager.resolveEngineOptions(tls.engineOptions(), false));
    }

    /** The TLS of a listener with these settings; fails, naming the reason, when its files do not make a TLS context. */
    static Future<ClientTls> create(Vertx vertx, TlsConfig tls) {
        ClientTls clientTls = new ClientTls(vertx, tls);
        return clientTls.reload(tls).map(clientTls);
    }

    /** Re-reads the files for the handshakes started from now on; the ones under way keep what they started with. */
    Future<Void> reload(TlsConfig tls) {
        ServerSSLOptions next = tls.serverSslOptions();
        return contexts.resolveSslContextProvider(next, null, next.getClientAuth(), next.getApplicationLayerProtocols(),
                        true, vertx.getOrCreateContext())
                .map(built -> {
                    current = new Current(new SslChannelProvider(vertx, built, false), next);
                    return null;
                });
    }

    /**
     * Starts the TLS handshake of a connection just accepted, on its event loop, before anything has been read from
     * it; what the client sends after the handshake waits in the socket, which the caller pauses first, until it is
     * resumed. Completes when the handshake does, and fails when it fails, times out or the client goes away.
     */
    Future<Void> handshake(NetSocket socket) {
        Current tls = current;
        ServerSSLOptions settings = tls.options();
        ChannelHandlerContext channel = ((NetSocketInternal) socket).channelHandlerContext();
        PromiseInternal<Void> done = ((ContextInternal) vertx.getOrCreateContext()).promise();
        io.netty.util.concurrent.Promise<Void> handshaken = channel.executor().newPromise();
        handshaken.addListener(done);
        SocketAddress remote = socket.remoteAddress();
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addFirst("handshaker", new SslHandshakeCompletionHandler(handshaken));
        pipeline.addFirst("ssl", tls.provider().createServerHandler(false, settings.getSslHandshakeTimeout(),
                settings.getSslHandshakeTimeoutUnit(), remote == null ? null : HostAndPort.create(remote.hostAddress(), remote.port())));
        IdleDuringHandshake idle = watchIdle(pipeline);
        if (idle == null) {
            return done.future();
        }
        handshaken.addListener(f -> {
            if (pipeline.context(idle) != null) {
                pipeline.remove(idle); // on the channel's event loop, as the handshake completes
            }
        });
        return done.future().recover(failure -> Future.failedFuture(idle.seen ? idle.failure() : failure));
    }

    /**
     * Notes the listener's idle timeout firing before the handshake is done: the connection is then closed by the
     * gateway, not by the client, and its handshake fails as if the client had gone. Null without an idle timeout.
     */
    private static IdleDuringHandshake watchIdle(ChannelPipeline pipeline) {
        ChannelHandlerContext idleTimer = pipeline.context(IdleStateHandler.class);
        if (idleTimer == null) {
            return null;
        }
        IdleDuringHandshake watch = new IdleDuringHandshake(((IdleStateHandler) idleTimer.handler()).getAllIdleTimeInMillis());
        pipeline.addAfter(idleTimer.name(), "tls-idle", watch);
        return watch;
    }

    /** Sees the idle timeout's event go by while the handshake is under way. */
    private static final class IdleDuringHandshake extends ChannelInboundHandlerAdapter {
        private final long idleMillis;
        private volatile boolean seen;

        IdleDuringHandshake(long idleMillis) {
            this.idleMillis = idleMillis;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof IdleStateEvent) {
                seen = true;
            }
            super.userEventTriggered(ctx, event);
        }

        Throwable failure() {
            return new IdleHandshakeException("nothing received for " + idleMillis / 1000
                    + " s during the TLS handshake (limits.idleTimeoutSeconds): closed by the gateway");
        }
    }

    /** A handshake ended by the listener's idle timeout; its message says so. */
    static final class IdleHandshakeException extends RuntimeException {
        IdleHandshakeException(String message) {
            super(message, null, false, false);
        }
    }
}
