package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * One policy for a fleet: two gateways whose policy store is the same compacted topic on a real broker. An edit made
 * on either (admin API or Kafka's CreateAcls) is enforced by both within seconds, on connections already open.
 */
@ExtendWith(KafkaClusterExtension.class)
class PolicyFleetIT {

    static final String YAML = SaslPki.SCRAM_PLAINTEXT_USERS + """
              failureDelayMs: 0
            authorization:
              policyFile: policy.yaml
              kafkaStore: {bootstrapServers: ["${UPSTREAM}"], topic: warden-policy-fleet}
            admin:
              port: %d
              jwt: {jwksFile: jwks.json, issuer: "%s", audience: warden-admin}
            upstream:
              bootstrapServers: ["${UPSTREAM}"]
            """;

    static KafkaCluster cluster;
    static SaslPki pki;
    static GatewayFixture a;
    static GatewayFixture b;
    static Vertx vertx;
    static WebClient http;

    @BeforeAll
    static void start() throws Exception {
        pki = new SaslPki();
        for (String user : List.of("admin", "grace")) {
            pki.addUser(user, user + "-secret");
        }
        Files.writeString(pki.dir.resolve("policy.yaml"), "superUsers: [User:admin]\nacls: []\n");
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            Clients.createTopic(direct, "fleet-a", 1, (short) 1);
            Clients.createTopic(direct, "fleet-b", 1, (short) 1);
        }
        a = GatewayFixture.fromYaml(YAML.formatted(GatewayFixture.freeRange(1), SaslPki.ISSUER), pki.dir, cluster.getBootstrapServers());
        b = GatewayFixture.fromYaml(YAML.formatted(GatewayFixture.freeRange(1), SaslPki.ISSUER), pki.dir, cluster.getBootstrapServers());
        vertx = Vertx.vertx();
        http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1"));
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
        vertx.close();
    }

    static String token() throws Exception {
        return PolicyAdminIT.token("fleet-admin", List.of("policy-admin"), "warden-admin", Duration.ofMinutes(5), pki);
    }

    static JsonObject explain(GatewayFixture gateway, String principal, String operation, String topic) throws Exception {
        HttpResponse<Buffer> r = http.post(gateway.server().adminPort(), "127.0.0.1", "/v1/explain").bearerTokenAuthentication(token())
                .sendJsonObject(new JsonObject().put("principal", principal).put("operation", operation)
                        .put("resourceType", "TOPIC").put("resourceName", topic))
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        return r.bodyAsJsonObject();
    }

    /**
     * The policy topic is out of every client's reach through the gateway, super users included: a record produced
     * there would become the fleet's next policy without any ACL administration right, unaudited as such.
     */
    @Test
    void noClientMayWriteThePolicyTopicThroughTheGateway() throws Exception {
        long version = a.server().policyAdmin().current().version();
        Map<String, Object> admin = Clients.scramPlaintext("admin", "admin-secret");
        admin.put("retries", 0);
        try (KafkaProducer<String, String> producer = Clients.producer(a.bootstrap(), admin)) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("warden-policy-fleet", "k",
                    "{\"format\":1,\"changeId\":\"forged\",\"baseVersion\":-1,\"time\":\"2026-01-01T00:00:00Z\","
                            + "\"author\":\"User:admin\",\"yaml\":\"superUsers: [User:grace]\\nacls: []\"}")).get(20, TimeUnit.SECONDS))
                    .cause().isInstanceOf(TopicAuthorizationException.class);
        }
        assertThat(a.server().policyAdmin().current().version()).isEqualTo(version);
    }

    @Test
    void anEditOnEitherGatewayIsEnforcedByBoth() throws Exception {
        assertThat(a.server().policyAdmin().current().version()).isEqualTo(b.server().policyAdmin().current().version());
        Map<String, Object> grace = Clients.scramPlaintext("grace", "grace-secret");
        grace.put("retries", 0);
        try (KafkaProducer<String, String> throughB = Clients.producer(b.bootstrap(), grace)) {
            assertThatThrownBy(() -> throughB.send(new ProducerRecord<>("fleet-a", "k", "v")).get(20, TimeUnit.SECONDS))
                    .cause().isInstanceOf(TopicAuthorizationException.class);

            // An edit through A's admin API ...
            HttpResponse<Buffer> added = http.post(a.server().adminPort(), "127.0.0.1", "/v1/acls").bearerTokenAuthentication(token())
                    .sendJsonObject(new JsonObject().put("acls", new JsonArray()
                            .add(new JsonObject().put("principal", "User:grace").put("operation", "WRITE")
                                    .put("resourceType", "TOPIC").put("resourceName", "fleet-a"))))
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(added.statusCode()).as(added.bodyAsString()).isEqualTo(201);
            long version = added.bodyAsJsonObject().getLong("version");
            // ... is enforced by B, on the producer's open connection.
            await().atMost(Duration.ofSeconds(10)).until(() -> b.server().policyAdmin().current().version() >= version);
            assertThat(explain(b, "User:grace", "WRITE", "fleet-a").getString("decision")).isEqualTo("ALLOW");
            throughB.send(new ProducerRecord<>("fleet-a", "k", "v")).get(20, TimeUnit.SECONDS);
        }

        // An edit through B with Kafka's own ACL API is enforced by A.
        Map<String, Object> admin = new HashMap<>(Clients.scramPlaintext("admin", "admin-secret"));
        admin.put("bootstrap.servers", b.bootstrap());
        try (Admin kafkaAcls = Admin.create(admin)) {
            kafkaAcls.createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, "fleet-b", PatternType.LITERAL),
                    new AccessControlEntry("User:grace", "*", AclOperation.WRITE, AclPermissionType.ALLOW)))).all().get(30, TimeUnit.SECONDS);
        }
        long versionB = b.server().policyAdmin().current().version();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.server().policyAdmin().current().version() >= versionB);
        assertThat(explain(a, "User:grace", "WRITE", "fleet-b").getString("decision")).isEqualTo("ALLOW");
        try (KafkaProducer<String, String> throughA = Clients.producer(a.bootstrap(), grace)) {
            throughA.send(new ProducerRecord<>("fleet-b", "k", "v")).get(20, TimeUnit.SECONDS);
        }
        assertThat(a.server().policyAdmin().store().history()).hasSize(b.server().policyAdmin().store().history().size());
        assertThat(a.server().policyAdmin().current().document().sameRulesAs(b.server().policyAdmin().current().document())).isTrue();
    }

    @Test
    void concurrentWholePolicyEditsOnTwoGatewaysAgainstOneVersionLetExactlyOneWin() throws Exception {
        HttpResponse<Buffer> current = http.get(a.server().adminPort(), "127.0.0.1", "/v1/policy").bearerTokenAuthentication(token())
                .send().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        String etag = current.getHeader("ETag");
        await().atMost(Duration.ofSeconds(10)).until(() -> b.server().policyAdmin().current().etag().equals(etag));
        String yaml = current.bodyAsJsonObject().getString("yaml");
        var first = http.put(a.server().adminPort(), "127.0.0.1", "/v1/policy").bearerTokenAuthentication(token()).putHeader("If-Match", etag)
                .sendJsonObject(new JsonObject().put("yaml", yaml).put("comment", "from a"));
        var second = http.put(b.server().adminPort(), "127.0.0.1", "/v1/policy").bearerTokenAuthentication(token()).putHeader("If-Match", etag)
                .sendJsonObject(new JsonObject().put("yaml", yaml).put("comment", "from b"));
        int s1 = first.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).statusCode();
        int s2 = second.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).statusCode();
        assertThat(List.of(s1, s2)).containsExactlyInAnyOrder(200, 412);
    }
}
