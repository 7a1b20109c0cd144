package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.common.BrokerConfig;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Produce and consume through the gateway with the unmodified Java client, in every mode that matters. */
@ExtendWith(KafkaClusterExtension.class)
class ProduceConsumeIT {

    @BrokerConfig(name = "message.max.bytes", value = "10485760")
    static KafkaCluster cluster;

    @RegisterExtension
    static final GatewayFixture gateway = GatewayFixture.inFrontOf(() -> cluster);

    static Stream<Arguments> acksAndCompression() {
        List<Arguments> out = new ArrayList<>();
        for (String acks : List.of("0", "1", "all")) {
            for (String compression : List.of("none", "gzip", "snappy", "lz4", "zstd")) {
                out.add(Arguments.of(acks, compression));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "acks={0} compression={1}")
    @MethodSource("acksAndCompression")
    void producesAndConsumes(String acks, String compression) throws Exception {
        String topic = Clients.createTopic(gateway.admin(), 2);
        int count = 300;
        long connectionsBefore = gateway.server().stats().acceptedClientConnections();
        try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), Map.of(
                ProducerConfig.ACKS_CONFIG, acks,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, compression,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, acks.equals("all")))) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                sent.add(producer.send(new ProducerRecord<>(topic, "k" + i, "value-" + i + "-" + "x".repeat(i % 50))));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                RecordMetadata md = f.get(30, TimeUnit.SECONDS);
                if (!acks.equals("0")) {
                    assertThat(md.offset()).isGreaterThanOrEqualTo(0);
                }
            }
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(gateway.bootstrap(), Map.of())) {
            List<ConsumerRecord<String, String>> records = Clients.readFromStart(consumer, topic, count);
            assertThat(records).hasSize(count);
            assertThat(records).extracting(ConsumerRecord::value)
                    .contains("value-0-", "value-299-" + "x".repeat(299 % 50));
        }
        // Each client bootstrapped on the gateway and then used its broker port: the records went through Warden.
        assertThat(gateway.server().stats().acceptedClientConnections() - connectionsBefore).isGreaterThanOrEqualTo(4);
    }

    @Test
    void idempotentProducerWritesEveryRecordOnceInOrder() throws Exception {
        String topic = Clients.createTopic(gateway.admin(), 1);
        int count = 2000;
        try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), Map.of(
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 1024))) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, String.valueOf(i)));
            }
            producer.flush();
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(gateway.bootstrap(), Map.of())) {
            List<ConsumerRecord<String, String>> records = Clients.readFromStart(consumer, topic, count);
            assertThat(records).extracting(ConsumerRecord::value)
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, count).mapToObj(String::valueOf).toList());
            // Idempotent batches carry a producer id: the broker assigned one through the gateway.
            assertThat(records).extracting(ConsumerRecord::offset).doesNotHaveDuplicates();
        }
    }

    @Test
    void readCommittedConsumerSeesOnlyTheCommittedTransaction() throws Exception {
        String topic = Clients.createTopic(gateway.admin(), 2);
        try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "txn-" + topic))) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, "committed-" + i));
            }
            producer.commitTransaction();
            producer.beginTransaction();
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, "aborted-" + i));
            }
            producer.flush();
            producer.abortTransaction();
        }
        try (KafkaConsumer<String, String> committed = Clients.consumer(gateway.bootstrap(),
                Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            List<ConsumerRecord<String, String>> records = Clients.readFromStart(committed, topic, 20);
            assertThat(records).extracting(ConsumerRecord::value)
                    .hasSize(10)
                    .allMatch(v -> v.startsWith("committed-"));
        }
        try (KafkaConsumer<String, String> uncommitted = Clients.consumer(gateway.bootstrap(),
                Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted"))) {
            List<ConsumerRecord<String, String>> records = Clients.readFromStart(uncommitted, topic, 20);
            // The aborted records were written: only the isolation level hides them.
            assertThat(records).hasSize(20);
        }
    }

    @Test
    void fiveMebibyteRecordPassesWhole() throws Exception {
        String topic = Clients.createTopic(gateway.admin(), 1);
        byte[] value = new byte[5 * 1024 * 1024];
        new Random(42).nextBytes(value);
        try (KafkaProducer<byte[], byte[]> producer = Clients.bytesProducer(gateway.bootstrap(), Map.of(
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 32L * 1024 * 1024))) {
            producer.send(new ProducerRecord<>(topic, value)).get(60, TimeUnit.SECONDS);
        }
        long streamedBefore = gateway.server().stats().streamedResponses();
        try (KafkaConsumer<byte[], byte[]> consumer = Clients.bytesConsumer(gateway.bootstrap(), Map.of(
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024))) {
            List<ConsumerRecord<byte[], byte[]>> records = Clients.readFromStart(consumer, topic, 1);
            assertThat(records).hasSize(1);
            assertThat(records.get(0).value()).isEqualTo(value);
        }
        // A response this large is forwarded while it arrives, not after its last byte.
        assertThat(gateway.server().stats().streamedResponses()).isGreaterThan(streamedBefore);
    }
}
