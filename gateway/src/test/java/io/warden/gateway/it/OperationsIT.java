package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.api.TerminationStyle;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Metrics and health on the admin listener, after real client traffic through the gateway to a real broker: the
 * values, not just their presence; readiness follows the upstream cluster down and back.
 */
@ExtendWith(KafkaClusterExtension.class)
class OperationsIT {

    static final String YAML = """
            listeners:
              - name: sasl
                bootstrapPort: ${BOOTSTRAP_PORT}
                brokerPorts: ${BROKER_PORTS}
                sasl: {mechanisms: [SCRAM-SHA-512], allowPlaintext: true}
              - name: tls
                bootstrapPort: ${BOOTSTRAP_PORT_2}
                brokerPorts: ${BROKER_PORTS_2}
                tls: {certificate: server-chain.crt, key: server.key}
            authentication:
              users: {file: users.txt}
              failureDelayMs: 0
            authorization:
              policyFile: policy.yaml
            audit:
              file: {directory: audit-ops, signingKey: audit-key.pem}
            admin:
              port: %d
              jwt: {jwksFile: jwks.json, issuer: "%s", audience: warden-admin}
              metrics: {maxTopicSeries: 1}
            upstream:
              bootstrapServers: ["${UPSTREAM}"]
              metadataTimeoutMs: 2000
            """;

    KafkaCluster cluster;

    static final HttpClient HTTP = HttpClient.newHttpClient();

