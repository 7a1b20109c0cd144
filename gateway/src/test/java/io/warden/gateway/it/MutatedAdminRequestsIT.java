package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.warden.policies.LogCapture;
import io.warden.policies.TextMutations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin API's requests with bodies, each body's JSON text damaged (characters changed, removed or added; a fixed
 * seed, a bounded number of cases) and sent by a policy admin: every answer is a success or a client error with a
 * JSON {@code error} — never a server error — and the gateway logs no unexpected failure. A refused edit leaves the
 * policy's version as it was.
 */
@ExtendWith(KafkaClusterExtension.class)
class MutatedAdminRequestsIT {

    static final long SEED = Long.getLong("warden.fuzz.seed", 20261127L);
    static final int CASES = Integer.getInteger("warden.fuzz.cases", 1500) * 2 / 5;

    static KafkaCluster cluster;

    /** Method, path, and a valid body for it. */
    record Call(HttpMethod method, String path, String body) {
    }

    static final List<Call> CALLS = List.of(
            new Call(HttpMethod.POST, "/v1/policy/validate", new JsonObject().put("yaml",
                    "superUsers: [User:admin]\nacls:\n  - principal: User:alice\n    operations: [read, describe]\n"
                            + "    topics: {prefix: fuzz-}\n    group: g\n").encode()),
            new Call(HttpMethod.POST, "/v1/explain", new JsonObject().put("principal", "User:alice").put("operation", "READ")
                    .put("resourceType", "TOPIC").put("resourceName", "fuzz-a").put("host", "10.0.0.1").encode()),
            new Call(HttpMethod.POST, "/v1/acls", "{\"acls\":[{\"principal\":\"User:fuzz\",\"operation\":\"READ\","
                    + "\"resourceType\":\"TOPIC\",\"resourceName\":\"fuzz-t\",\"patternType\":\"PREFIXED\",\"permission\":\"ALLOW\","
                    + "\"host\":\"*\"}]}"),
            new Call(HttpMethod.POST, "/v1/acls/delete", "{\"filters\":[{\"principal\":\"User:fuzz\",\"operation\":\"READ\","
                    + "\"resourceType\":\"TOPIC\",\"resourceName\":\"fuzz-t\",\"patternType\":\"PREFIXED\"}]}"),
            new Call(HttpMethod.POST, "/v1/policy/rollback", "{\"version\":1}"),
            new Call(HttpMethod.PUT, "/v1/policy", new JsonObject().put("yaml", "acls:\n  - principal: User:alice\n"
                    + "    operations: [describe]\n    topics: {prefix: fuzz-}\n").put("comment", "fuzz").encode()));

    @Test
    void everyMutatedBodyGetsASuccessOrAClientError() throws Exception {
        SaslPki pki = SaslPki.withUsersAndPolicy(PolicyAdminIT.POLICY, "admin", "alice");
        io.warden.audit.PemKeys.generateEd25519(pki.dir.resolve("audit-key.pem"), pki.dir.resolve("audit-key.pub.pem"));
        int adminPort = GatewayFixture.freeRange(1);
        Vertx vertx = Vertx.vertx();
        try (LogCapture logs = LogCapture.attach("io.warden", "io.vertx", "io.netty");
             GatewayFixture gateway = GatewayFixture.fromYaml(PolicyAdminIT.YAML.formatted(adminPort, SaslPki.ISSUER,
                     PolicyAdminIT.AUDIENCE), pki.dir, cluster.getBootstrapServers())) {
            WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
                    .setDefaultPort(gateway.server().adminPort()).setSsl(true)
                    .setTrustOptions(new PemTrustOptions().addCertPath(pki.dir.resolve("ca.crt").toString())));
            String token = PolicyAdminIT.token("root", List.of("policy-admin"), PolicyAdminIT.AUDIENCE, Duration.ofMinutes(30), pki);
            for (Call call : CALLS) {
                HttpResponse<Buffer> valid = send(http, call, call.body(), token, etag(http, token));
                assertThat(valid.statusCode()).as(call + " " + valid.bodyAsString()).isBetween(200, 299);
            }
            Random random = new Random(SEED);
            int refused = 0;
            for (int n = 0; n < CASES; n++) {
                Call call = CALLS.get(random.nextInt(CALLS.size()));
                String body = TextMutations.mutate(call.body(), random);
                String etag = etag(http, token);
                HttpResponse<Buffer> answer = send(http, call, body, token, etag);
                String what = "case " + n + " (seed " + SEED + "): " + call.method() + " " + call.path() + " " + body + " -> " + answer.statusCode()
                        + " " + answer.bodyAsString();
                assertThat(answer.statusCode()).as(what).isLessThan(500);
                if (answer.statusCode() >= 400) {
                    refused++;
                    assertThat(answer.bodyAsJsonObject().getString("error")).as(what).isNotBlank();
                    assertThat(etag(http, token)).as(what + ": a refused edit changes nothing").isEqualTo(etag);
                }
            }
            assertThat(refused).as("damaged bodies were refused").isPositive();
            assertThat(MutatedRequestsIT.unexpectedFailures(logs)).as("failures the gateway did not expect").isEmpty();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        assertThat(Files.readString(pki.dir.resolve("policy.yaml"))).contains("acls");
    }

    private static String etag(WebClient http, String token) throws Exception {
        HttpResponse<Buffer> current = http.get("/v1/policy").bearerTokenAuthentication(token).send()
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(current.statusCode()).isEqualTo(200);
        return current.getHeader("ETag");
    }

    private static HttpResponse<Buffer> send(WebClient http, Call call, String body, String token, String etag) throws Exception {
        return http.request(call.method(), call.path()).bearerTokenAuthentication(token)
                .putHeader("Content-Type", "application/json").putHeader("If-Match", etag)
                .sendBuffer(Buffer.buffer(body)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
