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
        try (GatewayFixture gateway = GatewayFixture.fromYaml(YAML.formatted("true"), pki.dir, cluster.getBootstrapServers())) {
            Kcat.Result metadata = Kcat.run(gateway.bootstrap(), null, sasl("-L"));
            assertThat(metadata.exit()).as(metadata.output()).isZero();
            assertThat(metadata.output()).contains(topic).doesNotContain(cluster.getBootstrapServers());

            Kcat.Result produced = Kcat.run(gateway.bootstrap(), "scram-1\nscram-2\n", sasl("-t", topic, "-P"));
            assertThat(produced.exit()).as(produced.output()).isZero();
            Kcat.Result consumed = Kcat.run(gateway.bootstrap(), null, sasl("-t", topic, "-C", "-o", "beginning", "-e", "-q"));
            assertThat(consumed.exit()).as(consumed.output()).isZero();
            assertThat(consumed.output().lines()).contains("scram-1", "scram-2");
            assertThat(gateway.server().stats().legacyScramNonces())
                    .as("librdkafka 2.0.2 logged in with the doubled nonce").isPositive();
        }
    }

    @Test
    void withTheAllowanceOffTheSameKcatIsRefused() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.fromYaml(YAML.formatted("false"), pki.dir, cluster.getBootstrapServers())) {
            Kcat.Result metadata = Kcat.run(gateway.bootstrap(), null, sasl("-L", "-m", "5"));
            assertThat(metadata.exit()).as(metadata.output()).isNotZero();
            assertThat(metadata.output()).containsIgnoringCase("authentication");
            assertThat(gateway.server().stats().authenticationFailures()).isPositive();
            assertThat(gateway.server().stats().legacyScramNonces()).isZero();
        }
    }
}
