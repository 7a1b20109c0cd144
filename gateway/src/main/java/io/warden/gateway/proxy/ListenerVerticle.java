package io.warden.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.warden.gateway.config.HostPort;
import io.warden.gateway.config.ListenerConfig;
import io.warden.gateway.config.TlsConfig;
import io.warden.gateway.config.UpstreamTlsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
    /** How long after the drain deadline Vert.x itself closes what the gateway has not (it never should). */
    private static final long FORCED_CLOSE_MARGIN_MS = 5_000;

    private final ListenerConfig config;
    private final GatewayContext gateway;
    private final Map<Integer, Future<Integer>> brokerPorts = new HashMap<>();
    private final List<NetServer> servers = new CopyOnWriteArrayList<>();
    private final Set<ClientConnection> connections = new HashSet<>();
    private NetClient upstreamClient;
    /** Started on each connection once admitted (the servers accept plain TCP); null on a plaintext listener. */
    private ClientTls clientTls;
    private ResponseRewriter rewriter;
    private volatile int boundPort = -1;
    private boolean draining;
    /** Shutdown: completed once every connection of this loop has closed. */
    private Promise<Void> allClosed;
    private int abandoned;

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
        Future<ClientTls> tlsReady = config.tls() == null ? Future.succeededFuture() : ClientTls.create(vertx, config.tls());
        return tlsReady.compose(tls -> {
            clientTls = tls;
            return newServer(OptionalInt.empty()).listen(config.bootstrapPort(), config.bindHost());
        }).onSuccess(s -> {
            boundPort = s.actualPort();
            bindKnownBrokers(gateway.nodes().snapshot().keySet());
        });
    }

    /** The TLS of this listener's client connections, or null on a plaintext listener. */
    ClientTls clientTls() {
        return clientTls;
    }

    /** The bootstrap port as bound, once started. */
    int boundPort() {
        return boundPort;
    }

    /**
     * Shutdown, on this loop: stops accepting (the ports are unbound once every loop of the listener has done so),
     * lets each connection answer what it has read, and at the deadline closes those still open. Completes once all
     * connections of this loop are closed, with the number of requests abandoned at the deadline.
     */
    Future<Integer> drain(Duration timeout) {
        Promise<Integer> done = Promise.promise();
        context.runOnContext(v -> {
            draining = true;
            allClosed = Promise.promise();
            servers.forEach(s -> s.shutdown(timeout.toMillis() + FORCED_CLOSE_MARGIN_MS, TimeUnit.MILLISECONDS));
            List.copyOf(connections).forEach(ClientConnection::drain);
            long deadline = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> List.copyOf(connections).forEach(c -> {
                abandoned += c.requestsInFlight();
                c.abandon();
            }));
            allClosedIfNoneOpen();
            allClosed.future().onComplete(ar -> {
                vertx.cancelTimer(deadline);
                done.complete(abandoned);
            });
        });
        return done.future();
    }

    boolean draining() {
        return draining;
    }

    void track(ClientConnection connection) {
        connections.add(connection);
    }

    void untrack(ClientConnection connection) {
        connections.remove(connection);
        allClosedIfNoneOpen();
    }

    private void allClosedIfNoneOpen() {
        if (allClosed != null && connections.isEmpty()) {
            allClosed.tryComplete();
        }
    }

    @Override
    public Future<?> stop() {
        List<Future<Void>> closing = new ArrayList<>();
        servers.forEach(s -> closing.add(s.close()));
        closing.add(upstreamClient.close());
        return Future.join(closing);
    }

    /** The servers this loop holds for the listener: its bootstrap server and a broker-port server per bound port. */
    int serverCount() {
        return servers.size();
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
        if (draining && port.isPresent()) {
            return Future.succeededFuture(port.getAsInt()); // nothing new is bound, but the responses go out
        }
        if (port.isEmpty()) {
            return Future.failedFuture("broker node " + nodeId + " has no gateway port: listener '" + config.name()
                    + "' maps node ids " + config.firstNodeId() + ".." + (config.firstNodeId() + config.brokerPorts().size() - 1)
                    + " to ports " + config.brokerPorts() + "; widen brokerPorts or change firstNodeId");
        }
        NetServer server = newServer(OptionalInt.of(nodeId));
        Future<Integer> bound = server.listen(port.getAsInt(), config.bindHost())
                .map(s -> {
                    LOG.debug("event=broker_port_bound listener={} node={} port={}", config.name(), nodeId, s.actualPort());
                    return s.actualPort();
                });
        // A server that could not bind is dropped: the next response announcing the broker tries again with a new one.
        bound.onFailure(e -> {
            servers.remove(server);
            server.close();
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
        NetServer server = vertx.createNetServer(options);
        server.connectHandler(socket -> new ClientConnection(this, socket, nodeId).start());
        server.exceptionHandler(e -> LOG.info("event=connection_refused listener={} reason=\"{}\"",
                config.name(), e.getMessage()));
        servers.add(server);
        return server;
    }

    /**
     * Re-reads the TLS files for the handshakes of this loop's new connections; open connections continue. Fails,
     * keeping the files in use, when they do not make a TLS context.
     */
    Future<Void> reloadTls(TlsConfig tls) {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> clientTls.reload(tls).onComplete(done));
        return done.future();
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
