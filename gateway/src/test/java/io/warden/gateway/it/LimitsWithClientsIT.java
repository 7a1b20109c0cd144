package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import io.warden.policies.LogCapture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The connection limits against real Kafka clients: a storm of ten thousand idle connections stops at the limit while
 * a producer and Prometheus scrapes carry on and the refusals are logged once per interval; a Java client over the
 * limit fails with a timeout and recovers once there is room; an idle Java client is disconnected and reconnects
 * by itself.
 */
@ExtendWith(KafkaClusterExtension.class)
class LimitsWithClientsIT {

    KafkaCluster cluster;

    private GatewayFixture gateway(String limits) throws Exception {
        String yaml = """
                listeners:
                  - name: plain
                    bootstrapPort: ${BOOTSTRAP_PORT}
                    brokerPorts: ${BROKER_PORTS}
                limits: %s
                admin:
                  port: %d
                upstream:
                  bootstrapServers: ["${UPSTREAM}"]
                """.formatted(limits, GatewayFixture.freeRange(1));
        return GatewayFixture.fromYaml(yaml, Files.createTempDirectory("warden-limits"), cluster.getBootstrapServers());
    }

    private static Socket connectFrom(GatewayFixture gateway, String localAddress) throws Exception {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
        s.connect(new InetSocketAddress("127.0.0.1", gateway.bootstrapPort()), 5_000);
        return s;
    }

    @Test
    void tenThousandIdleConnectionsStopAtTheLimitWhileAProducerAndScrapesCarryOn() throws Exception {
        int limit = 300;
        int attempts = 10_000;
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            Clients.createTopic(direct, "storm", 1, (short) 1);
        }
        try (GatewayFixture gateway = gateway("{maxConnections: " + limit + ", maxConnectionsPerIp: " + limit
                + ", maxConnectionCreationRatePerIp: 0}");
             KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), Map.of("linger.ms", 0));
             LogCapture logs = LogCapture.attach("io.warden.gateway.proxy.ClientConnection")) {
            producer.send(new ProducerRecord<>("storm", "k", "before")).get(20, TimeUnit.SECONDS);

            List<Socket> storm = new ArrayList<>();
            AtomicBoolean stormOver = new AtomicBoolean();
            AtomicInteger connected = new AtomicInteger();
            Thread stormer = new Thread(() -> {
                try {
                    // Spread over loopback addresses, as many clients would come; every socket stays open, idle.
                    for (int i = 0; i < attempts; i++) {
                        storm.add(connectFrom(gateway, "127.0.1." + (1 + i % 50)));
                        connected.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                } finally {
                    stormOver.set(true);
                }
            }, "connection-storm");
            long started = System.nanoTime();
            stormer.start();
            int sent = 0;
            int scrapes = 0;
            try {
                while (!stormOver.get() || sent < 5) {
                    producer.send(new ProducerRecord<>("storm", "k", "during " + sent)).get(10, TimeUnit.SECONDS);
                    sent++;
                    HttpResponse<String> scrape = OperationsIT.get(gateway, "/metrics");
                    assertThat(scrape.statusCode()).isEqualTo(200);
                    scrapes++;
                }
                stormer.join(TimeUnit.MINUTES.toMillis(2));
                double stormSeconds = (System.nanoTime() - started) / 1e9;
                assertThat(connected.get()).isEqualTo(attempts);

                // The storm's connects return once the kernel has queued them; the gateway may still be accepting (and
                // refusing) the last of them, so the refusals are read once it has caught up.
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(gateway.server().stats().openClientConnections()).isEqualTo(limit));
                double[] refused = new double[1];
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    refused[0] = OperationsIT.metric(OperationsIT.get(gateway, "/metrics").body(),
                            "warden_connections_refused_limit_total{limit=\"total\"}");
                    // The producer holds some of the admitted connections; every other attempt was admitted up to the limit.
                    assertThat(refused[0]).isGreaterThanOrEqualTo(attempts - limit);
                });
                assertThat(refused[0]).isLessThanOrEqualTo(attempts);
                assertThat(gateway.server().stats().openClientConnections()).isEqualTo(limit);
                // One line per interval of 10 s, not one per refusal.
                List<String> refusals = logs.linesContaining("event=connection_refused");
                assertThat(refusals).isNotEmpty().hasSizeLessThanOrEqualTo((int) (stormSeconds / 10) + 2);
                assertThat(refusals.get(0)).contains("the gateway holds its maximum of " + limit + " connections");
                assertThat(sent).isGreaterThanOrEqualTo(5);
                assertThat(scrapes).isEqualTo(sent);
            } finally {
                for (Socket s : storm) {
                    s.close();
                }
            }
            producer.send(new ProducerRecord<>("storm", "k", "after")).get(20, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(gateway.server().stats().openClientConnections()).isLessThan(10));
        }
    }

    @Test
    void aJavaClientOverTheLimitTimesOutAndRecoversWhenThereIsRoom() throws Exception {
        try (GatewayFixture gateway = gateway("{maxConnections: 4, maxConnectionsPerIp: 4}")) {
            List<Socket> fill = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                fill.add(connectFrom(gateway, "127.0.2.1"));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> gateway.server().stats().openClientConnections() == 4);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, gateway.bootstrap(),
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000))) {
                assertThatThrownBy(() -> admin.describeCluster().nodes().get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
                assertThat(gateway.server().stats().refusedByLimit("total")).isPositive();

                for (Socket s : fill) {
                    s.close();
                }
                // Room again (the admin client may already be reconnecting, so the count need not reach 0).
                await().atMost(Duration.ofSeconds(10)).until(() -> gateway.server().stats().openClientConnections() < 4);
                assertThat(admin.describeCluster().nodes().get(20, TimeUnit.SECONDS)).isNotEmpty();
            }
        }
    }

    @Test
    void anIdleJavaClientIsDisconnectedAndReconnectsByItself() throws Exception {
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            Clients.createTopic(direct, "idle", 1, (short) 1);
        }
        try (GatewayFixture gateway = gateway("{idleTimeoutSeconds: 2}");
             KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(),
                     Map.of("linger.ms", 0, "metadata.max.age.ms", 600_000))) {
            producer.send(new ProducerRecord<>("idle", "k", "first")).get(20, TimeUnit.SECONDS);
            long accepted = gateway.server().stats().acceptedClientConnections();
            // The client's own idle limit is nine minutes: whatever closes its connections now is the gateway's 2 s.
            // Both go: the bootstrap connection and the broker connection the record went through.
            await().atMost(Duration.ofSeconds(20)).until(() -> closedByPeer(producer) >= 2);
            producer.send(new ProducerRecord<>("idle", "k", "after the idle timeout")).get(20, TimeUnit.SECONDS);
            assertThat(gateway.server().stats().acceptedClientConnections()).isGreaterThan(accepted);
        }
    }

    /** Connections the producer saw closed (it closes none itself while open and busy less than nine minutes). */
    private static double closedByPeer(KafkaProducer<?, ?> producer) {
        return producer.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals("connection-close-total") && e.getKey().group().equals("producer-metrics"))
                .mapToDouble(e -> (Double) e.getValue().metricValue()).sum();
    }
}
