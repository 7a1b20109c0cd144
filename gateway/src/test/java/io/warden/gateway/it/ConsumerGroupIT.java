package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A consumer group through the gateway: three members share six partitions, one leaves, the other two take over
 * its partitions and resume from the committed offsets. Both group protocols: classic (Join/SyncGroup) and
 * KIP-848 (ConsumerGroupHeartbeat).
 */
@ExtendWith(KafkaClusterExtension.class)
class ConsumerGroupIT {

    static KafkaCluster cluster;
    @RegisterExtension
    static final GatewayFixture gateway = GatewayFixture.inFrontOf(() -> cluster);

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void groupRebalancesWhenAMemberLeavesAndResumesFromCommittedOffsets(String protocol) throws Exception {
        String topic = Clients.createTopic(gateway.admin(), 6);
        String group = "g-" + topic;
        produce(topic, 0, 600);

        List<KafkaConsumer<String, String>> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Map<String, Object> config = new java.util.HashMap<>(Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG, group,
                    ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol,
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50));
            if (protocol.equals("classic")) {
                config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
                config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
            }
            KafkaConsumer<String, String> c = Clients.consumer(gateway.bootstrap(), config);
            c.subscribe(List.of(topic));
            members.add(c);
        }
        try {
            Set<String> seen = new HashSet<>();
            pollUntil(members, seen, () -> seen.size() == 600
                    && members.stream().allMatch(m -> m.assignment().size() == 2));
            assertThat(seen).hasSize(600);
            Set<TopicPartition> all = new HashSet<>();
            members.forEach(m -> all.addAll(m.assignment()));
            assertThat(all).hasSize(6);

            KafkaConsumer<String, String> leaving = members.remove(2);
            leaving.close();

            produce(topic, 600, 300);
            Set<String> afterRebalance = new HashSet<>();
            pollUntil(members, afterRebalance, () -> afterRebalance.size() >= 300
                    && members.stream().mapToInt(m -> m.assignment().size()).sum() == 6);
            // Exactly the new records: nothing consumed and committed before the rebalance came again.
            assertThat(afterRebalance).hasSize(300)
                    .allMatch(v -> Integer.parseInt(v.substring(2)) >= 600);
            assertThat(members).allMatch(m -> m.assignment().size() == 3);
        } finally {
            members.forEach(KafkaConsumer::close);
        }
    }

    private static void produce(String topic, int from, int count) {
        try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), Map.of())) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v-" + i));
            }
            producer.flush();
        }
    }

    /**
     * Polls every member in turn, committing what each got, until the condition holds (60 s at most). A commit the
     * group refuses mid-rebalance (a stale member epoch) may, as in Kafka, lead to those records being delivered
     * again; only they may be seen twice.
     */
    private static void pollUntil(List<KafkaConsumer<String, String>> members, Set<String> values, BooleanSupplier done) {
        Set<String> uncommitted = new java.util.HashSet<>();
        long deadline = System.currentTimeMillis() + 60_000;
        while (!done.getAsBoolean() && System.currentTimeMillis() < deadline) {
            for (KafkaConsumer<String, String> m : members) {
                var records = m.poll(Duration.ofMillis(100));
                for (ConsumerRecord<String, String> r : records) {
                    assertThat(values.add(r.value()) || uncommitted.contains(r.value())).as("delivered twice: %s", r.value()).isTrue();
                }
                if (!records.isEmpty()) {
                    try {
                        m.commitSync();
                    } catch (org.apache.kafka.clients.consumer.CommitFailedException rebalancing) {
                        records.forEach(r -> uncommitted.add(r.value()));
                    }
                }
            }
        }
    }
}
