package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.vertx.core.Vertx;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import io.warden.gateway.config.ConfigLoader;
import io.warden.gateway.config.HostPort;
import io.warden.gateway.config.LimitsConfig;
import io.warden.gateway.config.ListenerConfig;
import io.warden.gateway.config.PortRange;
import io.warden.gateway.config.TlsConfig;
import io.warden.gateway.config.UpstreamTlsConfig;
import io.warden.gateway.config.UpstreamConfig;
import io.warden.gateway.config.WardenConfig;
import io.warden.gateway.proxy.EventLoops;
import io.warden.gateway.proxy.GatewayServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A real gateway in this JVM in front of the given brokers, on free loopback ports. Either started directly
 * ({@link #start}, closed by the test), or registered as a class-level extension in front of the cluster the
 * Kafka cluster extension injects ({@link #inFrontOf}).
 */
public final class GatewayFixture implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    public static final int BROKER_PORTS = 10;
    /**
     * The smallest YAML configuration {@link #fromYaml} starts: one plaintext listener in front of the cluster. It ends
     * inside {@code upstream}, so a test may add upstream settings (indented) or further top-level sections.
     */
    public static final String PLAIN_YAML = """
            listeners:
              - name: plain
                bootstrapPort: ${BOOTSTRAP_PORT}
                brokerPorts: ${BROKER_PORTS}
            upstream:
              bootstrapServers: ["${UPSTREAM}"]
            """;
    /** The event loops (listener verticle instances) every fixture gateway runs on. */
    public static final int EVENT_LOOPS = 2;

    private Supplier<String> upstream;
    private Vertx vertx;
    private GatewayServer server;
    private ListenerConfig listener;
    private Admin admin;

    private GatewayFixture(Vertx vertx, GatewayServer server, ListenerConfig listener) {
        this.vertx = vertx;
        this.server = server;
        this.listener = listener;
    }

    /** For {@code @RegisterExtension static}: starts before the class's tests, once the cluster is injected. */
    public static GatewayFixture inFrontOf(Supplier<KafkaCluster> cluster) {
        GatewayFixture fixture = new GatewayFixture(null, null, null);
        fixture.upstream = () -> cluster.get().getBootstrapServers();
        return fixture;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        GatewayFixture started = start(upstream.get());
        vertx = started.vertx;
        server = started.server;
        listener = started.listener;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** An AdminClient through the gateway, closed with it. */
    public synchronized Admin admin() {
        if (admin == null) {
            admin = Clients.admin(bootstrap());
        }
        return admin;
    }

    public static GatewayFixture start(String upstreamBootstrap) {
        return start(upstreamBootstrap, LimitsConfig.DEFAULT_MAX_FRAME_BYTES);
    }

    public static GatewayFixture start(String upstreamBootstrap, int maxFrameBytes) {
        return start(upstreamBootstrap, maxFrameBytes, null, null);
    }

    /** A gateway whose listener terminates TLS with these settings. */
    public static GatewayFixture startTls(String upstreamBootstrap, TlsConfig tls) {
        return start(upstreamBootstrap, LimitsConfig.DEFAULT_MAX_FRAME_BYTES, tls, null);
    }

    /** A plaintext listener in front of brokers reached over TLS. */
    public static GatewayFixture startWithUpstreamTls(String upstreamBootstrap, UpstreamTlsConfig upstreamTls) {
        return start(upstreamBootstrap, LimitsConfig.DEFAULT_MAX_FRAME_BYTES, null, upstreamTls);
    }

    /**
     * A gateway configured the way an operator does it, from YAML. In the text, {@code ${BOOTSTRAP_PORT}},
     * {@code ${BROKER_PORTS}} and {@code ${UPSTREAM}} are replaced by free ports and the upstream bootstrap list;
     * relative paths resolve against {@code baseDir}. The first listener is the one {@link #bootstrap()} names.
     */
    public static GatewayFixture fromYaml(String yaml, Path baseDir, String upstreamBootstrap) {
        return start(yamlConfig(yaml, baseDir, upstreamBootstrap));
    }

    /**
     * The configuration {@link #fromYaml} would start, for tests that adjust it first. A second listener may use
     * {@code ${BOOTSTRAP_PORT_2}} and {@code ${BROKER_PORTS_2}}.
     */
    public static WardenConfig yamlConfig(String yaml, Path baseDir, String upstreamBootstrap) {
        return ConfigLoader.parse("test.yaml", yamlText(yaml, upstreamBootstrap), baseDir);
    }

    /** The YAML text {@link #yamlConfig} reads: with free ports and the upstream bootstrap list in place. */
    public static String yamlText(String yaml, String upstreamBootstrap) {
        int base = freeRange(2 * (BROKER_PORTS + 1));
        int second = base + BROKER_PORTS + 1;
        return yaml.replace("${BOOTSTRAP_PORT_2}", String.valueOf(second))
                .replace("${BROKER_PORTS_2}", (second + 1) + "-" + (second + BROKER_PORTS))
                .replace("${BOOTSTRAP_PORT}", String.valueOf(base))
                .replace("${BROKER_PORTS}", (base + 1) + "-" + (base + BROKER_PORTS))
                .replace("${UPSTREAM}", upstreamBootstrap);
    }

    /** A gateway with exactly this configuration, on the network transport it names (epoll here, as deployed). */
    public static GatewayFixture start(WardenConfig config) {
        Vertx vertx = EventLoops.create(config.transport());
        try {
            GatewayServer server = GatewayServer.start(vertx, config, EVENT_LOOPS).await(30, TimeUnit.SECONDS);
            return new GatewayFixture(vertx, server, config.listeners().get(0));
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("gateway failed to start", e);
        }
    }

    private static GatewayFixture start(String upstreamBootstrap, int maxFrameBytes, TlsConfig tls, UpstreamTlsConfig upstreamTls) {
        List<HostPort> upstream = Arrays.stream(upstreamBootstrap.split(",")).map(HostPort::parse).toList();
        int base = freeRange(BROKER_PORTS + 1);
        ListenerConfig listener = new ListenerConfig("test", "127.0.0.1", "127.0.0.1", base,
                new PortRange(base + 1, base + BROKER_PORTS), 0, tls);
        return start(new WardenConfig(List.of(listener),
                new UpstreamConfig(upstream, Duration.ofSeconds(5), Duration.ofSeconds(10), upstreamTls),
                new LimitsConfig(maxFrameBytes)));
    }

    public String bootstrap() {
        return "127.0.0.1:" + listener.bootstrapPort();
    }

    public int bootstrapPort() {
        return listener.bootstrapPort();
    }

    /** The bootstrap address of the named listener. */
    public String bootstrap(String listenerName) {
        return "127.0.0.1:" + listener(listenerName).bootstrapPort();
    }

    private ListenerConfig listener(String name) {
        return server.config().listeners().stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
    }

    public ListenerConfig listener() {
        return listener;
    }

    public GatewayServer server() {
        return server;
    }

    /** True when this address is one of the gateway's own (bootstrap or broker ports) on its first listener. */
    public boolean isGatewayAddress(String host, int port) {
        return isAddressOf(listener, host, port);
    }

    /** As above, for an address written {@code host:port}, as the clients run as processes print them. */
    public boolean isGatewayAddress(String hostPort) {
        return isAddressOf(listener, hostPort);
    }

    /** True when this address, written {@code host:port}, is one of the named listener's (bootstrap or broker ports). */
    public boolean isGatewayAddress(String listenerName, String hostPort) {
        return isAddressOf(listener(listenerName), hostPort);
    }

    private static boolean isAddressOf(ListenerConfig listener, String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return colon > 0 && isAddressOf(listener, hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    private static boolean isAddressOf(ListenerConfig listener, String host, int port) {
        return host.equals(listener.advertisedHost())
                && (port == listener.bootstrapPort() || listener.brokerPorts().contains(port));
    }

    public Map<String, Object> clientConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", bootstrap());
        return config;
    }

    @Override
    public void close() {
        try {
            synchronized (this) {
                if (admin != null) {
                    admin.close();
                    admin = null;
                }
            }
            server.stop().await(20, TimeUnit.SECONDS);
            vertx.close().await(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("gateway did not stop cleanly", e);
        }
    }

    /** The first port of {@code count} consecutive free loopback ports, below the ephemeral range. */
    static int freeRange(int count) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20_000, 32_000 - count);
            boolean free = true;
            for (int p = base; p < base + count && free; p++) {
                free = isFree(p);
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("no free port range of " + count);
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
