package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The AdminClient through the gateway: topics, cluster, groups; every address it learns is the gateway's. */
@ExtendWith(KafkaClusterExtension.class)
class AdminIT {

    static KafkaCluster cluster;
    @RegisterExtension
    static final GatewayFixture gateway = GatewayFixture.inFrontOf(() -> cluster);

    @Test
    void createsDescribesAndDeletesTopics() throws Exception {
        String topic = "admin-topic";
        Clients.createTopic(gateway.admin(), topic, 3, (short) 1);
        assertThat(gateway.admin().listTopics().names().get(30, TimeUnit.SECONDS)).contains(topic);

        TopicDescription d = gateway.admin().describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
        assertThat(d.partitions()).hasSize(3);
        d.partitions().forEach(p -> assertThat(gateway.isGatewayAddress(p.leader().host(), p.leader().port()))
                .as("leader address %s", p.leader()).isTrue());
        assertThat(gateway.server().topicNames().cached(d.topicId())).contains(topic);

        gateway.admin().deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThatThrownBy(() -> gateway.admin().describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(UnknownTopicOrPartitionException.class));
    }

    @Test
    void describesTheClusterWithGatewayAddressesOnly() throws Exception {
        DescribeClusterResult result = gateway.admin().describeCluster();
        Collection<Node> nodes = result.nodes().get(30, TimeUnit.SECONDS);
        Node controller = result.controller().get(30, TimeUnit.SECONDS);
        assertThat(nodes).isNotEmpty().allMatch(n -> gateway.isGatewayAddress(n.host(), n.port()));
        assertThat(gateway.isGatewayAddress(controller.host(), controller.port())).isTrue();
        assertThat(result.clusterId().get(30, TimeUnit.SECONDS)).isEqualTo(cluster.getClusterId());
    }

    @Test
    void listsAndDescribesGroups() throws Exception {
        String topic = Clients.createTopic(gateway.admin(), 1);
        String group = "admin-group-" + topic;
        try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), Map.of())) {
            producer.send(new ProducerRecord<>(topic, "one")).get(30, TimeUnit.SECONDS);
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(gateway.bootstrap(), Map.of(ConsumerConfig.GROUP_ID_CONFIG, group))) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> !consumer.poll(Duration.ofMillis(200)).isEmpty());
            consumer.commitSync();

            Collection<GroupListing> groups = gateway.admin().listGroups().all().get(30, TimeUnit.SECONDS);
            assertThat(groups).extracting(GroupListing::groupId).contains(group);

            ConsumerGroupDescription description = gateway.admin().describeConsumerGroups(List.of(group))
                    .describedGroups().get(group).get(30, TimeUnit.SECONDS);
            assertThat(description.members()).hasSize(1);
            Node coordinator = description.coordinator();
            assertThat(gateway.isGatewayAddress(coordinator.host(), coordinator.port()))
                    .as("coordinator %s", coordinator).isTrue();
        }
        assertThat(gateway.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS))
                .hasSize(1);
    }
}
