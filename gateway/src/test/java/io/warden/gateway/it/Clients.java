package io.warden.gateway.it;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ElectionNotNeededException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Unmodified Kafka Java clients pointed at an address, with settings the tests vary. */
public final class Clients {

    private Clients() {
    }

    public static Admin admin(String bootstrap) {
        return Admin.create(Map.of("bootstrap.servers", bootstrap, "request.timeout.ms", 15_000, "default.api.timeout.ms", 30_000));
    }

    public static KafkaProducer<String, String> producer(String bootstrap, Map<String, Object> extra) {
        Map<String, Object> c = new HashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        c.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        c.putAll(extra);
        return new KafkaProducer<>(c);
    }

    public static KafkaProducer<byte[], byte[]> bytesProducer(String bootstrap, Map<String, Object> extra) {
        Map<String, Object> c = new HashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        c.putAll(extra);
        return new KafkaProducer<>(c);
    }

    public static KafkaConsumer<String, String> consumer(String bootstrap, Map<String, Object> extra) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.putAll(extra);
        return new KafkaConsumer<>(c);
    }

    public static KafkaConsumer<byte[], byte[]> bytesConsumer(String bootstrap, Map<String, Object> extra) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.putAll(extra);
        return new KafkaConsumer<>(c);
    }

    public static String createTopic(Admin admin, int partitions) throws Exception {
        String name = "t-" + UUID.randomUUID().toString().substring(0, 8);
        createTopic(admin, name, partitions, (short) 1);
        return name;
    }

    /** Creates a topic and waits until the brokers' metadata has it with a leader for every partition. */
    public static void createTopic(Admin admin, String name, int partitions, short replicationFactor) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, partitions, replicationFactor))).all().get(30, TimeUnit.SECONDS);
        awaitTopic(admin, name, partitions);
    }

    public static void awaitTopic(Admin admin, String name, int partitions) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).ignoreExceptions().until(
                () -> admin.describeTopics(List.of(name)).allTopicNames().get(10, TimeUnit.SECONDS).get(name).partitions(),
                ps -> ps.size() == partitions && ps.stream().allMatch(p -> p.leader() != null));
    }

    /**
     * Creates a topic of three partitions whose leaders are nodes 0, 1 and 2 (each replicated on all three), and waits
     * until every partition has a leader.
     */
    public static void createTopicLedByEachNode(Admin admin, String name) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, Map.of(
                0, List.of(0, 1, 2), 1, List.of(1, 2, 0), 2, List.of(2, 0, 1))))).all().get(30, TimeUnit.SECONDS);
        awaitTopic(admin, name, 3);
    }

    /** Elects the preferred leader of this partition until it is {@code node} again (after that node restarted). */
    public static void awaitPreferredLeader(Admin admin, TopicPartition partition, int node) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            try {
                admin.electLeaders(ElectionType.PREFERRED, Set.of(partition)).all().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof ElectionNotNeededException)) { // not needed: the node leads already
                    throw e;
                }
            }
            return admin.describeTopics(List.of(partition.topic())).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(partition.topic()).partitions().get(partition.partition()).leader().id() == node;
        });
    }

    /** Reads every partition of a topic from the beginning until {@code expected} records arrived (or 30 s passed). */
    public static <K, V> List<ConsumerRecord<K, V>> readFromStart(KafkaConsumer<K, V> consumer, String topic, int expected) {
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        List<ConsumerRecord<K, V>> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (out.size() < expected && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        return out;
    }

    /** Settings for SASL_PLAINTEXT with SCRAM-SHA-512 as this user, with timeouts short enough for tests. */
    public static Map<String, Object> scramPlaintext(String user, String password) {
        Map<String, Object> c = new HashMap<>();
        c.put("security.protocol", "SASL_PLAINTEXT");
        c.put("sasl.mechanism", "SCRAM-SHA-512");
        c.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"" + password + "\";");
        c.put("max.block.ms", 10_000);
        c.put("delivery.timeout.ms", 10_000);
        c.put("request.timeout.ms", 5_000);
        return c;
    }
}
