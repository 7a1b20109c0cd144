package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.common.SaslMechanism;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import io.warden.authn.store.FakeSecretsManager;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import software.amazon.awssdk.auth.credentials.AwsCredentials;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Brokers that require SASL/SCRAM: the gateway logs in to them as its own service identity, for every proxied
 * connection and for its own metadata lookups, so its clients need no broker credentials at all.
 */
@ExtendWith(KafkaClusterExtension.class)
class UpstreamSaslIT {

    @SaslMechanism(value = "SCRAM-SHA-512", principals = {@SaslMechanism.Principal(user = "warden", password = "warden-service-pw")})
    static KafkaCluster cluster;

    static final String YAML = GatewayFixture.PLAIN_YAML + """
              sasl:
                mechanism: SCRAM-SHA-512
                username: warden
                password: "%s"
            """;

    @Test
    void clientsReachSaslBrokersThroughTheGatewaysOwnLogin() throws Exception {
        Path dir = Files.createTempDirectory("warden-upstream-sasl");
        String topic;
        try (Admin direct = Admin.create(cluster.getKafkaClientConfiguration())) {
            topic = Clients.createTopic(direct, 2);
        }
        try (GatewayFixture gateway = GatewayFixture.fromYaml(YAML.formatted("warden-service-pw"), dir, cluster.getBootstrapServers())) {
            try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), Map.of())) {
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>(topic, "k" + i, "through-sasl-" + i)).get();
                }
            }
            try (KafkaConsumer<String, String> consumer = Clients.consumer(gateway.bootstrap(), Map.of())) {
                assertThat(Clients.readFromStart(consumer, topic, 10)).extracting(ConsumerRecord::value).contains("through-sasl-9");
            }
            assertThat(gateway.admin().describeCluster().nodes().get()).allMatch(n -> gateway.isGatewayAddress(n.host(), n.port()));
        }
    }

    @Test
    void theServicePasswordMayComeFromSecretsManager() throws Exception {
        Path dir = Files.createTempDirectory("warden-upstream-sasl");
        String yaml = YAML.replace("password: \"%s\"", "passwordSecret: AmazonMSK_warden\n    secretRegion: us-east-1\n    secretEndpoint: \"%s\"");
        try (FakeSecretsManager secrets = new FakeSecretsManager(10)) {
            secrets.putSecret("AmazonMSK_warden", "{\"username\": \"warden\", \"password\": \"warden-service-pw\"}");
            AwsCredentials keys = FakeSecretsManager.credentials().resolveCredentials();
            // The gateway reads the secret with the AWS SDK's default credential chain, which starts with these.
            System.setProperty("aws.accessKeyId", keys.accessKeyId());
            System.setProperty("aws.secretAccessKey", keys.secretAccessKey());
            try (GatewayFixture gateway = GatewayFixture.fromYaml(yaml.formatted(secrets.endpoint()), dir, cluster.getBootstrapServers())) {
                assertThat(gateway.admin().describeCluster().nodes().get()).allMatch(n -> gateway.isGatewayAddress(n.host(), n.port()));
                assertThat(secrets.requests("GetSecretValue")).isEqualTo(1);
            } finally {
                System.clearProperty("aws.accessKeyId");
                System.clearProperty("aws.secretAccessKey");
            }
        }
    }

    @Test
    void aWrongServicePasswordKeepsClientsOutWithoutReachingTheBrokerAsThem() throws Exception {
        Path dir = Files.createTempDirectory("warden-upstream-sasl");
        try (GatewayFixture gateway = GatewayFixture.fromYaml(YAML.formatted("not-the-password"), dir, cluster.getBootstrapServers())) {
            Map<String, Object> c = Map.of("bootstrap.servers", gateway.bootstrap(), "default.api.timeout.ms", 5_000, "request.timeout.ms", 2_000);
            try (Admin admin = Admin.create(c)) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> admin.describeCluster().nodes().get())
                        .hasMessageContaining("Timed out");
            }
            assertThat(gateway.server().stats().openUpstreamConnections()).isZero();
        }
    }
}
