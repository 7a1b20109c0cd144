package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.common.BrokerConfig;
import io.kroxylicious.testing.kafka.common.SaslMechanism;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import io.warden.audit.PemKeys;
import io.warden.authn.store.FakeSecretsManager;
import io.warden.gateway.protocol.SupportedApis;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import software.amazon.awssdk.auth.credentials.AwsCredentials;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Brokers that require SASL/SCRAM: the gateway logs in to them as its own service identity, for every proxied
 * connection and for its own metadata lookups, so its clients need no broker credentials at all.
 */
@ExtendWith(KafkaClusterExtension.class)
class UpstreamSaslIT {

    @SaslMechanism(value = "SCRAM-SHA-512", principals = {@SaslMechanism.Principal(user = "warden", password = "warden-service-pw")})
    static KafkaCluster cluster;

    /** The gateway's own login, appended to a configuration that ends with its {@code upstream} section. */
    static final String UPSTREAM_SASL = """
              sasl:
                mechanism: SCRAM-SHA-512
                username: warden
                password: "%s"
            """;

    static final String YAML = GatewayFixture.PLAIN_YAML + UPSTREAM_SASL;

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

    /**
     * The topics a client may create, of a Metadata request with auto-creation that also names one it may not create,
     * are auto-created over a broker connection of the gateway's own, logged in as the gateway as every other one.
     */
    @Test
    void topicsAutoCreatedOnTheGatewaysOwnConnectionAreAskedForAsTheGateway() throws Exception {
        SaslPki pki = SaslPki.withUsersAndPolicy("acls:\n" + AuthorizationIT.MAY_CREATE_SOME_TOPICS, "dave");
        String yaml = SaslPki.SCRAM_WITH_POLICY + UPSTREAM_SASL;
        try (GatewayFixture gateway = GatewayFixture.fromYaml(yaml.formatted("warden-service-pw"), pki.dir, cluster.getBootstrapServers());
             RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", gateway.bootstrapPort())) {
            new RawSasl(raw).scramLogin("dave", "dave-secret");
            short v12 = 12;
            int id = raw.send(ApiKeys.METADATA, v12, new MetadataRequestData().setAllowAutoTopicCreation(true).setTopics(List.of(
                    new MetadataRequestData.MetadataRequestTopic().setName("a-sasl"),
                    new MetadataRequestData.MetadataRequestTopic().setName("b"))));
            MetadataResponseData answer = raw.receive(ApiKeys.METADATA, v12, id, in -> new MetadataResponseData(in, v12));
            assertThat(answer.topics().find("b").errorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
            try (Admin direct = Admin.create(cluster.getKafkaClientConfiguration())) {
                await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                        assertThat(direct.listTopics().names().get(20, TimeUnit.SECONDS)).contains("a-sasl").doesNotContain("b"));
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

    @Test
    void theGatewayRenewsItsSessionBeforeTheBrokerEndsIt(
            @SaslMechanism(value = "SCRAM-SHA-512", principals = {@SaslMechanism.Principal(user = "warden", password = "warden-service-pw")})
            @BrokerConfig(name = "connections.max.reauth.ms", value = "3000") KafkaCluster renewing) throws Exception {
        Path dir = Files.createTempDirectory("warden-upstream-reauth");
        String withMetrics = YAML.formatted("warden-service-pw") + "admin:\n  port: " + GatewayFixture.freeRange(1) + "\n";
        try (GatewayFixture gateway = GatewayFixture.fromYaml(withMetrics, dir, renewing.getBootstrapServers());
             RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", gateway.bootstrapPort())) {
            // One client connection used across three of the broker's 3 s sessions. A broker closes a connection whose
            // session has run out at its next request, so every answer after the first 3 s needs a renewed session.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int answered = 0;
            while (System.nanoTime() < until) {
                int id = c.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(List.of()));
                MetadataResponseData r = c.receive(ApiKeys.METADATA, (short) 12, id, in -> new MetadataResponseData(in, (short) 12));
                assertThat(r.brokers()).isNotEmpty();
                answered++;
                Thread.sleep(250);
            }
            assertThat(answered).isGreaterThanOrEqualTo(20);
            assertThat(gateway.server().stats().upstreamReauthentications()).isGreaterThanOrEqualTo(2);
            assertThat(OperationsIT.metric(OperationsIT.get(gateway, "/metrics").body(), "warden_upstream_reauthentications_total"))
                    .isGreaterThanOrEqualTo(2);

            // A producer with requests in flight all the time: renewals wait for the broker's answers and hold the
            // requests that come meanwhile, so nothing fails and no connection is made again.
            String topic;
            try (Admin direct = Admin.create(renewing.getKafkaClientConfiguration())) {
                topic = Clients.createTopic(direct, 1);
            }
            try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), Map.of("linger.ms", 0))) {
                producer.send(new ProducerRecord<>(topic, "first")).get(30, TimeUnit.SECONDS);
                long opened = gateway.server().stats().upstreamConnectionsOpened();
                long renewed = gateway.server().stats().upstreamReauthentications();
                List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent = new java.util.ArrayList<>();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(7);
                while (System.nanoTime() < end) {
                    sent.add(producer.send(new ProducerRecord<>(topic, "r" + sent.size())));
                    Thread.sleep(2);
                }
                for (java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> f : sent) {
                    f.get(30, TimeUnit.SECONDS);
                }
                assertThat(gateway.server().stats().upstreamReauthentications()).isGreaterThan(renewed);
                assertThat(gateway.server().stats().upstreamConnectionsOpened()).as("no broker connection was lost").isEqualTo(opened);
            }
        }
    }

    /**
     * Answers the gateway gives itself keep their place behind forwarded requests held for a renewal of its session on
     * the broker. With fail-closed auditing a Produce waits for its audit event to be written, the renewal can fall due
     * meanwhile, and the request the client sent after it — an ApiVersions at a version newer than the gateway's,
     * which it answers itself — must still be answered after it.
     */
    @Test
    void answersKeepTheirOrderAcrossRenewalsWithFailClosedAudit(
            @SaslMechanism(value = "SCRAM-SHA-512", principals = {@SaslMechanism.Principal(user = "warden", password = "warden-service-pw")})
            @BrokerConfig(name = "connections.max.reauth.ms", value = "1200") KafkaCluster renewing) throws Exception {
        Path dir = Files.createTempDirectory("warden-upstream-reauth-audit");
        PemKeys.generateEd25519(dir.resolve("audit-key.pem"), dir.resolve("audit-key.pub.pem"));
        String yaml = YAML.formatted("warden-service-pw") + """
                audit:
                  mode: fail-closed
                  file: {directory: audit, signingKey: audit-key.pem}
                """;
        String topic;
        try (Admin direct = Admin.create(renewing.getKafkaClientConfiguration())) {
            topic = Clients.createTopic(direct, 1);
        }
        short unknown = (short) (SupportedApis.maxVersion(ApiKeys.API_VERSIONS) + 1);
        try (GatewayFixture gateway = GatewayFixture.fromYaml(yaml, dir, renewing.getBootstrapServers());
             RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", gateway.bootstrapPort())) {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(12);
            int pairs = 0;
            while (System.nanoTime() < until) {
                ProduceRequestData produce = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(10_000);
                produce.topicData().add(new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(List.of(
                        new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(
                                MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(("r" + pairs).getBytes()))))));
                // acks=0 requests ahead of it keep the audit writer busy, so the Produce waits for its event longer
                for (int i = 0; i < 100; i++) {
                    c.send(ApiKeys.PRODUCE, (short) 9, produce.duplicate().setAcks((short) 0));
                }
                int produceId = c.send(ApiKeys.PRODUCE, (short) 9, produce);
                int versionsId = -produceId;
                RawKafkaConnection.Frame.send(c, ApiKeys.API_VERSIONS, unknown, versionsId, new byte[] {0, 0, 0});
                // a response out of order fails here with the other request's correlation id
                ProduceResponseData produced = c.receive(ApiKeys.PRODUCE, (short) 9, produceId, in -> new ProduceResponseData(in, (short) 9));
                assertThat(produced.responses().iterator().next().partitionResponses().get(0).errorCode()).isZero();
                c.receive((short) 0, versionsId);
                pairs++;
            }
            assertThat(pairs).isGreaterThan(20);
            assertThat(gateway.server().stats().upstreamReauthentications()).isGreaterThanOrEqualTo(6);
        }
    }

    @Test
    void aRenewalTheBrokerRefusesClosesTheClientsConnectionAndReleasesTheBrokers(
            @SaslMechanism(value = "SCRAM-SHA-512", principals = {@SaslMechanism.Principal(user = "warden", password = "warden-service-pw")})
            @BrokerConfig(name = "connections.max.reauth.ms", value = "3000") KafkaCluster renewing) throws Exception {
        Path dir = Files.createTempDirectory("warden-upstream-reauth");
        try (GatewayFixture gateway = GatewayFixture.fromYaml(YAML.formatted("warden-service-pw"), dir, renewing.getBootstrapServers());
             RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", gateway.bootstrapPort())) {
            int first = c.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(List.of()));
            c.receive(ApiKeys.METADATA, (short) 12, first, in -> new MetadataResponseData(in, (short) 12));
            assertThat(gateway.server().stats().openUpstreamConnections()).isEqualTo(1);
            // The gateway's password changes on the cluster: its next renewal is refused.
            try (Admin direct = Admin.create(renewing.getKafkaClientConfiguration())) {
                direct.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("warden",
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), "changed-elsewhere"))).all().get(30, TimeUnit.SECONDS);
            }
            await().atMost(Duration.ofSeconds(15)).until(c::isClosedByPeer);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(gateway.server().stats().openClientConnections()).isZero();
                assertThat(gateway.server().stats().openUpstreamConnections()).isZero();
            });
        }
    }
}
