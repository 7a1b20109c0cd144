package io.warden.dev;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.warden.gateway.config.ConfigLoader;
import io.warden.gateway.config.WardenConfig;
import io.warden.gateway.proxy.GatewayServer;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code warden bench policy}: how long an accepted policy edit takes to be enforced by every gateway sharing the
 * policy. One embedded broker; two gateways (in this JVM, each with its own Vert.x) whose policy store is the same
 * compacted topic, each with its admin API. Each edit adds one ACL through the admin API of one gateway, alternating;
 * the time runs from sending the request to the moment each gateway has applied the new version to its authorizer
 * (the point from which its next request is checked against it). Prints p50, p99 and max over the edits, per gateway
 * and for both; the last line is {@code policy edit->enforced on both: p99=<ms> max=<ms> (target < 1000 ms)}.
 */
final class PolicyBenchmark {

    private PolicyBenchmark() {
    }

    static int run(List<String> args) throws Exception {
        int edits = 100;
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--edits") && i + 1 < args.size()) {
                edits = Integer.parseInt(args.get(++i));
            } else {
                System.err.println("usage: warden bench policy [--edits N]");
                return 2;
            }
        }
        Path work = PerfTools.workDir().resolve("bench-policy").toAbsolutePath();
        Files.createDirectories(work);
        Files.writeString(work.resolve("policy.yaml"), "superUsers: [User:ANONYMOUS]\nacls: []\n");
        String token = Demo.adminToken(work);
        String topic = "warden-policy-bench-" + System.currentTimeMillis();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(work.resolve("kafka"), 0, Map.of())) {
            Vertx vertx = Vertx.vertx();
            try {
                GatewayServer a = start(vertx, work, broker.bootstrapServers(), topic);
                GatewayServer b = start(vertx, work, broker.bootstrapServers(), topic);
                List<GatewayServer> gateways = List.of(a, b);
                List<Map<Long, Long>> applied = List.of(new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
                for (int g = 0; g < 2; g++) {
                    Map<Long, Long> seen = applied.get(g);
                    gateways.get(g).policyAdmin().store().onChange(v -> seen.put(v.version(), System.nanoTime()));
                }
                HttpClient http = HttpClient.newHttpClient();
                List<Double> onA = new ArrayList<>();
                List<Double> onB = new ArrayList<>();
                List<Double> onBoth = new ArrayList<>();
                System.out.printf(Locale.ROOT, "bench policy: %d edits, two gateways sharing topic %s, admin APIs on %d and %d%n",
                        edits, topic, a.adminPort(), b.adminPort());
                for (int i = 0; i < edits; i++) {
                    GatewayServer via = gateways.get(i % 2);
                    JsonObject acl = new JsonObject().put("principal", "User:bench-" + i).put("operation", "READ")
                            .put("resourceType", "TOPIC").put("resourceName", "bench-" + i);
                    long sent = System.nanoTime();
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + via.adminPort() + "/v1/acls"))
                                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("acls", new io.vertx.core.json.JsonArray().add(acl)).encode()))
                                    .build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 201) {
                        throw new IllegalStateException("edit " + i + " refused: " + r.statusCode() + " " + r.body());
                    }
                    long version = new JsonObject(r.body()).getLong("version");
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (!(applied.get(0).containsKey(version) && applied.get(1).containsKey(version))) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("version " + version + " not applied by both gateways within 10 s");
                        }
                        Thread.sleep(0, 200_000);
                    }
                    double ta = (applied.get(0).get(version) - sent) / 1e6;
                    double tb = (applied.get(1).get(version) - sent) / 1e6;
                    onA.add(ta);
                    onB.add(tb);
                    onBoth.add(Math.max(ta, tb));
                }
                // The last ACL is enforced by both: Kafka's decision through each gateway's authorizer.
                for (GatewayServer g : gateways) {
                    if (!g.policyAdmin().describe(new org.apache.kafka.common.acl.AclBindingFilter(
                            new org.apache.kafka.common.resource.ResourcePatternFilter(org.apache.kafka.common.resource.ResourceType.TOPIC,
                                    "bench-" + (edits - 1), org.apache.kafka.common.resource.PatternType.LITERAL),
                            org.apache.kafka.common.acl.AccessControlEntryFilter.ANY)).iterator().hasNext()) {
                        throw new IllegalStateException("the last edit is missing on a gateway");
                    }
                }
                print("gateway A", onA);
                print("gateway B", onB);
                print("both", onBoth);
                System.out.printf(Locale.ROOT, "policy edit->enforced on both: p99=%.1f ms max=%.1f ms (target < 1000 ms)%n",
                        percentile(onBoth, 0.99), percentile(onBoth, 1.0));
                a.stop().await(30, TimeUnit.SECONDS);
                b.stop().await(30, TimeUnit.SECONDS);
            } finally {
                vertx.close().await(30, TimeUnit.SECONDS);
            }
        }
        return 0;
    }

    private static GatewayServer start(Vertx vertx, Path work, String broker, String topic) throws Exception {
        int bootstrap = freePort();
        int first = freePort();
        String yaml = """
                listeners:
                  - name: plain
                    bootstrapPort: %d
                    brokerPorts: %d-%d
                    firstNodeId: %d
                authorization:
                  policyFile: policy.yaml
                  kafkaStore: {bootstrapServers: ["%s"], topic: %s}
                admin:
                  port: %d
                  jwt: {jwksFile: admin-jwks.json, issuer: "%s", audience: %s}
                upstream:
                  bootstrapServers: ["%s"]
                """.formatted(bootstrap, first, first, EmbeddedKafkaBroker.NODE_ID, broker, topic, freePort(),
                Demo.ADMIN_ISSUER, Demo.ADMIN_AUDIENCE, broker);
        WardenConfig config = ConfigLoader.parse("bench-policy.yaml", yaml, work);
        return GatewayServer.start(vertx, config, 1).await(60, TimeUnit.SECONDS);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void print(String label, List<Double> ms) {
        System.out.printf(Locale.ROOT, "%-10s p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms%n", label,
                percentile(ms, 0.5), percentile(ms, 0.99), percentile(ms, 1.0));
    }

    private static double percentile(List<Double> values, double p) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
