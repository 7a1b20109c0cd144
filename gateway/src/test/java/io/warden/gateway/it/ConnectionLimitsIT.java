package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import io.warden.policies.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Connection limits: in total and per client IP (connections beyond them are closed on accept, counted, logged at
 * most once per interval, and every other client is unaffected), and the idle timeout.
 */
@ExtendWith(KafkaClusterExtension.class)
class ConnectionLimitsIT {

    static final String YAML = """
            listeners:
              - name: plain
                bootstrapPort: ${BOOTSTRAP_PORT}
                brokerPorts: ${BROKER_PORTS}
            limits: {maxConnections: 4, maxConnectionsPerIp: 2, idleTimeoutSeconds: 6}
            upstream:
              bootstrapServers: ["${UPSTREAM}"]
            """;

    KafkaCluster cluster;

    /** A TCP client from {@code localAddress} (any of 127.0.0.0/8 on Linux loopback). */
    static Socket connect(GatewayFixture gateway, String localAddress) throws IOException {
        Socket s = new Socket(InetAddress.getByName("127.0.0.1"), gateway.bootstrapPort(), InetAddress.getByName(localAddress), 0);
        s.setSoTimeout(500);
        return s;
    }

    /** True when the gateway closes the connection (end of stream) within {@code waitMillis}, false when it stays open. */
    static boolean closedByGateway(Socket s) throws IOException {
        return closedByGateway(s, 300);
    }

    /** Connects and waits until the gateway has admitted the connection, so the next one is counted after it. */
    static Socket admitted(GatewayFixture gateway, String localAddress) throws Exception {
        long before = gateway.server().stats().openClientConnections();
        Socket s = connect(gateway, localAddress);
        await().atMost(Duration.ofSeconds(10)).until(() -> gateway.server().stats().openClientConnections() > before);
        return s;
    }

