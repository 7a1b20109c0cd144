package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import io.warden.authn.store.FakeSecretsManager;
import io.warden.gateway.config.AuthenticationConfig;
import io.warden.gateway.config.WardenConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * SCRAM users kept in (a local stand-in for) AWS Secrets Manager, MSK's way, read by the real AWS SDK: rotation,
 * deletion and an outage, seen through the gateway by real Java clients.
 */
@ExtendWith(KafkaClusterExtension.class)
class SecretsManagerIT {

    static final String YAML = SaslPki.SCRAM_SHA_512_LISTENER + """
            authentication:
              users:
                secretsManager: {region: us-east-1, endpoint: "%s", refreshSeconds: 1}
              sessionLifetimeSeconds: 3
            upstream:
              bootstrapServers: ["${UPSTREAM}"]
            """;

    static KafkaCluster cluster;
    static SaslPki pki;
    static FakeSecretsManager secrets;
    static GatewayFixture gateway;
    static String topic;

    @BeforeAll
    static void start() throws Exception {
        pki = new SaslPki();
        secrets = new FakeSecretsManager(10);
        secrets.putSecret("AmazonMSK_erin", "{\"username\": \"erin\", \"password\": \"erin-pass-1\"}");
        secrets.putSecret("AmazonMSK_frank", "{\"username\": \"frank\", \"password\": \"frank-pass-1\"}");
        secrets.putSecret("AmazonMSK_broken", "{\"username\": \"nobody\"}");
        secrets.putSecret("OtherApp_grace", "{\"username\": \"grace\", \"password\": \"grace-pass-1\"}");
        WardenConfig config = GatewayFixture.yamlConfig(YAML.formatted(secrets.endpoint()), pki.dir, cluster.getBootstrapServers());
        AuthenticationConfig a = config.authentication();
        config = new WardenConfig(config.listeners(), config.upstream(), config.limits(), new AuthenticationConfig(a.usersFile(),
                a.secretsManager().withCredentialsProvider(FakeSecretsManager.credentials()), a.oauthBearer(),
                a.failureDelay(), a.maxSessionLifetime(), a.allowLegacyScramNonce()));
        gateway = GatewayFixture.start(config);
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            topic = Clients.createTopic(direct, 1);
        }
    }

    @AfterAll
    static void stop() {
        gateway.close();
        secrets.close();
    }

    private static Map<String, Object> as(String user, String password) throws Exception {
        Map<String, Object> c = new HashMap<>(pki.scram("SCRAM-SHA-512", user, password));
        c.put("default.api.timeout.ms", 10_000);
        c.put("request.timeout.ms", 5_000);
        return c;
    }

    private static void produce(String user, String password) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), as(user, password))) {
            producer.send(new ProducerRecord<>(topic, user, "hello")).get();
        }
    }

    private static void assertRefused(String user, String password) throws Exception {
        Map<String, Object> c = as(user, password);
        c.put("bootstrap.servers", gateway.bootstrap());
        try (Admin admin = Admin.create(c)) {
            assertThatThrownBy(() -> admin.describeCluster().nodes().get())
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(SaslAuthenticationException.class);
        }
    }

    @Test
    void usersFromPrefixedSecretsLogInAndOthersDoNot() throws Exception {
        produce("erin", "erin-pass-1");
        assertRefused("grace", "grace-pass-1");
        assertRefused("nobody", "no-password");
    }

    @Test
    void aRotatedPasswordWorksWithoutRestartAndTheOldOneStops() throws Exception {
        produce("erin", "erin-pass-1");
        secrets.putSecret("AmazonMSK_erin", "{\"username\": \"erin\", \"password\": \"erin-pass-2\"}");
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> produce("erin", "erin-pass-2"));
        assertRefused("erin", "erin-pass-1");
        secrets.putSecret("AmazonMSK_erin", "{\"username\": \"erin\", \"password\": \"erin-pass-1\"}");
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> produce("erin", "erin-pass-1"));
    }

    @Test
    void aGatewayStartedWhileSecretsManagerIsDownIsNotReadyUntilItHasReadTheUsers() throws Exception {
        secrets.down();
        WardenConfig config;
        try {
            config = GatewayFixture.yamlConfig(YAML.formatted(secrets.endpoint()) + "admin: {port: " + GatewayFixture.freeRange(1) + "}\n",
                    pki.dir, cluster.getBootstrapServers());
        } catch (RuntimeException e) {
            secrets.up();
            throw e;
        }
        AuthenticationConfig a = config.authentication();
        config = new WardenConfig(config.listeners(), config.upstream(), config.limits(), new AuthenticationConfig(a.usersFile(),
                a.secretsManager().withCredentialsProvider(FakeSecretsManager.credentials()), a.oauthBearer(),
                a.failureDelay(), a.maxSessionLifetime(), a.allowLegacyScramNonce()), null, null, config.admin());
        try (GatewayFixture late = GatewayFixture.start(config)) {
            java.net.http.HttpResponse<String> notReady = OperationsIT.get(late, "/health/ready");
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).contains("\"credentials\":\"not loaded: secretsmanager");
            secrets.up();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> {
                java.net.http.HttpResponse<String> ready = OperationsIT.get(late, "/health/ready");
                assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
                assertThat(ready.body()).contains("\"credentials\":\"ok (");
            });
        } finally {
            secrets.up();
        }
    }

    @Test
    void whileSecretsManagerIsDownTheLastGoodUsersKeepWorking() throws Exception {
        secrets.down();
        try {
            Thread.sleep(2_500);
            produce("erin", "erin-pass-1");
        } finally {
            secrets.up();
        }
    }

    @Test
    void aDeletedUserIsRefusedAndLosesOpenConnectionsAtReauthentication() throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), as("frank", "frank-pass-1"))) {
            producer.send(new ProducerRecord<>(topic, "frank", "before")).get();
            assertThat(gateway.server().stats().connections()).anyMatch(c -> c.principal().equals("User:frank"));
            secrets.deleteSecret("AmazonMSK_frank");
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> assertRefused("frank", "frank-pass-1"));
            // The open producer keeps its connection only until its next re-authentication, within the 3 s lifetime.
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(gateway.server().stats().connections())
                    .noneMatch(c -> c.principal().equals("User:frank")));
        }
    }
}
