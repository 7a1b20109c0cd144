package io.warden.gateway.it;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.warden.audit.AuditQuery;
import io.warden.certs.CertificateFiles;
import io.warden.certs.CertificateIssuer;
import io.warden.certs.IssuedCertificate;
import io.warden.certs.KeyType;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Policy administration end to end: the admin API over real HTTP (Vert.x web client) with JWT and mTLS callers, and
 * Kafka's own ACL APIs (Admin.createAcls, and the kafka-acls tool itself) through the gateway, editing the policy that
 * real clients on open connections are held to.
 */
@ExtendWith(KafkaClusterExtension.class)
class PolicyAdminIT {

    static final String AUDIENCE = "warden-admin";

    static final String POLICY = """
            superUsers: [User:admin]
            acls:
              - principal: User:alice
                operations: [describe]
                topics: {prefix: admin-}
            """;

    static final String YAML = SaslPki.SCRAM_PLAINTEXT_USERS + """
              failureDelayMs: 0
            authorization:
              policyFile: policy.yaml
              reloadCheckSeconds: 1
            audit:
              file: {directory: audit-admin, signingKey: audit-key.pem}
            admin:
              port: %d
              tls: {certificate: server-chain.crt, key: server.key, clientAuth: requested, trustedCertificates: ca.crt}
              jwt: {jwksFile: jwks.json, issuer: "%s", audience: %s}
              certificateRoles: {"User:CN=ops,OU=platform": policy-admin, "User:CN=watcher,OU=platform": auditor}
              metrics: {authentication: required}
            upstream:
              bootstrapServers: ["${UPSTREAM}"]
            """;

    static KafkaCluster cluster;
    static SaslPki pki;
    static GatewayFixture gateway;
    static Vertx vertx;
    static WebClient http;
    static WebClient ops;
    static WebClient watcher;

