package io.warden.dev;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SSLEngineOptions;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Not the gateway: a minimal Vert.x TLS terminator in this JVM that forwards every connection, byte for byte, to the
 * broker's plaintext port, with the gateway listener's TLS settings (PEM key and chain, TLSv1.3 and TLSv1.2, no
 * client certificates, one server per core) and a chosen TLS engine. The gateway itself always uses the JDK engine
 * (it has no setting for it), so this is how {@code warden bench tls --engines} compares the JDK engine with
 * OpenSSL (BoringSSL from netty-tcnative): what each costs per handshake, with nothing else in the way.
 */
final class TlsEngineProbe implements AutoCloseable {

    enum Engine { JDK, OPENSSL }

    private final Vertx vertx;
    private final Set<Long> eventLoopThreads = ConcurrentHashMap.newKeySet();
    private final int port;

    private TlsEngineProbe(Vertx vertx, int port) {
        this.vertx = vertx;
        this.port = port;
    }

    static boolean openSslAvailable() {
        return OpenSSLEngineOptions.isAvailable();
    }

    static TlsEngineProbe start(Engine engine, Path chain, Path key, int brokerPort) throws Exception {
        int port = EmbeddedKafkaBroker.freePort();
        Vertx vertx = Vertx.vertx();
        TlsEngineProbe probe = new TlsEngineProbe(vertx, port);
        SSLEngineOptions engineOptions = engine == Engine.OPENSSL ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions();
        try {
            vertx.deployVerticle(() -> new Forwarder(probe, engineOptions, chain, key, brokerPort),
                            new DeploymentOptions().setInstances(Runtime.getRuntime().availableProcessors()))
                    .await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw e;
        }
        return probe;
    }

    int port() {
        return port;
    }

    /** CPU time of the probe's event loops so far, in ns (JIT compilation and GC are not counted). */
    long eventLoopCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (long id : eventLoopThreads) {
            long t = threads.getThreadCpuTime(id);
            if (t > 0) {
                total += t;
            }
        }
        return total;
    }

    @Override
    public void close() throws Exception {
        vertx.close().await(30, TimeUnit.SECONDS);
    }

    private static final class Forwarder extends VerticleBase {
        private final TlsEngineProbe probe;
        private final SSLEngineOptions engine;
        private final Path chain;
        private final Path key;
        private final int brokerPort;

        Forwarder(TlsEngineProbe probe, SSLEngineOptions engine, Path chain, Path key, int brokerPort) {
            this.probe = probe;
            this.engine = engine;
            this.chain = chain;
            this.key = key;
            this.brokerPort = brokerPort;
        }

        @Override
        public Future<?> start() {
            probe.eventLoopThreads.add(Thread.currentThread().getId());
            NetClient upstream = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
            NetServerOptions options = new NetServerOptions().setTcpNoDelay(true).setReuseAddress(true)
                    .setSsl(true)
                    .setSslEngineOptions(engine)
                    .setEnabledSecureTransportProtocols(new LinkedHashSet<>(List.of("TLSv1.3", "TLSv1.2")))
                    .setKeyCertOptions(new PemKeyCertOptions().setCertPath(chain.toString()).setKeyPath(key.toString()))
                    .setClientAuth(ClientAuth.NONE);
            return vertx.createNetServer(options)
                    .connectHandler(client -> {
                        client.pause();
                        upstream.connect(brokerPort, "127.0.0.1").onComplete(ar -> {
                            if (ar.failed()) {
                                client.close();
                                return;
                            }
                            client.pipeTo(ar.result());
                            ar.result().pipeTo(client);
                        });
                    })
                    .listen(probe.port, "127.0.0.1");
        }
    }
}
