package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.common.BrokerCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import io.warden.gateway.config.HostPort;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.ServerSocket;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Three brokers behind one gateway endpoint: port per broker, leaders on every broker, bootstrap failover. */
@ExtendWith(KafkaClusterExtension.class)
class MultiBrokerIT {

    @BrokerCluster(numBrokers = 3)
    static KafkaCluster cluster;

    @RegisterExtension
    static final GatewayFixture gateway = GatewayFixture.inFrontOf(() -> cluster);

    /** A topic whose partition i is led by broker i, so that each broker port of the gateway carries traffic. */
    static String spreadTopic(String topic) throws Exception {
        gateway.admin().createTopics(List.of(new NewTopic(topic, Map.of(0, List.of(0), 1, List.of(1), 2, List.of(2)))))
                .all().get(30, TimeUnit.SECONDS);
        Clients.awaitTopic(gateway.admin(), topic, 3);
        return topic;
    }

    @Test
    void clientsOnlyLearnGatewayAddressesAndReachEveryLeader() throws Exception {
        String topic = spreadTopic("spread");
        List<TopicPartitionInfo> partitions = gateway.admin().describeTopics(List.of(topic)).allTopicNames()
                .get(30, TimeUnit.SECONDS).get(topic).partitions();
        assertThat(partitions).extracting(p -> p.leader().id()).containsExactlyInAnyOrder(0, 1, 2);
        Set<Integer> leaderPorts = partitions.stream().map(p -> p.leader().port()).collect(Collectors.toSet());
        assertThat(leaderPorts).hasSize(3);
        partitions.forEach(p -> assertThat(p.leader().port())
                .isEqualTo(gateway.listener().portForNode(p.leader().id()).getAsInt()));
        assertThat(gateway.admin().describeCluster().nodes().get(30, TimeUnit.SECONDS))
                .hasSize(3)
                .allMatch(n -> gateway.isGatewayAddress(n.host(), n.port()));

        // The gateway knows the real brokers; the clients never saw them.
        Set<String> realBrokers = Arrays.stream(cluster.getBootstrapServers().split(",")).collect(Collectors.toSet());
        assertThat(gateway.server().upstreamNodes().snapshot().values()).extracting(HostPort::toString)
                .containsExactlyInAnyOrderElementsOf(realBrokers);

        try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), Map.of())) {
            for (PartitionInfo p : producer.partitionsFor(topic)) {
                assertThat(gateway.isGatewayAddress(p.leader().host(), p.leader().port())).isTrue();
            }
            for (int partition = 0; partition < 3; partition++) {
                for (int i = 0; i < 50; i++) {
                    producer.send(new ProducerRecord<>(topic, partition, null, "p" + partition + "-" + i)).get(30, TimeUnit.SECONDS);
                }
            }
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(gateway.bootstrap(), Map.of())) {
            List<ConsumerRecord<String, String>> records = Clients.readFromStart(consumer, topic, 150);
            assertThat(records).hasSize(150);
            for (int partition = 0; partition < 3; partition++) {
                int p = partition;
                assertThat(records).filteredOn(r -> r.partition() == p).hasSize(50)
                        .allMatch(r -> r.value().startsWith("p" + p + "-"));
            }
        }
    }

    /** librdkafka (kcat) too reaches each leader through its gateway port, and is told of no broker address. */
    @Test
    void kcatReachesEveryLeaderThroughTheGatewayPorts() throws Exception {
        String topic = spreadTopic("spread-kcat");

        ExternalProcess.Result metadata = Kcat.run(gateway.bootstrap(), null, List.of("-L", "-t", topic));
        assertThat(metadata.exit()).as(metadata.output()).isZero();
        List<Kcat.Broker> brokers = Kcat.brokers(metadata.output());
        assertThat(brokers).extracting(Kcat.Broker::id).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(brokers).allMatch(b -> gateway.isGatewayAddress(b.host(), b.port()));

        for (int partition = 0; partition < 3; partition++) {
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                lines.append("k").append(partition).append('-').append(i).append('\n');
            }
            ExternalProcess.Result produced = Kcat.run(gateway.bootstrap(), lines.toString(),
                    List.of("-P", "-t", topic, "-p", String.valueOf(partition)));
            assertThat(produced.exit()).as(produced.output()).isZero();
        }
        ExternalProcess.Result consumed = Kcat.run(gateway.bootstrap(), null, List.of("-C", "-t", topic, "-o", "beginning", "-e", "-q",
                "-f", "%p %s\\n"));
        assertThat(consumed.exit()).as(consumed.output()).isZero();
        for (int partition = 0; partition < 3; partition++) {
            String prefix = partition + " k" + partition + "-";
            assertThat(consumed.output().lines().filter(l -> l.startsWith(prefix)).count()).as(consumed.output()).isEqualTo(20);
        }
    }

    @Test
    void bootstrapFailsOverPastAnUnreachableBroker() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        String first = cluster.getBootstrapServers().split(",")[0];
        try (GatewayFixture failover = GatewayFixture.start("127.0.0.1:" + deadPort + "," + first);
             Admin viaFailover = Clients.admin(failover.bootstrap())) {
            // Several fresh connections, so the rotation starts at the dead broker at least once.
            for (int i = 0; i < 4; i++) {
                try (Admin fresh = Clients.admin(failover.bootstrap())) {
                    assertThat(fresh.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(3);
                }
            }
            String topic = Clients.createTopic(viaFailover, 1);
            try (KafkaProducer<String, String> producer = Clients.producer(failover.bootstrap(), Map.of())) {
                producer.send(new ProducerRecord<>(topic, "after-failover")).get(30, TimeUnit.SECONDS);
            }
            try (KafkaConsumer<String, String> consumer = Clients.consumer(failover.bootstrap(), Map.of())) {
                assertThat(Clients.readFromStart(consumer, topic, 1)).extracting(ConsumerRecord::value)
                        .containsExactly("after-failover");
            }
        }
    }
}
