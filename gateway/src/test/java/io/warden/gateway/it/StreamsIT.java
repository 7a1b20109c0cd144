package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Kafka Streams application, unchanged, through the gateway under a policy: exactly-once processing with a
 * repartition topic and a changelog, which exercises what Streams asks of a cluster — internal topics created,
 * described and purged through the Admin client, a transactional producer per thread, offsets committed in its
 * transactions, and read_committed consumers — all as a principal allowed only its own topics, group and
 * transactional ids.
 */
@ExtendWith(KafkaClusterExtension.class)
class StreamsIT {

    static final String POLICY = """
            superUsers: [User:admin]
            acls:
              - principal: User:streams
                operations: [all]
                topics: {prefix: wordcount-}
              - principal: User:streams
                operations: [read, describe]
                topics: [words]
              - principal: User:streams
                operations: [write, describe]
                topics: [counts]
              - principal: User:streams
                operations: [read, describe, delete]
                groups: [wordcount, noncreator]
              - principal: User:streams
                operations: [write, describe]
                transactionalIds: {prefix: wordcount-}
            """;

    static KafkaCluster cluster;
    static SaslPki pki;
    static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        pki = SaslPki.withUsersAndPolicy(POLICY, "admin", "streams");
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            Clients.createTopic(direct, "words", 3, (short) 1);
            Clients.createTopic(direct, "counts", 3, (short) 1);
        }
        gateway = GatewayFixture.fromYaml(SaslPki.SCRAM_WITH_POLICY, pki.dir, cluster.getBootstrapServers());
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    static Properties streamsConfig(String applicationId, Path stateDir) {
        Properties p = new Properties();
        p.putAll(Clients.scramPlaintext("streams", "streams-secret"));
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, gateway.bootstrap());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 2);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        // the defaults of scramPlaintext are for plain clients; a transactional producer needs its own
        p.remove("delivery.timeout.ms");
        p.remove("request.timeout.ms");
        p.remove("max.block.ms");
        return p;
    }

    /** Words of each line, counted: a repartition by word, then a count kept in a store with a changelog. */
    static StreamsBuilder wordCount() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("words", Consumed.with(Serdes.String(), Serdes.String()))
                .flatMapValues(line -> Arrays.asList(line.split(" ")))
                .groupBy((key, word) -> word, Grouped.with("by-word", Serdes.String(), Serdes.String()))
                .count(Materialized.<String, Long>as(Stores.inMemoryKeyValueStore("counts-store"))
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()))
                .toStream()
                .to("counts", Produced.with(Serdes.String(), Serdes.Long()));
        return builder;
    }

    @Test
    void anExactlyOnceWordCountRunsThroughTheGatewayWithOnlyItsOwnTopicsAllowed(@TempDir Path stateDir) throws Exception {
        Map<String, Long> expected = new HashMap<>();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String line = "w" + (i % 7) + " w" + (i % 11) + " common";
            lines.add(line);
            for (String word : line.split(" ")) {
                expected.merge(word, 1L, Long::sum);
            }
        }
        try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(),
                Clients.scramPlaintext("admin", "admin-secret"))) {
            for (int i = 0; i < lines.size(); i++) {
                producer.send(new ProducerRecord<>("words", "line-" + i, lines.get(i)));
            }
            producer.flush();
        }

        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (KafkaStreams streams = new KafkaStreams(wordCount().build(), streamsConfig("wordcount", stateDir))) {
            streams.setUncaughtExceptionHandler(e -> {
                failure.set(e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            streams.start();

            Map<String, Long> latest = new HashMap<>();
            Map<String, Object> reader = Clients.scramPlaintext("admin", "admin-secret");
            reader.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            reader.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            reader.put(ConsumerConfig.GROUP_ID_CONFIG, "counts-reader");
            try (KafkaConsumer<String, Long> consumer = new KafkaConsumer<>(withBootstrap(reader), new StringDeserializer(),
                    new LongDeserializer())) {
                consumer.subscribe(List.of("counts"));
                await().atMost(Duration.ofSeconds(90)).until(() -> {
                    assertThat(failure.get()).as("the Streams application's failure").isNull();
                    for (ConsumerRecord<String, Long> record : consumer.poll(Duration.ofMillis(200))) {
                        latest.put(record.key(), record.value());
                    }
                    return latest.equals(expected);
                });
            }
            assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
        }

        try (Admin admin = Admin.create(withBootstrap(Clients.scramPlaintext("admin", "admin-secret")))) {
            // the internal topics Streams made for itself, through the gateway, under the names the policy allows
            assertThat(admin.listTopics().names().get(20, TimeUnit.SECONDS))
                    .contains("wordcount-by-word-repartition", "wordcount-counts-store-changelog");
            // its offsets, committed inside its transactions, are the group's
            assertThat(admin.listConsumerGroupOffsets("wordcount").partitionsToOffsetAndMetadata().get(20, TimeUnit.SECONDS))
                    .isNotEmpty();
        }
    }

    @Test
    void anApplicationNotAllowedToCreateItsInternalTopicsStopsWithTheAuthorizationError(@TempDir Path stateDir) throws Exception {
        // "noncreator-" is not a prefix the principal may create topics under
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Properties config = streamsConfig("noncreator", stateDir);
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        try (KafkaStreams streams = new KafkaStreams(wordCount().build(), config)) {
            streams.setUncaughtExceptionHandler(e -> {
                failure.set(e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            streams.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> failure.get() != null || streams.state() == KafkaStreams.State.ERROR);
        }
        assertThat(causes(failure.get())).anyMatch(t -> t instanceof org.apache.kafka.common.errors.TopicAuthorizationException
                || String.valueOf(t.getMessage()).contains("not authorized"));
        try (Admin admin = Admin.create(withBootstrap(Clients.scramPlaintext("admin", "admin-secret")))) {
            Set<String> topics = admin.listTopics().names().get(20, TimeUnit.SECONDS);
            assertThat(topics).noneMatch(name -> name.startsWith("noncreator-"));
        }
    }

    static List<Throwable> causes(Throwable t) {
        List<Throwable> out = new ArrayList<>();
        for (Throwable c = t; c != null && !out.contains(c); c = c.getCause()) {
            out.add(c);
        }
        return out;
    }

    static Map<String, Object> withBootstrap(Map<String, Object> settings) {
        settings.put("bootstrap.servers", gateway.bootstrap());
        return settings;
    }
}
