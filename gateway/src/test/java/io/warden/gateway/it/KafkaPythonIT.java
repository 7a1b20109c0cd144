package io.warden.gateway.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * kafka-python 2.0.2 (Debian's python3-kafka), a fourth, independent client implementation — pure Python, which picks
 * its protocol versions from a broker version it infers from ApiVersions, older again than kafkajs's — through SCRAM
 * listeners (SASL_PLAINTEXT and SASL_SSL, with Python's TLS) under a policy: admin, a producer (plain and gzip
 * batches), a refused topic, and a consumer group that commits and resumes. The script is
 * {@code src/test/python/client.py}; {@code .ci/install-test-tools} installs python3-kafka.
 */
@ExtendWith(KafkaClusterExtension.class)
class KafkaPythonIT {

    static final String POLICY = """
            acls:
              - principal: User:py
                operations: [read, write, describe]
                topics: {prefix: py.}
              - principal: User:py
                operations: [describe]
                topics: [py-denied]
              - principal: User:py
                operations: [read, describe]
                groups: {prefix: py-}
            """;

    /** Debian's interpreter, which python3-kafka is installed for (another python3 may come first on the PATH). */
    static final String PYTHON = "/usr/bin/python3";
    static final Path SCRIPT_DIR = Path.of("src/test/python");

    static KafkaCluster cluster;
    static SaslPki pki;

    @BeforeAll
    static void start() throws Exception {
        pki = SaslPki.withUsersAndPolicy(POLICY, "py");
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            Clients.createTopic(direct, "py.plain", 2, (short) 1);
            Clients.createTopic(direct, "py.tls", 2, (short) 1);
            Clients.createTopic(direct, "py-denied", 1, (short) 1);
            Clients.createTopic(direct, "hidden", 1, (short) 1);
        }
    }

    @Test
    void overSaslPlaintext() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.fromYaml(SaslPki.SCRAM_WITH_POLICY, pki.dir, cluster.getBootstrapServers())) {
            producesAndConsumesSeeingOnlyGatewayAddressesAndAllowedTopics(gateway, "plain", null);
        }
    }

    @Test
    void overSaslSsl() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.fromYaml(SaslPki.SCRAM_SSL_WITH_POLICY, pki.dir, cluster.getBootstrapServers())) {
            producesAndConsumesSeeingOnlyGatewayAddressesAndAllowedTopics(gateway, "tls",
                    pki.dir.resolve("ca.crt").toAbsolutePath().toString());
        }
    }

    /** kafka-python's admin, producer and consumer group, on the topic {@code py.<name>}. */
    static void producesAndConsumesSeeingOnlyGatewayAddressesAndAllowedTopics(GatewayFixture gateway, String name,
                                                                             String caFile) throws Exception {
        int count = 200;
        Map<String, Object> settings = new HashMap<>(Map.of("brokers", List.of(gateway.bootstrap()), "username", "py",
                "password", "py-secret", "topic", "py." + name, "deniedTopic", "py-denied", "groupId", "py-group-" + name,
                "count", count));
        if (caFile != null) {
            settings.put("caFile", caFile);
        }
        JsonNode out = ExternalProcess.script(PYTHON, "client.py", SCRIPT_DIR, settings, 180);

        assertThat(out.get("version").asText()).isEqualTo("2.0.2");
        assertThat(ExternalProcess.texts(out.get("brokers"))).isNotEmpty().allMatch(gateway::isGatewayAddress);
        assertThat(ExternalProcess.texts(out.get("topics"))).containsExactly("py-denied", "py.plain", "py.tls"); // not "hidden"
        assertThat(out.get("denied").asText()).isEqualTo("TopicAuthorizationFailedError");
        assertThat(ExternalProcess.texts(out.get("consumed"))).hasSize(count).doesNotHaveDuplicates()
                .contains("message-0", "message-" + (count / 2), "message-" + (count - 1));
        assertThat(out.get("committed").asLong()).isEqualTo(count); // two partitions, committed to their ends
        assertThat(out.get("assignedAgain").asInt()).isEqualTo(2);
        assertThat(out.get("readAgain").asInt()).isZero();
    }
}
