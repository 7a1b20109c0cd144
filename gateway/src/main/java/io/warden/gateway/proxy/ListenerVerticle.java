package io.warden.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.warden.gateway.config.HostPort;
import io.warden.gateway.config.ListenerConfig;
import io.warden.gateway.config.TlsConfig;
import io.warden.gateway.config.UpstreamTlsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One event loop's share of a listener: the bootstrap server, the broker-port servers bound so far, and the
 * client used to reach the brokers. Several instances share the same ports (Vert.x spreads connections among
 * them); each binds a broker port on its own loop the first time one of its connections announces that broker.
 * All state is confined to this verticle's event loop.
 */
final class ListenerVerticle extends VerticleBase {

    private static final Logger LOG = LoggerFactory.getLogger(ListenerVerticle.class);
    private static final AtomicInteger BOOTSTRAP_ROTATION = new AtomicInteger();

    private final ListenerConfig config;
    private final GatewayContext gateway;
    private final Map<Integer, Future<Integer>> brokerPorts = new HashMap<>();
    private final List<NetServer> servers = new ArrayList<>();
    private NetClient upstreamClient;
    private ResponseRewriter rewriter;

    ListenerVerticle(ListenerConfig config, GatewayContext gateway) {
        this.config = config;
        this.gateway = gateway;
    }

    @Override
    public Future<?> start() {
        NetClientOptions clientOptions = new NetClientOptions()
                .setTcpNoDelay(true)
                .setConnectTimeout((int) gateway.config().upstream().connectTimeout().toMillis());
        UpstreamTlsConfig upstreamTls = gateway.config().upstream().tls();
        if (upstreamTls != null) {
            clientOptions.setSsl(true)
                    .setTrustOptions(new PemTrustOptions().addCertPath(upstreamTls.trustedCertificates().toString()))
                    .setHostnameVerificationAlgorithm(upstreamTls.hostnameVerification() ? "HTTPS" : "");
            if (upstreamTls.certificate() != null) {
                clientOptions.setKeyCertOptions(new PemKeyCertOptions()
                        .setCertPath(upstreamTls.certificate().toString()).setKeyPath(upstreamTls.key().toString()));
            }
        }
        upstreamClient = vertx.createNetClient(clientOptions);
        rewriter = new ResponseRewriter(this, gateway.nodes(), gateway.topicNames());
        NetServer bootstrap = newServer(OptionalInt.empty());
        return bootstrap.listen(config.bootstrapPort(), config.bindHost())
                .onSuccess(s -> bindKnownBrokers(gateway.nodes().snapshot().keySet()));
    }

    @Override
    public Future<?> stop() {
        List<Future<Void>> closing = new ArrayList<>();
        servers.forEach(s -> closing.add(s.close()));
        closing.add(upstreamClient.close());
        return Future.join(closing);
    }

    ListenerConfig listenerConfig() {
        return config;
    }

    GatewayContext gateway() {
        return gateway;
    }

    io.vertx.core.Vertx vertx() {
        return vertx;
    }

    io.vertx.core.Context context() {
        return context;
    }

    ResponseRewriter rewriter() {
        return rewriter;
    }

    /** Binds the broker ports of these nodes on this loop, where not bound already. Best effort. */
    void bindKnownBrokers(Collection<Integer> nodeIds) {
        context.runOnContext(v -> nodeIds.forEach(id -> ensureBrokerPort(id)
                .onFailure(e -> LOG.warn("event=broker_port_unavailable listener={} node={} reason=\"{}\"",
                        config.name(), id, e.getMessage()))));
    }

    /** Completes once every one of these nodes has its gateway port bound on this loop. */
    Future<Void> ensureBrokerPorts(Collection<Integer> nodeIds) {
        if (nodeIds.size() == 1) {
            return ensureBrokerPort(nodeIds.iterator().next()).mapEmpty();
        }
        List<Future<Integer>> all = new ArrayList<>(nodeIds.size());
        nodeIds.forEach(id -> all.add(ensureBrokerPort(id)));
        return Future.all(all).mapEmpty();
    }

