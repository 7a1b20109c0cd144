package io.warden.gateway.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kafkajs, a third, independent client implementation (pure JavaScript, and older protocol versions than the Java
 * client's), through SCRAM listeners (SASL_PLAINTEXT and SASL_SSL, with Node's TLS) under a policy: admin, producer (plain and gzip batches), transactions (one
 * committed with offsets, one aborted) and a consumer group.
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
                groups: {prefix: js-}
              - principal: User:js
                operations: [write, describe]
                transactionalIds: {prefix: js-}
            """;

    static final Path NODE_DIR = Path.of("src/test/node");

    static KafkaCluster cluster;
    static SaslPki pki;

    @BeforeAll
    static void start() throws Exception {
        pki = SaslPki.withUsersAndPolicy(POLICY, "js");
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            Clients.createTopic(direct, "js.plain", 2, (short) 1);
            Clients.createTopic(direct, "js.tls", 2, (short) 1);
            Clients.createTopic(direct, "js-denied", 1, (short) 1);
            Clients.createTopic(direct, "hidden", 1, (short) 1);
        }
    }

    @Test
    void overSaslPlaintext() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.fromYaml(SaslPki.SCRAM_WITH_POLICY, pki.dir, cluster.getBootstrapServers())) {
            producesTransactsAndConsumesSeeingOnlyGatewayAddressesAndAllowedTopics(gateway, "plain", null);
        }
    }

    @Test
    void overSaslSsl() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.fromYaml(SaslPki.SCRAM_SSL_WITH_POLICY, pki.dir, cluster.getBootstrapServers())) {
            producesTransactsAndConsumesSeeingOnlyGatewayAddressesAndAllowedTopics(gateway, "tls",
                    pki.dir.resolve("ca.crt").toAbsolutePath().toString());
        }
    }

    /** kafkajs's admin, producer, transactions and consumer group, on the topic {@code js.<name>}. */
    static void producesTransactsAndConsumesSeeingOnlyGatewayAddressesAndAllowedTopics(GatewayFixture gateway, String name,
                                                                                       String caFile) throws Exception {
        int count = 200;
        Map<String, Object> settings = new HashMap<>(Map.of("brokers", List.of(gateway.bootstrap()), "username", "js",
                "password", "js-secret", "topic", "js." + name, "deniedTopic", "js-denied", "groupId", "js-group-" + name,
                "count", count, "transactionalId", "js-tx-" + name, "offsetsGroupId", "js-tx-group-" + name));
        if (caFile != null) {
            settings.put("caFile", caFile);
        }
        JsonNode out = run(settings);

        assertThat(ExternalProcess.texts(out.get("brokers"))).isNotEmpty().allMatch(gateway::isGatewayAddress);
        assertThat(ExternalProcess.texts(out.get("topics"))).containsExactly("js-denied", "js.plain", "js.tls"); // "hidden" is not described
        assertThat(out.get("denied").asText()).isEqualTo("TOPIC_AUTHORIZATION_FAILED");
        List<String> consumed = ExternalProcess.texts(out.get("consumed"));
        // the committed transaction's records and none of the aborted one's (kafkajs reads committed records only)
        assertThat(consumed).hasSize(count + 5).doesNotHaveDuplicates().contains("message-0", "message-" + (count - 1))
                .contains("committed-0", "committed-4").noneMatch(v -> v.startsWith("aborted-"));
        // offsets committed in a transaction (AddOffsetsToTxn, TxnOffsetCommit) and by the group
        assertThat(out.get("transactionOffset").asLong()).isEqualTo(7);
        assertThat(out.get("committed").asLong()).isGreaterThanOrEqualTo(count + 5);
    }

    /** Runs the kafkajs script with these settings and returns what it printed. */
    static JsonNode run(Map<String, Object> settings) throws Exception {
        return ExternalProcess.script("node", "client.js", NODE_DIR, settings, 120);
    }
}
