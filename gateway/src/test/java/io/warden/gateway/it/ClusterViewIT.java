package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What the gateway knows of the cluster by itself: topic names behind ids, and where each broker is. */
@ExtendWith(KafkaClusterExtension.class)
class ClusterViewIT {

    static KafkaCluster cluster;

    @Test
    void topicIdsAreLearnedFromMetadataAndLookedUpOnAMiss() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start(cluster.getBootstrapServers());
             Admin direct = Clients.admin(cluster.getBootstrapServers());
             Admin viaGateway = Clients.admin(gateway.bootstrap())) {
            String seen = Clients.createTopic(direct, 1);
            String unseen = Clients.createTopic(direct, 1);
            Uuid seenId = direct.describeTopics(List.of(seen)).allTopicNames().get(30, TimeUnit.SECONDS).get(seen).topicId();
            Uuid unseenId = direct.describeTopics(List.of(unseen)).allTopicNames().get(30, TimeUnit.SECONDS).get(unseen).topicId();

            // A Metadata response passing through teaches the gateway the id.
            assertThat(gateway.server().topicNames().cached(seenId)).isEmpty();
            viaGateway.describeTopics(List.of(seen)).allTopicNames().get(30, TimeUnit.SECONDS);
            assertThat(gateway.server().topicNames().cached(seenId)).contains(seen);

            // An id no client asked about is looked up from the cluster.
            assertThat(gateway.server().topicNames().cached(unseenId)).isEmpty();
            Optional<String> resolved = gateway.server().topicNames().resolve(unseenId).toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(resolved).contains(unseen);
            assertThat(gateway.server().topicNames().cached(unseenId)).contains(unseen);

            // An id the cluster does not know resolves to nothing.
            assertThat(gateway.server().topicNames().resolve(Uuid.randomUuid()).toCompletableFuture().get(30, TimeUnit.SECONDS)).isEmpty();
        }
    }

    @Test
    void aClientThatRemembersABrokerPortReachesItsBrokerRightAfterGatewayStart() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start(cluster.getBootstrapServers())) {
            int brokerPort = gateway.listener().portForNode(0).getAsInt();
            // No client has asked for metadata: the gateway learned the brokers itself and bound their ports.
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
                try (RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", brokerPort)) {
                    int id = c.send(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData()
                            .setClientSoftwareName("raw").setClientSoftwareVersion("1"));
                    ApiVersionsResponseData r = c.receive(ApiKeys.API_VERSIONS, (short) 3, id, in -> new ApiVersionsResponseData(in, (short) 3));
                    assertThat(r.errorCode()).isZero();
                }
            });
            assertThat(gateway.server().upstreamNodes().address(0)).isPresent();
        }
    }
}
