package io.warden.gateway.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kafkajs, a third, independent client implementation (pure JavaScript, and older protocol versions than the Java
 * client's), through a SCRAM listener under a policy: admin, producer (plain and gzip batches) and a consumer group.
 * The script is {@code src/test/node/client.js}; {@code .ci/install-test-tools} installs node and kafkajs.
 */
@ExtendWith(KafkaClusterExtension.class)
class KafkajsIT {

    static final String POLICY = """
            acls:
              - principal: User:js
                operations: [read, write, describe]
                topics: {prefix: js.}
              - principal: User:js
                operations: [describe]
                topics: [js-denied]
              - principal: User:js
                operations: [read, describe]
                groups: [js-group]
            """;

    static final Path NODE_DIR = Path.of("src/test/node");

    static KafkaCluster cluster;
    static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        SaslPki pki = SaslPki.withUsersAndPolicy(POLICY, "js");
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            Clients.createTopic(direct, "js.orders", 2, (short) 1);
            Clients.createTopic(direct, "js-denied", 1, (short) 1);
            Clients.createTopic(direct, "hidden", 1, (short) 1);
        }
        gateway = GatewayFixture.fromYaml(SaslPki.SCRAM_WITH_POLICY, pki.dir, cluster.getBootstrapServers());
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void kafkajsProducesAndConsumesInAGroupSeeingOnlyGatewayAddressesAndAllowedTopics() throws Exception {
        int count = 200;
        JsonNode out = run(Map.of("brokers", List.of(gateway.bootstrap()), "username", "js", "password", "js-secret",
                "topic", "js.orders", "deniedTopic", "js-denied", "groupId", "js-group", "count", count));

        for (JsonNode broker : out.get("brokers")) {
            String[] hostPort = broker.asText().split(":");
            assertThat(gateway.isGatewayAddress(hostPort[0], Integer.parseInt(hostPort[1]))).as(broker.asText()).isTrue();
        }
        assertThat(out.get("brokers")).isNotEmpty();
        assertThat(texts(out.get("topics"))).containsExactly("js-denied", "js.orders"); // "hidden" is not described
        assertThat(out.get("denied").asText()).isEqualTo("TOPIC_AUTHORIZATION_FAILED");
        List<String> consumed = texts(out.get("consumed"));
        assertThat(consumed).hasSize(count).doesNotHaveDuplicates().contains("message-0", "message-" + (count - 1));
        assertThat(out.get("committed").asLong()).isEqualTo(count);
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Runs the kafkajs script with these settings and returns what it printed. */
    static JsonNode run(Map<String, Object> settings) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Process p = new ProcessBuilder("node", "client.js", json.writeValueAsString(settings))
                .directory(NODE_DIR.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kafkajs did not finish");
        }
        String text = new String(output, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(text).isZero();
        return json.readTree(text.lines().reduce((first, second) -> second).orElseThrow());
    }
}