    static boolean closedByGateway(Socket s, int waitMillis) throws IOException {
        s.setSoTimeout(waitMillis);
        InputStream in = s.getInputStream();
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Test
    void connectionsBeyondTheLimitsAreClosedAndIdleOnesTimeOut() throws Exception {
        Path dir = Files.createTempDirectory("warden-limits");
        try (GatewayFixture gateway = GatewayFixture.fromYaml(YAML, dir, cluster.getBootstrapServers())) {
            List<Socket> open = new ArrayList<>();
            try {
                open.add(admitted(gateway, "127.0.0.1"));
                open.add(admitted(gateway, "127.0.0.1"));
                Socket third = connect(gateway, "127.0.0.1");
                assertThat(closedByGateway(third, 10_000)).as("a third connection from 127.0.0.1").isTrue();
                third.close();
                open.add(admitted(gateway, "127.0.0.2"));
                open.add(admitted(gateway, "127.0.0.3"));
                Socket fifth = connect(gateway, "127.0.0.4");
                assertThat(closedByGateway(fifth, 10_000)).as("a fifth connection in total").isTrue();
                fifth.close();
                for (Socket s : open) {
                    assertThat(closedByGateway(s)).as("an admitted connection").isFalse();
                }
                assertThat(gateway.server().stats().refusedByLimit("per_ip")).isEqualTo(1);
                assertThat(gateway.server().stats().refusedByLimit("total")).isEqualTo(1);

                open.remove(0).close();
                await().atMost(Duration.ofSeconds(5)).until(() -> gateway.server().stats().openClientConnections() == 3);
                Socket again = admitted(gateway, "127.0.0.1");
                open.add(again);
                assertThat(closedByGateway(again)).as("a connection from 127.0.0.1 once one of its two closed").isFalse();

                // Nothing read or written for idleTimeoutSeconds: the gateway closes them all.
                java.util.Set<Socket> closed = new java.util.HashSet<>();
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    for (Socket s : open) {
                        if (!closed.contains(s) && closedByGateway(s)) {
                            closed.add(s);
                        }
                    }
                    return closed.size() == open.size();
                });
                await().atMost(Duration.ofSeconds(5)).until(() -> gateway.server().stats().openClientConnections() == 0);
            } finally {
                for (Socket s : open) {
                    s.close();
                }
            }
        }
    }

    /**
     * Addresses with limits of their own (Kafka's {@code max.connections.per.ip.overrides} and an {@code ip} entity's
     * {@code connection_creation_rate}): held to those, while every other address is held to the defaults.
     */
    @Test
    void anAddressWithLimitsOfItsOwnIsHeldToThoseAndOthersToTheDefaults() throws Exception {
        String yaml = """
                listeners:
                  - name: plain
                    bootstrapPort: ${BOOTSTRAP_PORT}
                    brokerPorts: ${BROKER_PORTS}
                limits:
                  maxConnections: 100
                  maxConnectionsPerIp: 1
                  maxConnectionCreationRatePerIp: 0
                  ipOverrides:
                    "127.0.0.2": {maxConnections: 3}
                    "127.0.0.4": {maxConnections: 10, maxConnectionCreationRate: 2}
                upstream:
                  bootstrapServers: ["${UPSTREAM}"]
                """;
        Path dir = Files.createTempDirectory("warden-limits");
        List<Socket> open = new ArrayList<>();
        try (GatewayFixture gateway = GatewayFixture.fromYaml(yaml, dir, cluster.getBootstrapServers())) {
            for (int i = 0; i < 3; i++) {
                open.add(admitted(gateway, "127.0.0.2"));
            }
            try (Socket fourth = connect(gateway, "127.0.0.2")) {
                assertThat(closedByGateway(fourth, 10_000)).as("a fourth connection from 127.0.0.2, which may hold three").isTrue();
            }
            open.add(admitted(gateway, "127.0.0.3"));
            try (Socket second = connect(gateway, "127.0.0.3")) {
                assertThat(closedByGateway(second, 10_000)).as("a second connection from 127.0.0.3, held to the default of one").isTrue();
            }
            assertThat(gateway.server().stats().refusedByLimit("per_ip")).isEqualTo(2);

            // 127.0.0.4 may hold ten but open only two a second; five at once: two stay, three are refused
            List<Socket> burst = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                burst.add(connect(gateway, "127.0.0.4"));
            }
            open.addAll(burst);
            await().atMost(Duration.ofSeconds(10)).until(() -> gateway.server().stats().refusedByLimit("creation_rate") == 3);
            int refused = 0;
            for (Socket s : burst) {
                refused += closedByGateway(s, 1_000) ? 1 : 0;
            }
            assertThat(refused).as("connections of the burst from 127.0.0.4 the gateway closed").isEqualTo(3);
            for (Socket s : open.subList(0, 4)) {
                assertThat(closedByGateway(s)).as("an admitted connection").isFalse();
            }
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    static final String TLS_YAML = """
            listeners:
              - name: tls
                bootstrapPort: ${BOOTSTRAP_PORT}
                brokerPorts: ${BROKER_PORTS}
                tls: {certificate: server-chain.crt, key: server.key}
            limits: {maxConnections: 100, maxConnectionsPerIp: 2}
            upstream:
              bootstrapServers: ["${UPSTREAM}"]
            """;

    @Test
    void connectionsStillInTheirTlsHandshakeCountTowardsTheLimits() throws Exception {
        // As Kafka counts a connection when it accepts it, not once its TLS handshake is done: otherwise a client that
        // opens connections and never sends a ClientHello holds as many as it likes until the handshake times out.
        SaslPki pki = new SaslPki();
        try (GatewayFixture gateway = GatewayFixture.fromYaml(TLS_YAML, pki.dir, cluster.getBootstrapServers());
             LogCapture logs = LogCapture.attach("io.warden.gateway.proxy.ClientConnection");
             Socket second = connect(gateway, "127.0.0.1")) {
            Socket first = connect(gateway, "127.0.0.1");
            await().atMost(Duration.ofSeconds(10)).until(() -> gateway.server().stats().openClientConnections() == 2);
            try (Socket third = connect(gateway, "127.0.0.1")) {
                assertThat(closedByGateway(third, 3_000)).as("a third connection from 127.0.0.1 while two are in their handshake")
                        .isTrue();
            }
            assertThat(gateway.server().stats().refusedByLimit("per_ip")).isEqualTo(1);
            assertThat(closedByGateway(first)).as("a connection still in its handshake").isFalse();

            // Another IP is unaffected and completes its handshake.
            SSLContext tls = trusting(pki);
            try (SSLSocket other = handshaken(tls, gateway, "127.0.0.2")) {
                assertThat(other.getSession().getProtocol()).startsWith("TLS");
            }

            // A connection that goes away during its handshake gives its place back, and says so.
            first.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> gateway.server().stats().openClientConnections() == 1);
            assertThat(logs.linesContaining("event=connection_refused listener=tls client=127.0.0.1:" + first.getLocalPort() + " "))
                    .singleElement().asString()
                    .endsWith("reason=\"the client closed the connection during the TLS handshake\"");
            try (SSLSocket again = handshaken(tls, gateway, "127.0.0.1")) {
                assertThat(again.getSession().getProtocol()).startsWith("TLS");
            }
        }
    }

    @Test
    void aTlsHandshakeEndedByTheIdleTimeoutSaysSo() throws Exception {
        SaslPki pki = new SaslPki();
        String yaml = TLS_YAML.replace("limits: {maxConnections: 100, maxConnectionsPerIp: 2}",
                "limits: {maxConnections: 100, maxConnectionsPerIp: 2, idleTimeoutSeconds: 1}");
        try (GatewayFixture gateway = GatewayFixture.fromYaml(yaml, pki.dir, cluster.getBootstrapServers());
             LogCapture logs = LogCapture.attach("io.warden.gateway.proxy.ClientConnection");
             Socket silent = connect(gateway, "127.0.0.1")) {
            // No ClientHello: the idle timeout (1 s) ends it before the handshake timeout (10 s).
            assertThat(closedByGateway(silent, 8_000)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> gateway.server().stats().openClientConnections() == 0);
            assertThat(logs.linesContaining("event=connection_refused listener=tls client=127.0.0.1:" + silent.getLocalPort() + " "))
                    .singleElement().asString()
                    .endsWith("reason=\"nothing received for 1 s during the TLS handshake (limits.idleTimeoutSeconds): closed by the gateway\"");
            // A connection that completes its handshake is not disturbed by the watch.
            try (SSLSocket done = handshaken(trusting(pki), gateway, "127.0.0.1")) {
                assertThat(done.getSession().getProtocol()).startsWith("TLS");
            }
        }
    }

    private static SSLContext trusting(SaslPki pki) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", pki.ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        return tls;
    }

    private static SSLSocket handshaken(SSLContext tls, GatewayFixture gateway, String localAddress) throws IOException {
        SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(connect(gateway, localAddress), "127.0.0.1",
                gateway.bootstrapPort(), true);
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }
}
