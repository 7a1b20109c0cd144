package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import io.warden.gateway.config.WardenConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.EOFException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
    void aValidateOnlyCreateTopicsLeavesNoIdBehind() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start(cluster.getBootstrapServers());
             Admin viaGateway = Clients.admin(gateway.bootstrap())) {
            String name = "never-created-" + Uuid.randomUuid();
            CreateTopicsResult result = viaGateway.createTopics(List.of(new NewTopic(name, 1, (short) 1)),
                    new CreateTopicsOptions().validateOnly(true));
            Uuid fakeId = result.topicId(name).get(30, TimeUnit.SECONDS);
            assertThat(fakeId).isNotEqualTo(Uuid.ZERO_UUID);
            assertThat(gateway.server().topicNames().cached(fakeId)).isEmpty();
        }
    }

    @Test
    void brokerConfigsNeverShowARealBrokerAddress() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start(cluster.getBootstrapServers());
             Admin direct = Clients.admin(cluster.getBootstrapServers());
             Admin viaGateway = Clients.admin(gateway.bootstrap())) {
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "0");
            DescribeConfigsOptions withSynonyms = new DescribeConfigsOptions().includeSynonyms(true);
            Config real = direct.describeConfigs(List.of(broker), withSynonyms).all().get(30, TimeUnit.SECONDS).get(broker);
            assertThat(real.get("advertised.listeners").value()).as("the cluster itself shows it").contains(":");

            Config seen = viaGateway.describeConfigs(List.of(broker), withSynonyms).all().get(30, TimeUnit.SECONDS).get(broker);
            List<String> brokerAddresses = direct.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream()
                    .map(n -> n.host() + ":" + n.port()).toList();
            for (ConfigEntry entry : seen.entries()) {
                List<String> values = new ArrayList<>();
                values.add(entry.value());
                entry.synonyms().forEach(synonym -> values.add(synonym.value()));
                for (String value : values) {
                    assertThat(value).as(entry.name()).satisfiesAnyOf(
                            v -> assertThat(v).isNull(),
                            v -> assertThat(v).doesNotContainPattern("\\w:\\d").doesNotContain(brokerAddresses));
                }
            }
            for (String name : List.of("listeners", "advertised.listeners", "controller.quorum.bootstrap.servers")) {
                assertThat(seen.get(name)).as(name).satisfies(e -> {
                    assertThat(e.value()).isNull();
                    assertThat(e.isSensitive()).isTrue();
                });
            }
            assertThat(seen.get("num.partitions").value()).as("other configs stay").isEqualTo(real.get("num.partitions").value());
        }
    }

    @Test
    void theGatewayStartsWhileNoUpstreamBootstrapNameResolves() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start("kafka.invalid:9092")) {
            try (Socket client = new Socket("127.0.0.1", gateway.bootstrapPort())) {
                assertThat(client.isConnected()).isTrue();
            }
            // Lookups fail for now, without throwing at the caller, and are tried again on the next one.
            assertThat(gateway.server().topicNames().resolveAll(List.of(Uuid.randomUuid())).toCompletableFuture()
                    .get(30, TimeUnit.SECONDS)).isNull();
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

    @Test
    void aBrokerPortThatCannotBeBoundIsTriedAgainWithoutServersPilingUp() throws Exception {
        WardenConfig config = GatewayFixture.yamlConfig(GatewayFixture.PLAIN_YAML, Path.of("."), cluster.getBootstrapServers());
        int brokerPort = config.listeners().get(0).portForNode(0).getAsInt();
        ServerSocket squatter = new ServerSocket();
        squatter.bind(new InetSocketAddress("127.0.0.1", brokerPort));
        try (GatewayFixture gateway = GatewayFixture.start(config)) {
            int bootstrapServers = GatewayFixture.EVENT_LOOPS; // one listener, served by each of the fixture's loops
            // Every Metadata response announces the broker, so each one makes the gateway try to bind its port again.
            for (int i = 0; i < 5; i++) {
                try (RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", gateway.bootstrapPort())) {
                    int id = c.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(List.of()));
                    assertThatThrownBy(() -> c.receive(ApiKeys.METADATA, (short) 12, id, in -> new MetadataResponseData(in, (short) 12)))
                            .as("a response naming a broker the gateway cannot serve closes the connection").isInstanceOf(EOFException.class);
                }
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(gateway.server().listenerServers()).as("servers that could not bind are not kept").isEqualTo(bootstrapServers));

            squatter.close();
            try (Admin viaGateway = Clients.admin(gateway.bootstrap())) {
                Collection<Node> nodes = viaGateway.describeCluster().nodes().get(30, TimeUnit.SECONDS);
                assertThat(nodes).extracting(Node::port).containsExactly(brokerPort);
                String topic = Clients.createTopic(viaGateway, 1);
                assertThat(viaGateway.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)).containsKey(topic);
            }
        } finally {
            squatter.close();
        }
    }
}