    @BeforeAll
    static void start() throws Exception {
        pki = new SaslPki();
        for (String user : List.of("admin", "alice", "bob", "grace")) {
            pki.addUser(user, user + "-secret");
        }
        Files.writeString(pki.dir.resolve("policy.yaml"), POLICY);
        io.warden.audit.PemKeys.generateEd25519(pki.dir.resolve("audit-key.pem"), pki.dir.resolve("audit-key.pub.pem"));
        for (String cn : List.of("ops", "watcher")) {
            IssuedCertificate client = CertificateIssuer.issueClient(pki.ca, cn, List.of("platform"), Duration.ofDays(1), KeyType.EC_P256);
            CertificateFiles.writeCertificates(pki.dir.resolve(cn + ".crt"), client.chain(), true);
            CertificateFiles.writePrivateKey(pki.dir.resolve(cn + ".key"), client.privateKey(), true);
        }
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            for (String topic : List.of("admin-orders", "admin-payments", "admin-live")) {
                Clients.createTopic(direct, topic, 1, (short) 1);
            }
        }
        int adminPort = GatewayFixture.freeRange(1);
        gateway = GatewayFixture.fromYaml(YAML.formatted(adminPort, SaslPki.ISSUER, AUDIENCE), pki.dir, cluster.getBootstrapServers());
        vertx = Vertx.vertx();
        WebClientOptions base = new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(gateway.server().adminPort())
                .setSsl(true).setTrustOptions(new PemTrustOptions().addCertPath(pki.dir.resolve("ca.crt").toString()));
        http = WebClient.create(vertx, new WebClientOptions(base));
        ops = WebClient.create(vertx, new WebClientOptions(base).setKeyCertOptions(new PemKeyCertOptions()
                .setCertPath(pki.dir.resolve("ops.crt").toString()).setKeyPath(pki.dir.resolve("ops.key").toString())));
        watcher = WebClient.create(vertx, new WebClientOptions(base).setKeyCertOptions(new PemKeyCertOptions()
                .setCertPath(pki.dir.resolve("watcher.crt").toString()).setKeyPath(pki.dir.resolve("watcher.key").toString())));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        vertx.close();
    }

    static String token(String subject, List<String> roles, String audience, Duration lifetime) throws Exception {
        return token(subject, roles, audience, lifetime, pki);
    }

    /** An admin token signed by {@code keys}' JWT key, for the issuer it trusts. */
    static String token(String subject, List<String> roles, String audience, Duration lifetime, SaslPki keys) throws Exception {
        SaslPki pki = keys;
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(SaslPki.ISSUER).audience(audience).subject(subject).claim("roles", roles)
                .issueTime(new Date()).expirationTime(Date.from(Instant.now().plus(lifetime)))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(pki.signingKey.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(pki.signingKey));
        return jwt.serialize();
    }

    static String adminToken() throws Exception {
        return token("root", List.of("policy-admin"), AUDIENCE, Duration.ofMinutes(5));
    }

    static HttpResponse<Buffer> send(HttpRequest<Buffer> request, JsonObject body) throws Exception {
        var f = body == null ? request.send() : request.sendJsonObject(body);
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    static HttpResponse<Buffer> call(String method, String path, String token, JsonObject body, String ifMatch) throws Exception {
        HttpRequest<Buffer> r = http.request(io.vertx.core.http.HttpMethod.valueOf(method), path);
        if (token != null) {
            r.bearerTokenAuthentication(token);
        }
        if (ifMatch != null) {
            r.putHeader("If-Match", ifMatch);
        }
        return send(r, body);
    }

    static JsonObject acl(String principal, String operation, String type, String name) {
        return new JsonObject().put("principal", principal).put("operation", operation)
                .put("resourceType", type).put("resourceName", name);
    }

    static Map<String, Object> as(String user) {
        Map<String, Object> c = Clients.scramPlaintext(user, user + "-secret");
        c.put("retries", 0);
        return c;
    }

    @Test
    void callersWithoutAValidTokenOrRoleAreRefusedAndAudited() throws Exception {
        assertThat(call("GET", "/v1/policy", null, null, null).statusCode()).isEqualTo(401);
        HttpResponse<Buffer> expired = call("GET", "/v1/policy", token("root", List.of("policy-admin"), AUDIENCE, Duration.ofMinutes(-5)), null, null);
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(expired.bodyAsJsonObject().getString("error")).containsIgnoringCase("expired");
        HttpResponse<Buffer> otherAudience = call("GET", "/v1/policy", token("root", List.of("policy-admin"), "kafka", Duration.ofMinutes(5)), null, null);
        assertThat(otherAudience.statusCode()).isEqualTo(401);
        assertThat(otherAudience.bodyAsJsonObject().getString("error")).isEqualTo("invalid bearer token: wrong audience")
                .as("the audience the gateway expects is not told").doesNotContain(AUDIENCE);
        String unsigned = Base64URL.encode("{\"alg\":\"none\"}") + "." + Base64URL.encode(new JWTClaimsSet.Builder()
                .issuer(SaslPki.ISSUER).audience(AUDIENCE).subject("root").claim("roles", List.of("policy-admin"))
                .expirationTime(Date.from(Instant.now().plusSeconds(300))).build().toString()) + ".";
        HttpResponse<Buffer> none = call("GET", "/v1/policy", unsigned, null, null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.bodyAsString()).doesNotContain(unsigned);

        String auditor = token("reader", List.of("auditor"), AUDIENCE, Duration.ofMinutes(5));
        assertThat(call("GET", "/v1/policy", auditor, null, null).statusCode()).isEqualTo(200);
        HttpResponse<Buffer> edit = call("POST", "/v1/acls", auditor,
                new JsonObject().put("acls", new JsonArray().add(acl("User:bob", "READ", "TOPIC", "admin-orders"))), null);
        assertThat(edit.statusCode()).isEqualTo(403);
        assertThat(edit.bodyAsJsonObject().getString("error")).contains("policy-admin");
        assertThat(call("GET", "/v1/policy", token("nobody", List.of(), AUDIENCE, Duration.ofMinutes(5)), null, null).statusCode())
                .isEqualTo(403);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<com.fasterxml.jackson.databind.JsonNode> events = AuditQuery.find(pki.dir.resolve("audit-admin"), AuditQuery.Filter.all());
            assertThat(events).filteredOn(e -> e.path("unmapped").path("listener").asText().equals("admin")
                    && e.path("unmapped").path("event_type").asText().equals("authentication_failure")).hasSizeGreaterThanOrEqualTo(4);
            assertThat(events).anySatisfy(e -> {
                assertThat(e.path("unmapped").path("event_type").asText()).isEqualTo("authorization_denied");
                assertThat(e.path("actor").path("user").path("name").asText()).isEqualTo("User:reader");
                assertThat(e.path("api").path("operation").asText()).isEqualTo("createAcls");
            });
        });
    }

    @Test
    void aCallerWithoutATokenIsRefusedBeforeItsBodyIsRead() throws Exception {
        NetClient raw = vertx.createNetClient(new NetClientOptions().setSsl(true).setHostnameVerificationAlgorithm("HTTPS")
                .setTrustOptions(new PemTrustOptions().addCertPath(pki.dir.resolve("ca.crt").toString())));
        try {
            NetSocket socket = raw.connect(gateway.server().adminPort(), "127.0.0.1").await(10, TimeUnit.SECONDS);
            CompletableFuture<String> statusLine = new CompletableFuture<>();
            StringBuilder received = new StringBuilder();
            socket.handler(b -> {
                received.append(b.toString(StandardCharsets.ISO_8859_1));
                int end = received.indexOf("\r\n");
                if (end > 0) {
                    statusLine.complete(received.substring(0, end));
                }
            });
            // Announces 3 MB (under the body limit) and sends a few bytes of it: the refusal must not wait for the rest.
            socket.write("POST /v1/acls HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 3000000\r\n\r\n{\"acls\":[");
            assertThat(statusLine.get(10, TimeUnit.SECONDS)).isEqualTo("HTTP/1.1 401 Unauthorized");
        } finally {
            raw.close();
        }
        // An authenticated caller's body is still read whole.
        HttpResponse<Buffer> explained = call("POST", "/v1/explain", adminToken(),
                new JsonObject().put("principal", "User:alice").put("operation", "DESCRIBE").put("resourceType", "TOPIC")
                        .put("resourceName", "admin-orders"), null);
        assertThat(explained.statusCode()).as(explained.bodyAsString()).isEqualTo(200);
    }

    @Test
    void anAclAddedThroughTheApiAppliesToAnOpenConnection() throws Exception {
        try (KafkaProducer<String, String> alice = Clients.producer(gateway.bootstrap(), as("alice"))) {
            assertThatThrownBy(() -> alice.send(new ProducerRecord<>("admin-live", "k", "before")).get(20, TimeUnit.SECONDS))
                    .cause().isInstanceOf(TopicAuthorizationException.class);
            HttpResponse<Buffer> added = call("POST", "/v1/acls", adminToken(),
                    new JsonObject().put("acls", new JsonArray().add(acl("User:alice", "WRITE", "TOPIC", "admin-live"))), null);
            assertThat(added.statusCode()).as(added.bodyAsString()).isEqualTo(201);
            assertThat(added.getHeader("ETag")).isEqualTo("\"v" + added.bodyAsJsonObject().getLong("version") + "\"");
            alice.send(new ProducerRecord<>("admin-live", "k", "after")).get(20, TimeUnit.SECONDS);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(AuditQuery.find(pki.dir.resolve("audit-admin"), AuditQuery.Filter.all())).anySatisfy(e -> {
                    assertThat(e.path("unmapped").path("event_type").asText()).isEqualTo("admin_action");
                    assertThat(e.path("actor").path("user").path("name").asText()).isEqualTo("User:root");
                    assertThat(e.path("unmapped").path("details").path("added").asText()).contains("User:alice WRITE topic:admin-live");
                    assertThat(e.path("unmapped").path("details").path("before_version").asText()).isNotEmpty();
                }));
    }

    @Test
    void wholePolicyEditsNeedIfMatchAndAStaleOneIsRefused() throws Exception {
        HttpResponse<Buffer> current = call("GET", "/v1/policy", adminToken(), null, null);
        String etag = current.getHeader("ETag");
        String yaml = current.bodyAsJsonObject().getString("yaml");
        JsonObject body = new JsonObject().put("yaml", yaml + "\n  - principal: User:bob\n    operations: [read]\n    topic: admin-payments\n")
                .put("comment", "bob reads payments");
        if (!yaml.contains("acls:")) {
            body.put("yaml", yaml + "\nacls:\n  - principal: User:bob\n    operations: [read]\n    topic: admin-payments\n");
        }
        assertThat(call("PUT", "/v1/policy", adminToken(), body, null).statusCode()).isEqualTo(428);
        HttpResponse<Buffer> first = call("PUT", "/v1/policy", adminToken(), body, etag);
        assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(200);
        HttpResponse<Buffer> second = call("PUT", "/v1/policy", adminToken(), body, etag);
        assertThat(second.statusCode()).isEqualTo(412);
        assertThat(second.bodyAsJsonObject().getString("error")).contains("version");

        JsonObject valid = call("POST", "/v1/policy/validate", adminToken(), new JsonObject().put("yaml", body.getString("yaml")), null)
                .bodyAsJsonObject();
        assertThat(valid.getBoolean("valid")).isTrue();
        assertThat(valid.getInteger("acls")).isPositive();
        JsonObject invalid = call("POST", "/v1/policy/validate", token("reader", List.of("auditor"), AUDIENCE, Duration.ofMinutes(5)),
                new JsonObject().put("yaml", "acls:\n  - principal: alice\n    operations: [read]\n    topic: t\n"), null).bodyAsJsonObject();
        assertThat(invalid.getBoolean("valid")).isFalse();
        assertThat(invalid.getString("error")).contains("policy:2").contains("must be Type:name");

        HttpResponse<Buffer> broken = call("PUT", "/v1/policy", adminToken(),
                new JsonObject().put("yaml", "acls:\n  - principal: User:bob\n    operations: [reed]\n    topic: t\n"), first.getHeader("ETag"));
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(broken.bodyAsJsonObject().getString("error")).contains("policy:3").contains("reed");
        assertThat(broken.bodyAsJsonObject().getString("field")).isEqualTo("yaml");
    }

    @Test
    void aclsKafkaWouldRejectAreRefusedWithTheReasonAndDeletingOneKeepsItsSiblings() throws Exception {
        HttpResponse<Buffer> emptyName = call("POST", "/v1/acls", adminToken(),
                new JsonObject().put("acls", new JsonArray().add(acl("User:bob", "READ", "TOPIC", ""))), null);
        assertThat(emptyName.statusCode()).isEqualTo(400);
        assertThat(emptyName.bodyAsJsonObject().getString("error")).isEqualTo("acls[0]: resource name must not be empty");
        HttpResponse<Buffer> wrongOp = call("POST", "/v1/acls", adminToken(),
                new JsonObject().put("acls", new JsonArray().add(acl("User:bob", "WRITE", "GROUP", "billing"))), null);
        assertThat(wrongOp.statusCode()).isEqualTo(400);
        assertThat(wrongOp.bodyAsJsonObject().getString("error")).startsWith("acls[0]: operation write does not apply to groups");
        HttpResponse<Buffer> unknownOp = call("POST", "/v1/acls", adminToken(),
                new JsonObject().put("acls", new JsonArray().add(acl("User:bob", "FLY", "TOPIC", "x"))), null);
        assertThat(unknownOp.statusCode()).isEqualTo(400);
        assertThat(unknownOp.bodyAsJsonObject().getString("error")).contains("operation: unknown value 'FLY'");
        HttpResponse<Buffer> missingField = call("POST", "/v1/acls", adminToken(),
                new JsonObject().put("acls", new JsonArray().add(new JsonObject().put("principal", "User:bob"))), null);
        assertThat(missingField.statusCode()).isEqualTo(400);
        assertThat(missingField.bodyAsJsonObject().getString("error")).contains("operation");

        JsonArray three = new JsonArray().add(acl("User:carol", "READ", "TOPIC", "admin-a"))
                .add(acl("User:carol", "READ", "TOPIC", "admin-b")).add(acl("User:carol", "WRITE", "TOPIC", "admin-a"));
        assertThat(call("POST", "/v1/acls", adminToken(), new JsonObject().put("acls", three), null).statusCode()).isEqualTo(201);
        HttpResponse<Buffer> removed = call("POST", "/v1/acls/delete", adminToken(), new JsonObject().put("filters",
                new JsonArray().add(new JsonObject().put("principal", "User:carol").put("operation", "READ")
                        .put("resourceType", "TOPIC").put("resourceName", "admin-a").put("patternType", "LITERAL"))), null);
        assertThat(removed.statusCode()).isEqualTo(200);
        assertThat(removed.bodyAsJsonObject().getJsonArray("removed")).hasSize(1);
        HttpResponse<Buffer> left = http.get("/v1/acls").addQueryParam("principal", "User:carol")
                .bearerTokenAuthentication(adminToken()).send().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(left.bodyAsJsonObject().getJsonArray("acls")).extracting(a -> ((JsonObject) a).getString("resourceName") + "/"
                + ((JsonObject) a).getString("operation")).containsExactlyInAnyOrder("admin-b/READ", "admin-a/WRITE");
    }

    @Test
    void listingAclsByHostFindsAnIpv6AddressWrittenInAnyForm() throws Exception {
        HttpResponse<Buffer> added = call("POST", "/v1/acls", adminToken(), new JsonObject().put("acls", new JsonArray()
                .add(acl("User:ivan", "READ", "TOPIC", "admin-orders").put("host", "::1"))), null);
        assertThat(added.statusCode()).as(added.bodyAsString()).isEqualTo(201);
        for (String host : List.of("::1", "0:0:0:0:0:0:0:1", "0::0:1")) {
            HttpResponse<Buffer> listed = send(http.get("/v1/acls").addQueryParam("principal", "User:ivan")
                    .addQueryParam("host", host).bearerTokenAuthentication(adminToken()), null);
            assertThat(listed.statusCode()).as(listed.bodyAsString()).isEqualTo(200);
            assertThat(listed.bodyAsJsonObject().getJsonArray("acls")).as("host=" + host).hasSize(1);
        }
    }

    @Test
    void explainNamesTheDecidingRule() throws Exception {
        HttpResponse<Buffer> r = call("POST", "/v1/explain", adminToken(),
                new JsonObject().put("principal", "User:alice").put("operation", "DESCRIBE").put("resourceType", "TOPIC")
                        .put("resourceName", "admin-orders"), null);
        assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
        assertThat(r.bodyAsJsonObject().getString("decision")).isEqualTo("ALLOW");
        assertThat(r.bodyAsJsonObject().getJsonObject("rule").getString("patternType")).isEqualTo("PREFIXED");
        JsonObject denied = call("POST", "/v1/explain", adminToken(), new JsonObject().put("principal", "User:mallory")
                .put("operation", "READ").put("resourceType", "TOPIC").put("resourceName", "admin-orders"), null).bodyAsJsonObject();
        assertThat(denied.getString("decision")).isEqualTo("DENY");
        assertThat(denied.getString("reason")).isEqualTo("NO_ALLOW_ACL");
    }

    @Test
    void historyDiffAndRollback() throws Exception {
        long before = call("GET", "/v1/policy", adminToken(), null, null).bodyAsJsonObject().getLong("version");
        call("POST", "/v1/acls", adminToken(), new JsonObject().put("acls",
                new JsonArray().add(acl("User:dave", "READ", "GROUP", "dave-group"))), null);
        HttpResponse<Buffer> diff = http.get("/v1/policy/diff").addQueryParam("from", Long.toString(before))
                .bearerTokenAuthentication(adminToken()).send().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(diff.statusCode()).as(diff.bodyAsString()).isEqualTo(200);
        assertThat(diff.bodyAsJsonObject().getJsonArray("added")).anySatisfy(a -> assertThat(((JsonObject) a).getString("principal")).isEqualTo("User:dave"));
        HttpResponse<Buffer> current = call("GET", "/v1/policy", adminToken(), null, null);
        HttpResponse<Buffer> rolled = call("POST", "/v1/policy/rollback", adminToken(), new JsonObject().put("version", before), current.getHeader("ETag"));
        assertThat(rolled.statusCode()).as(rolled.bodyAsString()).isEqualTo(200);
        assertThat(rolled.bodyAsJsonObject().getJsonArray("removed")).anySatisfy(a -> assertThat(((JsonObject) a).getString("principal")).isEqualTo("User:dave"));
        JsonArray history = call("GET", "/v1/policy/history", adminToken(), null, null).bodyAsJsonObject().getJsonArray("versions");
        assertThat(history.getJsonObject(history.size() - 1).getString("comment")).isEqualTo("rollback to version " + before);
        assertThat(call("GET", "/v1/policy/versions/99999", adminToken(), null, null).statusCode()).isEqualTo(404);
        // 2^32 + 1 is not version 1.
        assertThat(call("GET", "/v1/policy/versions/4294967297", adminToken(), null, null).statusCode()).isEqualTo(404);
    }

    @Test
    void aPolicyOfSeveralMebibytesCanBeReplacedThroughTheApi() throws Exception {
        JsonObject read = call("GET", "/v1/policy", adminToken(), null, null).bodyAsJsonObject();
        String original = read.getString("yaml");
        StringBuilder yaml = new StringBuilder(original);
        if (!original.contains("acls:")) {
            yaml.append("acls:\n");
        }
        String padding = "x".repeat(200);
        for (int i = 0; i < 24_000; i++) { // about 6 MiB
            yaml.append("  - principal: User:bulk\n    operations: [read]\n    topic: bulk-").append(padding).append('-')
                    .append(i).append('\n');
        }
        assertThat(yaml.length()).isGreaterThan(5 * 1024 * 1024);
        HttpResponse<Buffer> large = call("PUT", "/v1/policy", adminToken(), new JsonObject().put("yaml", yaml.toString()),
                read.getLong("version").toString());
        assertThat(large.statusCode()).as(large.bodyAsString()).isEqualTo(200);
        assertThat(cli(0, "list", "--principal", "User:bulk")).contains("topic:bulk-" + padding + "-23999");

        long now = call("GET", "/v1/policy", adminToken(), null, null).bodyAsJsonObject().getLong("version");
        HttpResponse<Buffer> back = call("PUT", "/v1/policy", adminToken(), new JsonObject().put("yaml", original),
                Long.toString(now));
        assertThat(back.statusCode()).as(back.bodyAsString()).isEqualTo(200);
    }

    @Test
    void aVersionNumberBeyondALongNamesNoVersion() throws Exception {
        // 2^64 + 1 and 2^63 would be versions 1 and Long.MIN_VALUE as longs.
        for (String number : List.of("18446744073709551617", "9223372036854775808")) {
            HttpResponse<Buffer> read = call("GET", "/v1/policy/versions/" + number, adminToken(), null, null);
            assertThat(read.statusCode()).as(read.bodyAsString()).isEqualTo(404);
            assertThat(read.bodyAsJsonObject().getString("error")).startsWith("no policy version " + number + ";");
            HttpResponse<Buffer> diff = send(http.get("/v1/policy/diff").addQueryParam("from", "1").addQueryParam("to", number)
                    .bearerTokenAuthentication(adminToken()), null);
            assertThat(diff.statusCode()).as(diff.bodyAsString()).isEqualTo(404);
            assertThat(diff.bodyAsJsonObject().getString("error")).startsWith("no policy version " + number + ";");
            HttpResponse<Buffer> rollback = call("POST", "/v1/policy/rollback", adminToken(),
                    new JsonObject().put("version", new java.math.BigInteger(number)), "*");
            assertThat(rollback.statusCode()).as(rollback.bodyAsString()).isEqualTo(404);
            assertThat(rollback.bodyAsJsonObject().getString("error")).startsWith("no policy version " + number + ";");
        }
    }

    @Test
    void theContractIsServedAndRequestsAreValidatedAgainstIt() throws Exception {
        HttpResponse<Buffer> spec = call("GET", "/openapi.json", null, null, null);
        assertThat(spec.statusCode()).isEqualTo(200);
        assertThat(spec.bodyAsJsonObject().getJsonObject("paths").fieldNames()).contains("/v1/acls", "/v1/explain", "/v1/policy/rollback");
        HttpResponse<Buffer> extra = call("POST", "/v1/explain", adminToken(), new JsonObject().put("principal", "User:a")
                .put("operation", "READ").put("resourceType", "TOPIC").put("resourceName", "t").put("colour", "blue"), null);
        assertThat(extra.statusCode()).isEqualTo(400);
        HttpResponse<Buffer> badVersion = call("GET", "/v1/policy/versions/zero", adminToken(), null, null);
        assertThat(badVersion.statusCode()).isEqualTo(400);
    }

    /**
     * With {@code admin.metrics.authentication: required} (the default beyond loopback) /metrics is read only by
     * callers with an admin role: the {@code metrics-reader} role of a scraper, which may read nothing else, or either
     * of the others; health stays open.
     */
    @Test
    void metricsNeedAnAdminRoleWhenAuthenticationIsRequired() throws Exception {
        HttpResponse<Buffer> anonymous = call("GET", "/metrics", null, null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.bodyAsString()).doesNotContain("warden_");
        HttpResponse<Buffer> noRole = call("GET", "/metrics", token("nobody", List.of("viewer"), AUDIENCE, Duration.ofMinutes(5)), null, null);
        assertThat(noRole.statusCode()).isEqualTo(403);
        assertThat(noRole.bodyAsJsonObject().getString("error")).contains("auditor or metrics-reader or policy-admin");

        String scraper = token("prometheus", List.of("metrics-reader"), AUDIENCE, Duration.ofMinutes(5));
        HttpResponse<Buffer> scraped = call("GET", "/metrics", scraper, null, null);
        assertThat(scraped.statusCode()).isEqualTo(200);
        assertThat(scraped.bodyAsString()).contains("warden_")
                .as("the admin API's own certificate is watched like a listener's")
                .contains("warden_tls_certificate_expiry_days{listener=\"admin-api\"}");
        assertThat(call("GET", "/metrics", scraper, null, null).statusCode()).as("scraped again, as Prometheus does").isEqualTo(200);
        assertThat(call("GET", "/v1/policy", scraper, null, null).statusCode()).as("a scraper reads no policy").isEqualTo(403);
        assertThat(send(watcher.get("/metrics"), null).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/health/live", null, null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void mtlsAdminsGetTheRoleTheirCertificateIsMappedTo() throws Exception {
        HttpResponse<Buffer> read = send(watcher.get("/v1/policy"), null);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(send(watcher.post("/v1/acls"), new JsonObject().put("acls",
                new JsonArray().add(acl("User:erin", "READ", "TOPIC", "admin-orders")))).statusCode()).isEqualTo(403);
        HttpResponse<Buffer> added = send(ops.post("/v1/acls"), new JsonObject().put("acls",
                new JsonArray().add(acl("User:erin", "READ", "TOPIC", "admin-orders"))));
        assertThat(added.statusCode()).as(added.bodyAsString()).isEqualTo(201);
    }

    @Test
    void kafkaAclToolsEditTheGatewaysPolicy() throws Exception {
        Map<String, Object> adminSettings = new HashMap<>(as("admin"));
        adminSettings.put("bootstrap.servers", gateway.bootstrap());
        AclBinding frank = new AclBinding(new ResourcePattern(ResourceType.TOPIC, "admin-orders", PatternType.LITERAL),
                new AccessControlEntry("User:frank", "*", AclOperation.READ, AclPermissionType.ALLOW));
        AclBinding frankGroup = new AclBinding(new ResourcePattern(ResourceType.GROUP, "frank-", PatternType.PREFIXED),
                new AccessControlEntry("User:frank", "*", AclOperation.READ, AclPermissionType.ALLOW));
        try (Admin admin = Admin.create(adminSettings)) {
            admin.createAcls(List.of(frank, frankGroup)).all().get(30, TimeUnit.SECONDS);
            AclBindingFilter franks = new AclBindingFilter(ResourcePatternFilter.ANY,
                    new AccessControlEntryFilter("User:frank", null, AclOperation.ANY, AclPermissionType.ANY));
            assertThat(admin.describeAcls(franks).values().get(30, TimeUnit.SECONDS)).containsExactlyInAnyOrder(frank, frankGroup);
            HttpResponse<Buffer> viaApi = http.get("/v1/acls").addQueryParam("principal", "User:frank")
                    .bearerTokenAuthentication(adminToken()).send().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(viaApi.bodyAsJsonObject().getJsonArray("acls")).hasSize(2);

            AclBinding empty = new AclBinding(new ResourcePattern(ResourceType.TOPIC, "", PatternType.LITERAL),
                    new AccessControlEntry("User:frank", "*", AclOperation.READ, AclPermissionType.ALLOW));
            assertThatThrownBy(() -> admin.createAcls(List.of(empty)).all().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("resource name must not be empty");

            var deleted = admin.deleteAcls(List.of(frank.toFilter())).all().get(30, TimeUnit.SECONDS);
            assertThat(deleted).containsExactly(frank);
            assertThat(admin.describeAcls(franks).values().get(30, TimeUnit.SECONDS)).containsExactly(frankGroup);

            // An IPv6 host is kept in its full form; the text it was created with still lists and removes it.
            AclBinding fromLoopback = new AclBinding(new ResourcePattern(ResourceType.TOPIC, "admin-orders", PatternType.LITERAL),
                    new AccessControlEntry("User:frank", "::1", AclOperation.WRITE, AclPermissionType.ALLOW));
            admin.createAcls(List.of(fromLoopback)).all().get(30, TimeUnit.SECONDS);
            AclBindingFilter byHost = new AclBindingFilter(ResourcePatternFilter.ANY,
                    new AccessControlEntryFilter("User:frank", "::1", AclOperation.ANY, AclPermissionType.ANY));
            assertThat(admin.describeAcls(byHost).values().get(30, TimeUnit.SECONDS)).hasSize(1);
            assertThat(admin.deleteAcls(List.of(fromLoopback.toFilter())).all().get(30, TimeUnit.SECONDS)).hasSize(1);
            assertThat(admin.describeAcls(franks).values().get(30, TimeUnit.SECONDS)).containsExactly(frankGroup);
        }
        Map<String, Object> bobSettings = new HashMap<>(as("bob"));
        bobSettings.put("bootstrap.servers", gateway.bootstrap());
        try (Admin bob = Admin.create(bobSettings)) {
            assertThatThrownBy(() -> bob.createAcls(List.of(frank)).all().get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOf(ClusterAuthorizationException.class);
            assertThatThrownBy(() -> bob.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOf(ClusterAuthorizationException.class);
        }
    }

    /** Kafka's own {@code kafka-acls} tool run against the gateway as this user, in this JVM. */
    static ExternalProcess.Result kafkaAcls(String user, String... args) throws Exception {
        return KafkaTools.kafkaAcls(gateway.bootstrap(), as(user), pki.dir, args);
    }

    @Test
    void theKafkaAclsToolAddsListsAndRemovesAclsThatApplyAtOnce() throws Exception {
        var added = kafkaAcls("admin", "--add", "--allow-principal", "User:grace", "--producer", "--topic", "admin-live");
        assertThat(added.exit()).as(added.output()).isZero();
        var listed = kafkaAcls("admin", "--list", "--topic", "admin-live");
        assertThat(listed.exit()).as(listed.output()).isZero();
        assertThat(listed.output()).contains("principal=User:grace").contains("operation=WRITE", "operation=DESCRIBE", "operation=CREATE");

        // the tool's ACLs are the gateway's policy: grace may now write, at once
        try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), as("grace"))) {
            producer.send(new ProducerRecord<>("admin-live", "k", "allowed by kafka-acls")).get(30, TimeUnit.SECONDS);
        }

        var removed = kafkaAcls("admin", "--remove", "--force", "--allow-principal", "User:grace", "--producer", "--topic", "admin-live");
        assertThat(removed.exit()).as(removed.output()).isZero();
        assertThat(kafkaAcls("admin", "--list", "--topic", "admin-live").output()).doesNotContain("User:grace");
        try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), as("grace"))) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("admin-live", "k", "denied again")).get(30, TimeUnit.SECONDS))
                    .cause().isInstanceOf(TopicAuthorizationException.class);
        }

        // a principal the policy does not let administer ACLs gets Kafka's error from the tool
        var refused = kafkaAcls("bob", "--add", "--allow-principal", "User:bob", "--operation", "All", "--topic", "*");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.output()).contains("ClusterAuthorizationException");
    }

    /** {@code warden policies list|diff|apply|explain|history|rollback} against the running admin API (HTTPS). */
    static String cli(int expectedExit, String... args) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--url", "https://localhost:" + gateway.server().adminPort(), "--token", adminToken(),
                "--ca", pki.dir.resolve("ca.crt").toString()));
        int exit = io.warden.gateway.admin.AdminCommand.run(all, new java.io.PrintStream(out), new java.io.PrintStream(err));
        String text = out.toString(java.nio.charset.StandardCharsets.UTF_8) + err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(exit).as(text).isEqualTo(expectedExit);
        return text;
    }

    @Test
    void theCommandLineAppliesAFileOnlyOnTheVersionItWasMadeFrom() throws Exception {
        JsonObject read = call("GET", "/v1/policy", adminToken(), null, null).bodyAsJsonObject();
        long madeFrom = read.getLong("version");
        String yaml = read.getString("yaml");
        java.nio.file.Path file = pki.dir.resolve("if-match-policy.yaml");
        Files.writeString(file, yaml + (yaml.contains("acls:") ? "" : "acls:\n")
                + "  - principal: User:judy\n    operations: [read]\n    topic: admin-judy\n");
        HttpResponse<Buffer> between = call("POST", "/v1/acls", adminToken(), new JsonObject().put("acls",
                new JsonArray().add(acl("User:kim", "READ", "TOPIC", "admin-kim"))), null);
        assertThat(between.statusCode()).as(between.bodyAsString()).isEqualTo(201);

        assertThat(cli(1, "apply", file.toString(), "--if-match", Long.toString(madeFrom))).contains("error: 412");
        assertThat(cli(0, "list", "--principal", "User:kim")).as("not overwritten").contains("User:kim READ topic:admin-kim");
        assertThat(cli(0, "list", "--principal", "User:judy")).doesNotContain("User:judy");

        long now = call("GET", "/v1/policy", adminToken(), null, null).bodyAsJsonObject().getLong("version");
        assertThat(cli(0, "apply", file.toString(), "--if-match", "v" + now)).contains("applied " + file);
        assertThat(cli(0, "list", "--principal", "User:judy")).contains("User:judy READ topic:admin-judy");

        assertThat(cli(2, "apply", file.toString(), "--if-match", "seven"))
                .contains("--if-match: expected the policy version the edit is made from, such as 7, got seven");
        assertThat(cli(2, "apply", file.toString(), "--if-matches", "7"))
                .contains("apply has no option --if-matches (it takes [--comment, --if-match])");
        assertThat(cli(2, "history", "--principal", "User:kim")).contains("history has no option --principal");
    }

    @Test
    void theCommandLineListsDiffsAppliesExplainsAndRollsBack() throws Exception {
        java.nio.file.Path file = pki.dir.resolve("cli-policy.yaml");
        String current = call("GET", "/v1/policy", adminToken(), null, null).bodyAsJsonObject().getString("yaml");
        Files.writeString(file, current + (current.contains("acls:") ? "" : "acls:\n")
                + "  - principal: User:heidi\n    operations: [read]\n    topic: admin-cli\n");
        assertThat(cli(0, "diff", file.toString())).contains("+ ALLOW User:heidi READ topic:admin-cli");
        String applied = cli(0, "apply", file.toString(), "--comment", "heidi reads admin-cli");
        assertThat(applied).contains("applied " + file).contains("1 ACLs added");
        assertThat(cli(0, "list", "--principal", "User:heidi")).contains("ALLOW User:heidi READ topic:admin-cli");
        assertThat(cli(0, "explain", "--principal", "User:heidi", "--operation", "READ", "--resource-type", "TOPIC",
                "--resource-name", "admin-cli")).startsWith("ALLOW (ALLOWED_BY_ACL");
        String history = cli(0, "history");
        assertThat(history).contains("heidi reads admin-cli").contains("User:root");
        long version = call("GET", "/v1/policy", adminToken(), null, null).bodyAsJsonObject().getLong("version");
        assertThat(cli(1, "rollback", Long.toString(version - 1), "--if-match", Long.toString(version - 1)))
                .as("the policy is no longer the version the rollback was made from").contains("error: 412");
        assertThat(cli(0, "list", "--principal", "User:heidi")).contains("ALLOW User:heidi READ topic:admin-cli");
        assertThat(cli(0, "rollback", Long.toString(version - 1), "--if-match", Long.toString(version)))
                .contains("rolled back to version " + (version - 1));
        assertThat(cli(0, "list", "--principal", "User:heidi")).doesNotContain("User:heidi READ");
        Files.writeString(file, "acls:\n  - principal: User:heidi\n    operations: [raed]\n    topic: x\n");
        assertThat(cli(2, "apply", file.toString())).contains("cli-policy.yaml:3").contains("raed");
        assertThat(cli(1, "rollback", "99999")).contains("404");
        long now = call("GET", "/v1/policy", adminToken(), null, null).bodyAsJsonObject().getLong("version");
        assertThat(cli(2, "rollback", Long.toString(version), "--comment", "x"))
                .as("rollback takes no comment").contains("rollback has no option --comment (it takes [--if-match])");
        assertThat(call("GET", "/v1/policy", adminToken(), null, null).bodyAsJsonObject().getLong("version")).isEqualTo(now);
    }
    /**
     * Fail-closed with a file sink and a Kafka sink that cannot be reached: an edit's intent reaches the file, the
     * Kafka sink fails its batch, and the edit is refused, through the admin API and through CreateAcls. The file then
     * shows each intent followed by one outcome, for the same edit, saying it was not applied and what the caller got.
     */
    @Test
    void anEditRefusedBecauseOneAuditSinkFailedIsShownNotAppliedInTheOthers() throws Exception {
        Files.writeString(pki.dir.resolve("policy-one-sink-down.yaml"), POLICY);
        String yaml = YAML.formatted(GatewayFixture.freeRange(1), SaslPki.ISSUER, AUDIENCE)
                .replace("policyFile: policy.yaml", "policyFile: policy-one-sink-down.yaml")
                .replace("  file: {directory: audit-admin, signingKey: audit-key.pem}\n", """
                          mode: fail-closed
                          file: {directory: audit-one-sink-down, signingKey: audit-key.pem}
                        """ + AuditIT.unreachableKafkaSink());
        AclBinding grace = new AclBinding(new ResourcePattern(ResourceType.TOPIC, "admin-orders", PatternType.LITERAL),
                new AccessControlEntry("User:grace", "*", AclOperation.READ, AclPermissionType.ALLOW));
        try (GatewayFixture failing = GatewayFixture.fromYaml(yaml, pki.dir, cluster.getBootstrapServers())) {
            WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
                    .setDefaultPort(failing.server().adminPort()).setSsl(true)
                    .setTrustOptions(new PemTrustOptions().addCertPath(pki.dir.resolve("ca.crt").toString())));
            HttpResponse<Buffer> viaApi = send(client.post("/v1/acls").bearerTokenAuthentication(adminToken()),
                    new JsonObject().put("acls", new JsonArray().add(acl("User:grace", "READ", "TOPIC", "admin-orders"))));
            assertThat(viaApi.statusCode()).as(viaApi.bodyAsString()).isEqualTo(503);
            Map<String, Object> adminSettings = new HashMap<>(as("admin"));
            adminSettings.put("bootstrap.servers", failing.bootstrap());
            try (Admin admin = Admin.create(adminSettings)) {
                assertThatThrownBy(() -> admin.createAcls(List.of(grace)).all().get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).cause()
                        .isInstanceOf(org.apache.kafka.common.errors.KafkaStorageException.class) // retriable
                        .hasMessageContaining("the policy was not changed");
            }
            assertThat(failing.server().policyAdmin().current().version()).as("the policy unchanged").isEqualTo(1);
        }
        List<com.fasterxml.jackson.databind.JsonNode> edits = AuditQuery.find(pki.dir.resolve("audit-one-sink-down"), AuditQuery.Filter.all())
                .stream().filter(e -> e.path("unmapped").path("details").path("action").asText().equals("policy_edit")).toList();
        List<com.fasterxml.jackson.databind.JsonNode> intents = edits.stream()
                .filter(e -> e.path("unmapped").path("details").path("phase").asText().equals("request")).toList();
        List<com.fasterxml.jackson.databind.JsonNode> outcomes = edits.stream().filter(e -> !intents.contains(e)).toList();
        assertThat(intents).extracting(e -> e.path("api").path("operation").asText()).containsExactly("admin-api", "kafka-acls");
        assertThat(outcomes).extracting(e -> e.path("api").path("request").path("uid").asText())
                .as("one outcome per intent, for the same edit")
                .containsExactlyElementsOf(intents.stream().map(e -> e.path("api").path("request").path("uid").asText()).toList())
                .doesNotContain("");
        assertThat(outcomes).allSatisfy(e -> {
            assertThat(e.path("status").asText()).isEqualTo("Failure");
            assertThat(e.path("unmapped").path("details").path("not_applied").asText()).isEqualTo("audit_unavailable");
            assertThat(e.path("unmapped").path("details").has("after_version")).isFalse();
            assertThat(e.path("status_detail").asText()).startsWith("not applied: its audit event could not be written (audit sink failed: ");
        });
        assertThat(outcomes).extracting(e -> e.path("unmapped").path("error_code").asInt())
                .containsExactly(503, (int) org.apache.kafka.common.protocol.Errors.KAFKA_STORAGE_ERROR.code());
        assertThat(outcomes).extracting(e -> e.path("status_detail").asText().replaceAll(".*\\); ", ""))
                .containsExactly("answered 503", "answered KAFKA_STORAGE_ERROR");
    }
}
