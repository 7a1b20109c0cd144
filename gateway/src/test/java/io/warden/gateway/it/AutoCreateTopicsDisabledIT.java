package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.common.BrokerConfig;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Metadata through Warden in front of brokers that do not auto-create topics: as Kafka, which checks CREATE only where
 * it would auto-create, a missing topic the principal may describe is UNKNOWN_TOPIC_OR_PARTITION whether it may create
 * it or not, and the broker is not asked to create anything.
 */
@ExtendWith(KafkaClusterExtension.class)
class AutoCreateTopicsDisabledIT {

    @BrokerConfig(name = "auto.create.topics.enable", value = "false")
    static KafkaCluster cluster;
    static SaslPki pki;
    static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        pki = SaslPki.withUsersAndPolicy("acls:\n" + AuthorizationIT.MAY_CREATE_SOME_TOPICS, "dave");
        gateway = GatewayFixture.fromYaml(SaslPki.SCRAM_WITH_POLICY, pki.dir, cluster.getBootstrapServers());
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    /** dave may create a-* and only describe b; the gateway learns the brokers' setting soon after it starts. */
    @Test
    void aMissingTopicThePrincipalMayDescribeButNotCreateIsUnknownAsFromKafka() throws Exception {
        short v12 = 12;
        long before = gateway.server().stats().autoCreationRequests();
        try (RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", gateway.bootstrapPort())) {
            new RawSasl(raw).scramLogin("dave", "dave-secret");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                int id = raw.send(ApiKeys.METADATA, v12, new MetadataRequestData().setAllowAutoTopicCreation(true).setTopics(List.of(
                        new MetadataRequestData.MetadataRequestTopic().setName("a-never"),
                        new MetadataRequestData.MetadataRequestTopic().setName("b"))));
                MetadataResponseData answer = raw.receive(ApiKeys.METADATA, v12, id, in -> new MetadataResponseData(in, v12));
                assertThat(answer.topics().find("b").errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                assertThat(answer.topics().find("a-never").errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
            });
            // v1 cannot turn auto-creation off: the answer is the same
            short v1 = 1;
            int id = raw.send(ApiKeys.METADATA, v1, new MetadataRequestData().setTopics(List.of(
                    new MetadataRequestData.MetadataRequestTopic().setName("b"))));
            MetadataResponseData answer = raw.receive(ApiKeys.METADATA, v1, id, in -> new MetadataResponseData(in, v1));
            assertThat(answer.topics().find("b").errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        assertThat(gateway.server().stats().autoCreationRequests() - before).as("auto-creation requests to the broker").isZero();
    }
}
