package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kcat over SASL_SSL with SCRAM-SHA-512. Debian's kcat links librdkafka 2.0.2, which sends its client nonce twice
 * in the client-final message; Kafka 4 brokers refuse it, the gateway accepts exactly that form unless told not to.
 */
@ExtendWith(KafkaClusterExtension.class)
class KcatSaslIT {

    static final String YAML = SaslPki.SCRAM_SHA_512_LISTENER + """
            authentication:
              users: {file: users.txt}
              allowLegacyScramNonce: %s
            upstream:
              bootstrapServers: ["${UPSTREAM}"]
            """;

    static KafkaCluster cluster;
    static SaslPki pki;
    static String topic;

    @BeforeAll
    static void setUp() throws Exception {
        pki = new SaslPki();
        pki.addUser("carol", "carol-pass-1");
        io.warden.audit.PemKeys.generateEd25519(pki.dir.resolve("audit-key.pem"), pki.dir.resolve("audit-key.pub.pem"));
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            topic = Clients.createTopic(direct, 1);
        }
    }

    private static List<String> sasl(String... more) {
        List<String> args = new java.util.ArrayList<>(List.of(
                "-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=SCRAM-SHA-512",
                "-X", "sasl.username=carol", "-X", "sasl.password=carol-pass-1",
                "-X", "ssl.ca.location=" + pki.dir.resolve("ca.crt")));
        args.addAll(List.of(more));
        return args;
    }

    @Test
    void kcatListsProducesAndConsumesThroughScramSha512() throws Exception {
        String audited = YAML.formatted("true") + "audit: {file: {directory: audit-kcat, signingKey: audit-key.pem}}\n";
        try (GatewayFixture gateway = GatewayFixture.fromYaml(audited, pki.dir, cluster.getBootstrapServers())) {
            ExternalProcess.Result metadata = Kcat.run(gateway.bootstrap(), null, sasl("-L"));
            assertThat(metadata.exit()).as(metadata.output()).isZero();
            assertThat(metadata.output()).contains(topic).doesNotContain(cluster.getBootstrapServers());

            ExternalProcess.Result produced = Kcat.run(gateway.bootstrap(), "scram-1\nscram-2\n", sasl("-t", topic, "-P"));
            assertThat(produced.exit()).as(produced.output()).isZero();
            ExternalProcess.Result consumed = Kcat.run(gateway.bootstrap(), null, sasl("-t", topic, "-C", "-o", "beginning", "-e", "-q"));
            assertThat(consumed.exit()).as(consumed.output()).isZero();
            assertThat(consumed.output().lines()).contains("scram-1", "scram-2");
            assertThat(gateway.server().stats().legacyScramNonces())
                    .as("librdkafka 2.0.2 logged in with the doubled nonce").isPositive();
        }
        // The second client implementation in the audit trail: its logins (with the allowance it needed), its two
        // records written and read back, per partition, with offsets.
        java.nio.file.Path trail = pki.dir.resolve("audit-kcat");
        List<com.fasterxml.jackson.databind.JsonNode> events = io.warden.audit.AuditQuery.find(trail,
                new io.warden.audit.AuditQuery.Filter("User:carol", null, null, null, null));
        assertThat(events).anySatisfy(e -> {
            assertThat(e.path("unmapped").path("event_type").asText()).isEqualTo("authentication_success");
            assertThat(e.path("unmapped").path("details").path("legacy_nonce").asText()).isEqualTo("true");
        });
        for (String type : List.of("produce", "consume")) {
            long records = 0;
            java.util.Set<Long> offsets = new java.util.TreeSet<>();
            for (com.fasterxml.jackson.databind.JsonNode e : events) {
                if (e.path("unmapped").path("event_type").asText().equals(type)) {
                    assertThat(e.path("actor").path("app_name").asText()).isEqualTo("rdkafka");
                    for (com.fasterxml.jackson.databind.JsonNode p : e.path("unmapped").path("partitions")) {
                        if (p.path("topic").asText().equals(topic)) {
                            records += p.path("record_count").asLong();
                            for (long o = p.path("first_offset").asLong(); o <= p.path("last_offset").asLong(); o++) {
                                offsets.add(o);
                            }
                        }
                    }
                }
            }
            assertThat(records).as(type + " records audited").isEqualTo(2);
            assertThat(offsets).as(type + " offsets audited").containsExactly(0L, 1L);
        }
    }

    @Test
    void withTheAllowanceOffTheSameKcatIsRefused() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.fromYaml(YAML.formatted("false"), pki.dir, cluster.getBootstrapServers())) {
            ExternalProcess.Result metadata = Kcat.run(gateway.bootstrap(), null, sasl("-L", "-m", "5"));
            assertThat(metadata.exit()).as(metadata.output()).isNotZero();
            assertThat(metadata.output()).containsIgnoringCase("authentication");
            assertThat(gateway.server().stats().authenticationFailures()).isPositive();
            assertThat(gateway.server().stats().legacyScramNonces()).isZero();
        }
    }
}