    private Future<Integer> ensureBrokerPort(int nodeId) {
        Future<Integer> known = brokerPorts.get(nodeId);
        if (known != null && !known.failed()) {
            return known;
        }
        OptionalInt port = config.portForNode(nodeId);
        if (port.isEmpty()) {
            return Future.failedFuture("broker node " + nodeId + " has no gateway port: listener '" + config.name()
                    + "' maps node ids " + config.firstNodeId() + ".." + (config.firstNodeId() + config.brokerPorts().size() - 1)
                    + " to ports " + config.brokerPorts() + "; widen brokerPorts or change firstNodeId");
        }
        Future<Integer> bound = newServer(OptionalInt.of(nodeId)).listen(port.getAsInt(), config.bindHost())
                .map(s -> {
                    LOG.debug("event=broker_port_bound listener={} node={} port={}", config.name(), nodeId, s.actualPort());
                    return s.actualPort();
                });
        brokerPorts.put(nodeId, bound);
        return bound;
    }

    private NetServer newServer(OptionalInt nodeId) {
        NetServerOptions options = new NetServerOptions().setTcpNoDelay(true).setReuseAddress(true);
        long idleSeconds = gateway.config().limits().idleTimeout().toSeconds();
        if (idleSeconds > 0) {
            options.setIdleTimeout((int) idleSeconds).setIdleTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS);
        }
        if (config.tls() != null) {
            applyTls(options, config.tls());
        }
        NetServer server = vertx.createNetServer(options);
        server.connectHandler(socket -> new ClientConnection(this, socket, nodeId).start());
        // Failed TLS handshakes never become connections; this is the one place they are seen.
        server.exceptionHandler(e -> LOG.info("event=connection_refused listener={} reason=\"{}\"",
                config.name(), e.getMessage()));
        servers.add(server);
        return server;
    }

    private static void applyTls(NetServerOptions options, TlsConfig tls) {
        ServerSSLOptions ssl = tls.serverSslOptions();
        options.setSslEngineOptions(tls.usesOpenSsl() ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions());
        options.setSsl(true)
                .setEnabledSecureTransportProtocols(ssl.getEnabledSecureTransportProtocols())
                .setKeyCertOptions(ssl.getKeyCertOptions())
                .setClientAuth(ssl.getClientAuth());
        if (ssl.getTrustOptions() != null) {
            options.setTrustOptions(ssl.getTrustOptions());
        }
    }

    /** Re-reads the TLS files for new connections on every server of this loop; open connections continue. */
    void reloadTls(TlsConfig tls) {
        context.runOnContext(v -> servers.forEach(s -> s.updateSSLOptions(tls.serverSslOptions(), true)
                .onFailure(e -> LOG.warn("event=tls_reload_failed listener={} reason=\"{}\"", config.name(), e.getMessage()))));
    }

    /** Connects to a bootstrap broker, trying each configured one in turn, starting from a rotating position. */
    Future<NetSocket> connectBootstrap() {
        List<HostPort> candidates = gateway.config().upstream().bootstrapServers();
        int start = Math.floorMod(BOOTSTRAP_ROTATION.getAndIncrement(), candidates.size());
        return connectAny(candidates, start, 0, null);
    }

    private Future<NetSocket> connectAny(List<HostPort> candidates, int start, int attempt, Throwable last) {
        if (attempt == candidates.size()) {
            return Future.failedFuture(new IllegalStateException("no bootstrap broker reachable; last error: "
                    + (last == null ? "none" : last.getMessage()), last));
        }
        HostPort target = candidates.get((start + attempt) % candidates.size());
        return connect(target).recover(err -> connectAny(candidates, start, attempt + 1, err));
    }

    Future<NetSocket> connect(HostPort target) {
        return upstreamClient.connect(target.port(), target.host());
    }
}
