package io.warden.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** Events written through the pipeline to a Kafka sink come back from a real broker, in order, per principal. */
@ExtendWith(KafkaClusterExtension.class)
class KafkaSinkIT {

    static KafkaCluster cluster;

    @Test
    void eventsRoundTripThroughABroker() throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.getBootstrapServers());
        try (AuditLog log = new AuditLog(AuditLog.Mode.FAIL_CLOSED, 100, 10,
                List.of(new KafkaSink("warden-audit", p)), new OcsfEncoder())) {
            for (int i = 0; i < 20; i++) {
                log.append(Events.produce(i)).get();
            }
            assertThat(log.written()).isEqualTo(20);
        }

        List<JsonNode> got = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.getBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "audit-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of("warden-audit"));
            long deadline = System.currentTimeMillis() + 30_000;
            while (got.size() < 20 && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("User:alice");
                    got.add(json.readTree(r.value()));
                }
            }
        }
        assertThat(got).hasSize(20);
        assertThat(got).extracting(n -> n.at("/metadata/sequence").asLong())
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 20).boxed().toList());
        assertThat(got.get(0).at("/unmapped/partitions/0/topic").asText()).isEqualTo("orders");
    }
}