    static HttpResponse<String> get(GatewayFixture gateway, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.server().adminPort() + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of one sample of the Prometheus text, by metric name and labels as written. */
    static double metric(String scrape, String nameAndLabels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(nameAndLabels) + " (\\S+)$").matcher(scrape);
        assertThat(m.find()).as("metric %s in%n%s", nameAndLabels, scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void metricsCountRealTrafficAndReadinessFollowsTheCluster() throws Exception {
        SaslPki pki = new SaslPki();
        pki.addUser("alice", "alice-secret");
        Files.writeString(pki.dir.resolve("policy.yaml"), """
                acls:
                  - principal: User:alice
                    operations: [write, describe]
                    topics: {prefix: ops-}
                  - principal: User:alice
                    operations: [describe]
                    topics: [secret]
                """);
        io.warden.audit.PemKeys.generateEd25519(pki.dir.resolve("audit-key.pem"), pki.dir.resolve("audit-key.pub.pem"));
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            Clients.createTopic(direct, "ops-a", 1, (short) 1);
            Clients.createTopic(direct, "secret", 1, (short) 1);
            Clients.createTopic(direct, "ops-b", 1, (short) 1);
        }
        try (GatewayFixture gateway = GatewayFixture.fromYaml(YAML.formatted(GatewayFixture.freeRange(1), SaslPki.ISSUER),
                pki.dir, cluster.getBootstrapServers())) {
            assertThat(get(gateway, "/health/live").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = get(gateway, "/health/ready");
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
            assertThat(ready.body()).contains("\"upstream\":\"ok").contains("\"policy\":\"ok").contains("\"audit\":\"ok");

            Map<String, Object> alice = new HashMap<>(Clients.scramPlaintext("alice", "alice-secret"));
            alice.put("retries", 0);
            alice.put("linger.ms", 0);
            try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), alice)) {
                for (int i = 0; i < 5; i++) {
                    producer.send(new ProducerRecord<>("ops-a", "k", "v" + i)).get(20, TimeUnit.SECONDS);
                }
                producer.send(new ProducerRecord<>("ops-b", "k", "beyond the topic cap")).get(20, TimeUnit.SECONDS);
                assertThat(metric(get(gateway, "/metrics").body(), "warden_connections_open{listener=\"sasl\",state=\"active\"}"))
                        .isGreaterThanOrEqualTo(1);
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>("secret", "k", "v")).get(20, TimeUnit.SECONDS))
                        .cause().isInstanceOf(TopicAuthorizationException.class);
            }
            Map<String, Object> wrong = Clients.scramPlaintext("alice", "not-her-password");
            try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), wrong)) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>("ops-a", "k", "v")).get(20, TimeUnit.SECONDS));
            }

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                String scrape = get(gateway, "/metrics").body();
                assertThat(metric(scrape, "warden_requests_total{api=\"Produce\",outcome=\"forwarded\"}")).isEqualTo(6);
                assertThat(metric(scrape, "warden_requests_total{api=\"Produce\",outcome=\"denied\"}")).isEqualTo(1);
                assertThat(metric(scrape, "warden_authorization_denials_total{resource_type=\"topic\"}")).isGreaterThanOrEqualTo(1);
                assertThat(metric(scrape, "warden_authentications_total{mechanism=\"SCRAM-SHA-512\",outcome=\"success\"}")).isGreaterThanOrEqualTo(1);
                assertThat(metric(scrape, "warden_authentications_total{mechanism=\"SCRAM-SHA-512\",outcome=\"failure\"}")).isGreaterThanOrEqualTo(1);
                assertThat(metric(scrape, "warden_authentications_total{mechanism=\"PLAIN\",outcome=\"success\"}")).isZero();
                // Latency, split: every forwarded produce was timed on both sides.
                assertThat(metric(scrape, "warden_request_gateway_time_seconds_count{api=\"Produce\"}")).isEqualTo(6);
                assertThat(metric(scrape, "warden_request_upstream_time_seconds_count{api=\"Produce\"}")).isEqualTo(6);
                assertThat(metric(scrape, "warden_request_upstream_time_seconds_sum{api=\"Produce\"}")).isPositive();
                assertThat(metric(scrape, "warden_request_gateway_time_seconds_bucket{api=\"Produce\",le=\"30.0\"}")).isEqualTo(6);
                // Per topic, capped at one series: the second topic falls into "other".
                assertThat(metric(scrape, "warden_topic_produced_bytes_total{topic=\"ops-a\"}")).isGreaterThan(5 * 2);
                assertThat(metric(scrape, "warden_topic_produced_bytes_total{topic=\"other\"}")).isGreaterThan("beyond the topic cap".length());
                assertThat(scrape).doesNotContain("topic=\"ops-b\"");
                assertThat(metric(scrape, "warden_principal_requests_total{principal=\"User:alice\"}")).isGreaterThanOrEqualTo(6);
                assertThat(metric(scrape, "warden_principal_sent_bytes_total{principal=\"User:alice\"}")).isPositive();
                assertThat(metric(scrape, "warden_credentials_age_seconds{store=\"file:" + pki.dir.resolve("users.txt") + "\"}"))
                        .isBetween(0.0, 60.0);
                assertThat(metric(scrape, "warden_tls_certificate_expiry_days{listener=\"tls\"}")).isBetween(363.0, 366.0);
                assertThat(metric(scrape, "jvm_threads_live_threads")).isPositive();
                assertThat(metric(scrape, "warden_connections_accepted_total")).isGreaterThanOrEqualTo(2);
                assertThat(metric(scrape, "warden_client_received_bytes_total")).isGreaterThan(5 * 20);
                assertThat(metric(scrape, "warden_audit_events_total{result=\"written\"}")).isGreaterThanOrEqualTo(7);
                assertThat(metric(scrape, "warden_audit_events_total{result=\"dropped\"}")).isZero();
                assertThat(metric(scrape, "warden_policy_version")).isEqualTo(1);
                assertThat(metric(scrape, "warden_connections_open{listener=\"sasl\",state=\"active\"}")).isZero();
                assertThat(metric(scrape, "warden_connections_open{listener=\"sasl\",state=\"authenticating\"}")).isZero();
            });

            // A connection that has not logged in yet is counted as authenticating, and only while it is open.
            try (java.net.Socket pending = new java.net.Socket("127.0.0.1", gateway.bootstrapPort())) {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(metric(get(gateway, "/metrics").body(),
                        "warden_connections_open{listener=\"sasl\",state=\"authenticating\"}")).isEqualTo(1));
                assertThat(metric(get(gateway, "/metrics").body(), "warden_connections_open{listener=\"sasl\",state=\"active\"}")).isZero();
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(metric(get(gateway, "/metrics").body(),
                    "warden_connections_open{listener=\"sasl\",state=\"authenticating\"}")).isZero());

            // Every series the shipped Grafana dashboard queries is one the gateway serves.
            String scrape = get(gateway, "/metrics").body();
            for (String name : dashboardMetrics()) {
                assertThat(scrape).as("docker/grafana/dashboards/warden.json queries %s", name).containsPattern("(?m)^" + name + "[{ ]");
            }

            cluster.stopNodes(id -> true, TerminationStyle.ABRUPT);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                HttpResponse<String> down = get(gateway, "/health/ready");
                assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
                assertThat(down.body()).contains("\"upstream\":\"unreachable");
            });
            cluster.startNodes(id -> true);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(get(gateway, "/health/ready").statusCode()).isEqualTo(200));
        }
    }

    /**
     * An admin section without admin authentication serves health and metrics only; with request-path metrics off,
     * the gateway's counters are still there but no latency, topic or principal series are recorded.
     */
    @Test
    void aMetricsOnlyAdminListenerWithRequestPathRecordingOff() throws Exception {
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            Clients.createTopic(direct, "ops-off", 1, (short) 1);
        }
        String yaml = """
                listeners:
                  - name: plain
                    bootstrapPort: ${BOOTSTRAP_PORT}
                    brokerPorts: ${BROKER_PORTS}
                admin:
                  port: %d
                  metrics: {enabled: false}
                upstream:
                  bootstrapServers: ["${UPSTREAM}"]
                """.formatted(GatewayFixture.freeRange(1));
        try (GatewayFixture gateway = GatewayFixture.fromYaml(yaml, Files.createTempDirectory("warden-ops"), cluster.getBootstrapServers());
             KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), Map.of())) {
            producer.send(new ProducerRecord<>("ops-off", "k", "v")).get(20, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    metric(get(gateway, "/metrics").body(), "warden_requests_total{api=\"Produce\",outcome=\"forwarded\"}")).isEqualTo(1));
            String scrape = get(gateway, "/metrics").body();
            assertThat(scrape).doesNotContain("warden_request_gateway_time").doesNotContain("warden_topic_produced")
                    .doesNotContain("warden_principal_requests");
            HttpResponse<String> policy = get(gateway, "/v1/policy");
            assertThat(policy.statusCode()).isEqualTo(401);
            assertThat(policy.body()).contains("no admin authentication is configured");
            assertThat(get(gateway, "/health/ready").statusCode()).isEqualTo(200);
        }
    }

    /** The metric names the shipped Grafana dashboard's queries use. */
    static java.util.Set<String> dashboardMetrics() throws Exception {
        com.fasterxml.jackson.databind.JsonNode dashboard = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(java.nio.file.Path.of("..", "docker", "grafana", "dashboards", "warden.json").toFile());
        java.util.Set<String> names = new java.util.TreeSet<>();
        Pattern metric = Pattern.compile("\\b((?:warden|jvm|process)_[a-z_]+)\\b");
        for (com.fasterxml.jackson.databind.JsonNode expr : dashboard.findValues("expr")) {
            Matcher m = metric.matcher(expr.asText());
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        assertThat(names).hasSizeGreaterThan(15);
        return names;
    }
}
