package io.warden.gateway.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import io.warden.audit.AuditQuery;
import io.warden.audit.AuditVerifier;
import io.warden.audit.PemKeys;
import io.warden.audit.VerificationResult;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The audit trail end to end: real Java clients authenticated by SCRAM, through the gateway, to a real broker, with
 * the trail read back from the file sink (and a Kafka topic) and checked against what the clients saw.
 */
@ExtendWith(KafkaClusterExtension.class)
class AuditIT {

    static final String POLICY = """
            acls:
              - principal: User:alice
                operations: [write, describe]
                topics: {prefix: ledger}
              - principal: User:alice
                operations: [describe]
                topics: [vault]
              - principal: User:alice
                operations: [read]
                topics: [ledger-abandoned]
              - principal: User:bob
                operations: [read, describe]
                topics: {prefix: ledger}
            """;

    static final String YAML = SaslPki.SCRAM_PLAINTEXT_USERS + """
              failureDelayMs: 0
            authorization:
              policyFile: policy.yaml
            upstream:
              bootstrapServers: ["${UPSTREAM}"]
            """;

    static KafkaCluster cluster;
    static SaslPki pki;
    static Path publicKey;

    @BeforeAll
    static void start() throws Exception {
        pki = SaslPki.withUsersAndPolicy(POLICY, "alice", "bob", "mallory");
        KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Files.writeString(pki.dir.resolve("audit-key.pem"), pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        publicKey = pki.dir.resolve("audit-key.pub.pem");
        Files.writeString(publicKey, pem("PUBLIC KEY", keys.getPublic().getEncoded()));
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            for (String topic : List.of("ledger", "ledger-closed", "ledger-fc", "ledger-corrupt", "ledger-ids", "ledger-acks0", "ledger-abandoned", "ledger-unaudited", "ledger-left", "vault")) {
                Clients.createTopic(direct, topic, 3, (short) 1);
            }
            Clients.createTopic(direct, "warden-audit", 1, (short) 1);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** The gateway with an audit section; {@code audit} is YAML indented under {@code audit:}. */
    static GatewayFixture gateway(String audit) {
        return GatewayFixture.fromYaml(YAML + "audit:\n" + audit, pki.dir, cluster.getBootstrapServers());
    }

    static Map<String, Object> as(String user, String password) {
        Map<String, Object> c = Clients.scramPlaintext(user, password);
        c.put("client.id", user + "-client");
        return c;
    }

    static Map<String, Object> as(String user) {
        return as(user, user + "-secret");
    }

    /**
     * An audit section's Kafka sink (indented as the section's fields are) on a port nothing listens on, with short
     * timeouts: every batch it is given fails within a second.
     */
    static String unreachableKafkaSink() throws java.io.IOException {
        int unreachable;
        try (ServerSocket s = new ServerSocket(0)) {
            unreachable = s.getLocalPort();
        }
        return """
                  kafka:
                    bootstrapServers: ["127.0.0.1:%d"]
                    topic: warden-audit
                    properties: {max.block.ms: "300", delivery.timeout.ms: "1000", request.timeout.ms: "500"}
                """.formatted(unreachable);
    }

    /** Sends {@code count} records round-robin over three partitions in three batches; returns offsets by partition. */
    static Map<Integer, List<Long>> produce(GatewayFixture gateway, String topic, int count) throws Exception {
        Map<Integer, List<Long>> offsets = new TreeMap<>();
        try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), as("alice"))) {
            List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                sent.add(producer.send(new ProducerRecord<>(topic, i % 3, "k" + i, "v" + i)));
                if (i % 10 == 9) {
                    producer.flush();
                }
            }
            for (var f : sent) {
                RecordMetadata m = f.get(20, TimeUnit.SECONDS);
                offsets.computeIfAbsent(m.partition(), p -> new ArrayList<>()).add(m.offset());
            }
        }
        return offsets;
    }

    static List<ConsumerRecord<String, String>> consume(GatewayFixture gateway, String topic, int expected) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(gateway.bootstrap(), as("bob"))) {
            return Clients.readFromStart(consumer, topic, expected);
        }
    }

    static List<JsonNode> events(Path dir, String type) throws Exception {
        return AuditQuery.find(dir, AuditQuery.Filter.all()).stream()
                .filter(e -> e.path("unmapped").path("event_type").asText().equals(type)).toList();
    }

    /** Partition rows of the outcome events of a type on a topic (fail-closed request-phase events left out). */
    static List<JsonNode> partitions(Path dir, String type, String topic) throws Exception {
        List<JsonNode> rows = new ArrayList<>();
        for (JsonNode e : events(dir, type)) {
            if (e.path("unmapped").path("details").path("phase").asText().equals("request")) {
                continue;
            }
            e.path("unmapped").path("partitions").forEach(p -> {
                if (p.path("topic").asText().equals(topic)) {
                    rows.add(p);
                }
            });
        }
        return rows;
    }

    static long records(List<JsonNode> rows) {
        return rows.stream().mapToLong(p -> p.path("record_count").asLong()).sum();
    }

    /** Every offset the rows name, by partition. */
    static Map<Integer, List<Long>> offsets(List<JsonNode> rows) {
        Map<Integer, List<Long>> out = new TreeMap<>();
        for (JsonNode p : rows) {
            for (long o = p.path("first_offset").asLong(); o <= p.path("last_offset").asLong(); o++) {
                out.computeIfAbsent(p.path("partition").asInt(), k -> new ArrayList<>()).add(o);
            }
        }
        out.values().forEach(l -> l.sort(Long::compare));
        return out;
    }

    @Test
    void everyProducedAndConsumedRecordIsAuditedWithItsOffsets() throws Exception {
        Path dir = pki.dir.resolve("audit-exact");
        try (GatewayFixture gateway = gateway("""
                  mode: best-effort
                  file: {directory: audit-exact, signingKey: audit-key.pem, checkpointSeconds: 1}
                """)) {
            Map<Integer, List<Long>> sent = produce(gateway, "ledger", 30);
            List<ConsumerRecord<String, String>> read = consume(gateway, "ledger", 30);
            assertThat(read).hasSize(30);

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(records(partitions(dir, "produce", "ledger"))).isEqualTo(30);
                assertThat(records(partitions(dir, "consume", "ledger"))).isEqualTo(30);
            });
            assertThat(offsets(partitions(dir, "produce", "ledger"))).isEqualTo(sent);
            Map<Integer, List<Long>> consumed = new TreeMap<>();
            read.forEach(r -> consumed.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r.offset()));
            assertThat(offsets(partitions(dir, "consume", "ledger"))).isEqualTo(consumed);

            JsonNode produceEvent = events(dir, "produce").get(0);
            assertThat(produceEvent.path("class_uid").asInt()).isEqualTo(6003);
            assertThat(produceEvent.path("actor").path("user").path("name").asText()).isEqualTo("User:alice");
            assertThat(produceEvent.path("actor").path("app_name").asText()).isEqualTo("alice-client");
            assertThat(produceEvent.path("unmapped").path("listener").asText()).isEqualTo("sasl");
            assertThat(produceEvent.path("src_endpoint").path("ip").asText()).isEqualTo("127.0.0.1");
            assertThat(produceEvent.path("api").path("operation").asText()).isEqualTo("Produce");
            JsonNode row = produceEvent.path("unmapped").path("partitions").get(0);
            assertThat(row.path("bytes").asLong()).isPositive();
            assertThat(row.path("first_timestamp").asLong()).isPositive();
            assertThat(events(dir, "consume").get(0).path("actor").path("user").path("name").asText()).isEqualTo("User:bob");
            assertThat(events(dir, "connection_open")).isNotEmpty();

            // While the segment is open, a signed checkpoint soon covers what was written, also once traffic stops.
            long written = AuditQuery.find(dir, AuditQuery.Filter.all()).size();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                VerificationResult open = AuditVerifier.verify(dir, PemKeys.readPublicKey(publicKey));
                assertThat(open.ok()).as(String.valueOf(open.firstProblem())).isTrue();
                assertThat(open.warnings()).singleElement().asString().contains("signed checkpoint at seq ");
                long checkpointed = Long.parseLong(open.warnings().get(0).replaceAll(".*signed checkpoint at seq (\\d+).*", "$1"));
                assertThat(checkpointed).isGreaterThanOrEqualTo(written);
            });
        }
        // Closing the gateway writes what was queued and seals the segment.
        assertThat(events(dir, "connection_close")).isNotEmpty();
        VerificationResult verified = AuditVerifier.verify(dir, PemKeys.readPublicKey(publicKey));
        assertThat(verified.ok()).as(String.valueOf(verified.firstProblem())).isTrue();
        assertThat(verified.records()).isGreaterThan(4);
    }

    @Test
    void refusalsAndLoginsAreAuditedWithoutCredentials() throws Exception {
        Path dir = pki.dir.resolve("audit-refusals");
        try (GatewayFixture gateway = gateway("""
                  file: {directory: audit-refusals, signingKey: audit-key.pem}
                """)) {
            try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), as("alice"))) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>("vault", "k", "v")).get(20, TimeUnit.SECONDS))
                        .cause().isInstanceOf(TopicAuthorizationException.class);
            }
            try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), as("mallory", "guessed-wrong"))) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>("ledger", "k", "v")).get(20, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(SaslAuthenticationException.class);
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(events(dir, "authorization_denied")).anySatisfy(e -> {
                    assertThat(e.path("actor").path("user").path("name").asText()).isEqualTo("User:alice");
                    assertThat(e.path("api").path("operation").asText()).isEqualTo("Produce");
                    assertThat(e.path("unmapped").path("error_code").asInt()).isEqualTo(29); // TOPIC_AUTHORIZATION_FAILED
                    assertThat(e.path("unmapped").path("details").path("denied").asText()).contains("WRITE topic:vault");
                    assertThat(e.path("status").asText()).isEqualTo("Failure");
                });
                assertThat(events(dir, "authentication_failure")).anySatisfy(e -> {
                    assertThat(e.path("class_uid").asInt()).isEqualTo(3002);
                    assertThat(e.path("unmapped").path("details").path("claimed_user").asText()).isEqualTo("mallory");
                    assertThat(e.path("user").path("name").asText()).as("the account the login tried").isEqualTo("User:mallory");
                    assertThat(e.path("unmapped").path("details").path("mechanism").asText()).isEqualTo("SCRAM-SHA-512");
                });
                assertThat(events(dir, "authentication_success")).anySatisfy(e ->
                        assertThat(e.path("actor").path("user").path("name").asText()).isEqualTo("User:alice"));
                assertThat(partitions(dir, "produce", "vault")).isNotEmpty()
                        .allSatisfy(p -> assertThat(p.path("error_code").asInt()).isEqualTo(29));
            });
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String text = Files.readString(f);
                assertThat(text).doesNotContain("guessed-wrong").doesNotContain("alice-secret");
            }
        }
    }

    /**
     * An acks=0 Produce to an allowed and a denied topic (one request: the producer's batches for one broker go
     * together): the allowed part is appended and the connection closed. Its event names the denied partition with
     * its refusal, a denial follows, and no partition claims offsets, since no broker answered with any.
     */
    @Test
    void anAcksZeroProduceIsAuditedWithItsRefusalsAndWithoutOffsets() throws Exception {
        Path dir = pki.dir.resolve("audit-acks0");
        try (GatewayFixture gateway = gateway("""
                  file: {directory: audit-acks0, signingKey: audit-key.pem}
                """)) {
            Map<String, Object> alice = as("alice");
            alice.put("acks", "0");
            alice.put("enable.idempotence", false);
            alice.put("linger.ms", 10_000);
            alice.put("delivery.timeout.ms", 60_000);
            try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), alice)) {
                producer.send(new ProducerRecord<>("ledger-acks0", 0, "k", "written"));
                producer.send(new ProducerRecord<>("vault", 0, "k", "refused"));
                producer.flush();
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(events(dir, "produce")).singleElement().satisfies(e -> {
                    assertThat(e.path("unmapped").path("details").path("acks").asText()).isEqualTo("0");
                    assertThat(e.path("unmapped").path("error_code").asInt()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                    assertThat(e.path("unmapped").path("partitions")).hasSize(2).allSatisfy(p -> {
                        assertThat(p.path("record_count").asLong()).isEqualTo(1);
                        assertThat(p.path("first_offset").asLong()).isEqualTo(-1);
                        assertThat(p.path("last_offset").asLong()).isEqualTo(-1);
                        assertThat(p.path("error_code").asInt()).isEqualTo(p.path("topic").asText().equals("vault")
                                ? Errors.TOPIC_AUTHORIZATION_FAILED.code() : 0);
                    });
                });
                assertThat(events(dir, "authorization_denied")).singleElement().satisfies(e -> {
                    assertThat(e.path("api").path("operation").asText()).isEqualTo("Produce");
                    assertThat(e.path("unmapped").path("error_code").asInt()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                    assertThat(e.path("unmapped").path("details").path("denied").asText()).isEqualTo("WRITE topic:vault");
                });
            });
        }
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            TopicPartition written = new TopicPartition("ledger-acks0", 0);
            assertThat(direct.listOffsets(Map.of(written, OffsetSpec.latest())).all().get(20, TimeUnit.SECONDS).get(written).offset())
                    .isEqualTo(1);
        }
    }

    /**
     * An acks=0 Produce naming only a topic id no topic has: the connection is closed, as for a denied one, and the
     * refusal is audited with the error the enforcer refused it for, UNKNOWN_TOPIC_ID — no check of the policy was
     * denied, so an error read off the denied checks would say CLUSTER_AUTHORIZATION_FAILED.
     */
    @Test
    void anAcksZeroProduceToAnUnknownTopicIdIsAuditedWithThatError() throws Exception {
        Path dir = pki.dir.resolve("audit-acks0-unknown");
        try (GatewayFixture gateway = gateway("""
                  file: {directory: audit-acks0-unknown, signingKey: audit-key.pem}
                """)) {
            String[] hostPort = gateway.bootstrap().split(":");
            try (RawKafkaConnection c = new RawKafkaConnection(hostPort[0], Integer.parseInt(hostPort[1]))) {
                assertThat(new RawSasl(c).scramLogin("alice", "alice-secret").errorCode()).isZero();
                ProduceRequestData produce = new ProduceRequestData().setAcks((short) 0).setTimeoutMs(5_000);
                produce.topicData().add(new ProduceRequestData.TopicProduceData().setTopicId(Uuid.randomUuid())
                        .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(0)
                                .setRecords(MemoryRecords.withRecords(Compression.NONE,
                                        new SimpleRecord("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8)))))));
                c.send(ApiKeys.PRODUCE, (short) 13, produce);
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(events(dir, "authorization_denied")).singleElement().satisfies(e -> {
                            assertThat(e.path("api").path("operation").asText()).isEqualTo("Produce");
                            assertThat(e.path("unmapped").path("error_code").asInt()).isEqualTo(Errors.UNKNOWN_TOPIC_ID.code());
                            assertThat(e.path("status_detail").asText()).endsWith(": UNKNOWN_TOPIC_ID");
                            assertThat(e.path("unmapped").path("details").has("denied")).isFalse();
                        }));
            }
        }
    }

    /**
     * A Produce forwarded to the broker whose client closes its connection before the answer: the broker may or may not
     * act on it, so it is audited, with an unknown outcome, rather than left out of the trail. A Fetch the broker holds
     * (it waits for data that does not come) keeps the Produce behind it unanswered, as a broker reads a connection's
     * next request only after answering the one before.
     */
    @Test
    void aProduceWhoseClientLeavesBeforeTheAnswerIsAuditedWithAnUnknownOutcome() throws Exception {
        Path dir = pki.dir.resolve("audit-abandoned");
        TopicPartition partition = new TopicPartition("ledger-abandoned", 0);
        try (GatewayFixture gateway = gateway("""
                  file: {directory: audit-abandoned, signingKey: audit-key.pem}
                """)) {
            String[] hostPort = gateway.bootstrap().split(":");
            try (RawKafkaConnection c = new RawKafkaConnection(hostPort[0], Integer.parseInt(hostPort[1]))) {
                assertThat(new RawSasl(c).scramLogin("alice", "alice-secret").errorCode()).isZero();
                int held = 1 << 20;
                FetchRequestData fetch = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(20_000).setMinBytes(held)
                        .setMaxBytes(held).setIsolationLevel((byte) 0);
                fetch.topics().add(new FetchRequestData.FetchTopic().setTopic(partition.topic()).setPartitions(List.of(
                        new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(held)
                                .setLogStartOffset(-1).setCurrentLeaderEpoch(-1))));
                c.send(ApiKeys.FETCH, (short) 12, fetch);
                ProduceRequestData produce = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(5_000);
                produce.topicData().add(new ProduceRequestData.TopicProduceData().setName(partition.topic())
                        .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(0)
                                .setRecords(MemoryRecords.withRecords(Compression.NONE,
                                        new SimpleRecord("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8)))))));
                c.send(ApiKeys.PRODUCE, (short) 9, produce);
                Thread.sleep(1_000); // both forwarded; the broker still holds the Fetch
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(events(dir, "produce")).singleElement().satisfies(e -> {
                assertThat(e.path("status_id").asInt()).isZero();
                assertThat(e.path("status").asText()).isEqualTo("Unknown");
                assertThat(e.path("status_detail").asText()).isEqualTo("no answer: the client closed its connection");
                assertThat(e.path("unmapped").has("error_code")).isFalse();
                assertThat(e.path("unmapped").path("partitions")).singleElement().satisfies(p -> {
                    assertThat(p.path("topic").asText()).isEqualTo(partition.topic());
                    assertThat(p.path("record_count").asLong()).isEqualTo(1);
                    assertThat(p.path("first_offset").asLong()).isEqualTo(-1);
                });
            }));
            assertThat(events(dir, "consume")).as("the held Fetch returned nothing").isEmpty();
            assertThat(gateway.server().audit().dropped()).isZero();
        }
    }

    /**
     * Record batches too corrupt to read their headers: Warden audits the request by its size and what could not be
     * read, the broker refuses it with CORRUPT_MESSAGE as Kafka answers it, and the connection stays usable — in
     * fail-closed mode too, where the request event is written before the broker sees it.
     */
    @Test
    void aProduceWithCorruptRecordBatchesGetsKafkasAnswerAndIsAudited() throws Exception {
        Path dir = pki.dir.resolve("audit-corrupt");
        try (GatewayFixture gateway = gateway("""
                  mode: fail-closed
                  file: {directory: audit-corrupt, signingKey: audit-key.pem}
                """)) {
            String[] hostPort = gateway.bootstrap().split(":");
            try (RawKafkaConnection c = new RawKafkaConnection(hostPort[0], Integer.parseInt(hostPort[1]))) {
                assertThat(new RawSasl(c).scramLogin("alice", "alice-secret").errorCode()).isZero();
                // A batch whose length field (5) is below any record's minimum size.
                java.nio.ByteBuffer batch = java.nio.ByteBuffer.allocate(61).putLong(0).putInt(5);
                batch.rewind();
                ProduceRequestData produce = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5_000);
                produce.topicData().add(new ProduceRequestData.TopicProduceData().setName("ledger-corrupt")
                        .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(0)
                                .setRecords(MemoryRecords.readableRecords(batch)))));
                int id = c.send(ApiKeys.PRODUCE, (short) 9, produce);
                ProduceResponseData answer = c.receive(ApiKeys.PRODUCE, (short) 9, id, in -> new ProduceResponseData(in, (short) 9));
                ProduceResponseData.PartitionProduceResponse partition = answer.responses().iterator().next().partitionResponses().get(0);
                assertThat(Errors.forCode(partition.errorCode())).isEqualTo(Errors.CORRUPT_MESSAGE);
                assertThat(partition.baseOffset()).isEqualTo(-1);
                // The same connection is still served.
                int next = c.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(null));
                assertThat(c.receive(ApiKeys.METADATA, (short) 12, next, in -> new MetadataResponseData(in, (short) 12)).brokers()).isNotEmpty();
            }
            produce(gateway, "ledger-corrupt", 3);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(events(dir, "produce")).anySatisfy(e -> {
                assertThat(e.path("unmapped").path("error_code").asInt()).isEqualTo(Errors.CORRUPT_MESSAGE.code());
                assertThat(e.path("unmapped").path("details").path("unreadable_records").asText())
                        .startsWith("ledger-corrupt-0: Record size 5 is less than the minimum record overhead");
                JsonNode row = e.path("unmapped").path("partitions").get(0);
                assertThat(row.path("bytes").asLong()).isEqualTo(61);
                assertThat(row.path("record_count").asLong()).isEqualTo(-1);
            }));
        }
    }

    /**
     * Without a policy, a Produce naming its topic by an id the gateway has not learned (a client that got it from
     * another gateway, or before a restart) is audited under the topic's name: the id is looked up first.
     */
    @Test
    void anAuditedRequestNamingAnUnlearnedTopicIdIsAuditedByName() throws Exception {
        Uuid id;
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            id = direct.describeTopics(List.of("ledger-ids")).allTopicNames().get(30, TimeUnit.SECONDS).get("ledger-ids").topicId();
        }
        Path dir = pki.dir.resolve("audit-ids");
        try (GatewayFixture gateway = GatewayFixture.fromYaml(GatewayFixture.PLAIN_YAML + """
                audit:
                  file: {directory: audit-ids, signingKey: audit-key.pem}
                """, pki.dir, cluster.getBootstrapServers())) {
            assertThat(gateway.server().topicNames().cached(id)).isEmpty();
            String[] hostPort = gateway.bootstrap().split(":");
            try (RawKafkaConnection c = new RawKafkaConnection(hostPort[0], Integer.parseInt(hostPort[1]))) {
                ProduceRequestData produce = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5_000);
                produce.topicData().add(new ProduceRequestData.TopicProduceData().setTopicId(id)
                        .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(0)
                                .setRecords(MemoryRecords.withRecords(Compression.NONE,
                                        new SimpleRecord("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8)))))));
                int correlationId = c.send(ApiKeys.PRODUCE, (short) 13, produce);
                ProduceResponseData answer = c.receive(ApiKeys.PRODUCE, (short) 13, correlationId,
                        a -> new ProduceResponseData(a, (short) 13));
                assertThat(answer.responses().iterator().next().partitionResponses().get(0).errorCode()).isZero();
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(partitions(dir, "produce", "ledger-ids")).hasSize(1));
        }
    }

    @Test
    void failClosedWritesTheRequestEventFirstAndDeliversToAKafkaTopic() throws Exception {
        Path dir = pki.dir.resolve("audit-fc");
        try (GatewayFixture gateway = gateway("""
                  mode: fail-closed
                  file: {directory: audit-fc, signingKey: audit-key.pem}
                  kafka: {bootstrapServers: ["%s"], topic: warden-audit}
                """.formatted(cluster.getBootstrapServers()))) {
            Map<Integer, List<Long>> sent = produce(gateway, "ledger-fc", 12);
            assertThat(consume(gateway, "ledger-fc", 12)).hasSize(12);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(records(partitions(dir, "consume", "ledger-fc"))).isEqualTo(12));
            assertThat(offsets(partitions(dir, "produce", "ledger-fc"))).isEqualTo(sent);
            long requested = 0;
            for (JsonNode e : events(dir, "produce")) {
                if (e.path("unmapped").path("details").path("phase").asText().equals("request")) {
                    requested += e.path("unmapped").path("record_count").asLong();
                }
            }
            assertThat(requested).isEqualTo(12);
        }
        try (KafkaConsumer<String, String> direct = Clients.consumer(cluster.getBootstrapServers(), Map.of())) {
            TopicPartition only = new TopicPartition("warden-audit", 0);
            direct.assign(List.of(only));
            direct.seekToBeginning(List.of(only));
            long end = direct.endOffsets(List.of(only)).get(only);
            List<ConsumerRecord<String, String>> trail = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (direct.position(only) < end && System.nanoTime() < deadline) {
                direct.poll(Duration.ofMillis(200)).forEach(trail::add);
            }
            assertThat(trail).anySatisfy(r -> assertThat(r.value()).contains("\"event_type\":\"produce\"")
                    .contains("ledger-fc").contains("User:alice"));
            assertThat(trail).anySatisfy(r -> assertThat(r.value()).contains("\"event_type\":\"consume\"").contains("User:bob"));
        }
    }

    /**
     * Fail-closed with a file sink that works and a Kafka sink that cannot: the file takes each Produce's request event
     * before the batch fails on the Kafka sink, and the request is refused. The file then shows each such request
     * refused, with the error its client got, rather than a request event that nothing follows; likewise each Fetch
     * whose records were withheld for want of their consume event.
     */
    @Test
    void aRequestRefusedBecauseOneSinkFailedIsShownRefusedInTheOthers() throws Exception {
        TopicPartition stored = new TopicPartition("ledger-unaudited", 1);
        try (KafkaProducer<String, String> seed = Clients.producer(cluster.getBootstrapServers(), Map.of())) {
            for (int i = 0; i < 3; i++) {
                seed.send(new ProducerRecord<>(stored.topic(), stored.partition(), "k", "already there")).get(20, TimeUnit.SECONDS);
            }
        }
        Path dir = pki.dir.resolve("audit-one-sink-down");
        try (GatewayFixture gateway = gateway("""
                  mode: fail-closed
                  file: {directory: audit-one-sink-down, signingKey: audit-key.pem}
                """ + unreachableKafkaSink())) {
            Map<String, Object> alice = as("alice");
            alice.put("retries", 0); // one request, so that the producer's answer is the gateway's
            alice.put("enable.idempotence", false);
            try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), alice)) {
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>("ledger-unaudited", 0, "k", "unaudited")).get(20, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(KafkaStorageException.class);
            }
            // A client that leaves while its request's event is being written: the request is not forwarded either.
            String[] hostPort = gateway.bootstrap().split(":");
            try (RawKafkaConnection c = new RawKafkaConnection(hostPort[0], Integer.parseInt(hostPort[1]))) {
                assertThat(new RawSasl(c).scramLogin("alice", "alice-secret").errorCode()).isZero();
                ProduceRequestData request = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5_000);
                request.topicData().add(new ProduceRequestData.TopicProduceData().setName("ledger-unaudited")
                        .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(0)
                                .setRecords(MemoryRecords.withRecords(Compression.NONE,
                                        new SimpleRecord("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8)))))));
                // Answered once the gateway's broker connection is up, so that the Produce is not held for it.
                int metadata = c.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(null));
                assertThat(c.receive(ApiKeys.METADATA, (short) 12, metadata, in -> new MetadataResponseData(in, (short) 12)).brokers()).isNotEmpty();
                c.send(ApiKeys.PRODUCE, (short) 9, request);
            }
            try (KafkaConsumer<String, String> consumer = Clients.consumer(gateway.bootstrap(), as("bob"))) {
                consumer.assign(List.of(stored));
                consumer.seekToBeginning(List.of(stored));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (System.nanoTime() < deadline) {
                    assertThat(consumer.poll(Duration.ofMillis(200))).as("records withheld").isEmpty();
                }
            }
            // Every Fetch that returned the records has its consume event (in the file) followed by their withholding.
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                List<JsonNode> consume = events(dir, "consume");
                List<String> read = consume.stream().filter(e -> !e.path("unmapped").path("details").has("not_forwarded"))
                        .map(e -> e.path("api").path("request").path("uid").asText()).toList();
                List<JsonNode> withheld = consume.stream().filter(e -> e.path("unmapped").path("details").has("not_forwarded")).toList();
                assertThat(read).isNotEmpty();
                assertThat(withheld).extracting(e -> e.path("api").path("request").path("uid").asText()).containsExactlyElementsOf(read);
                assertThat(withheld).allSatisfy(e -> {
                    assertThat(e.path("unmapped").path("error_code").asInt()).isEqualTo(Errors.KAFKA_STORAGE_ERROR.code());
                    assertThat(e.path("status_detail").asText()).startsWith("records withheld: their audit event could not be written (");
                    assertThat(e.path("unmapped").path("partitions")).singleElement().satisfies(p -> {
                        assertThat(p.path("partition").asInt()).isEqualTo(stored.partition());
                        assertThat(p.path("error_code").asInt()).isEqualTo(Errors.KAFKA_STORAGE_ERROR.code());
                        assertThat(p.path("record_count").asLong()).isEqualTo(3);
                        assertThat(p.path("first_offset").asLong()).isZero();
                    });
                });
            });
        }
        List<JsonNode> produce = events(dir, "produce");
        List<JsonNode> intents = produce.stream()
                .filter(e -> e.path("unmapped").path("details").path("phase").asText().equals("request")).toList();
        List<JsonNode> outcomes = produce.stream().filter(e -> !intents.contains(e)).toList();
        assertThat(intents).as("request events the file took").hasSize(2);
        assertThat(outcomes).extracting(e -> e.path("api").path("request").path("uid").asText())
                .as("one outcome per request event, for the same request")
                .containsExactlyElementsOf(intents.stream().map(e -> e.path("api").path("request").path("uid").asText()).toList());
        assertThat(outcomes).allSatisfy(e -> {
            assertThat(e.path("status").asText()).isEqualTo("Failure");
            assertThat(e.path("unmapped").path("error_code").asInt()).isEqualTo(Errors.KAFKA_STORAGE_ERROR.code());
            assertThat(e.path("status_detail").asText()).startsWith("not forwarded: its audit event could not be written (audit sink failed: ");
            assertThat(e.path("unmapped").path("details").path("not_forwarded").asText()).isEqualTo("audit_unavailable");
            assertThat(e.path("unmapped").path("partitions")).singleElement().satisfies(p -> {
                assertThat(p.path("topic").asText()).isEqualTo("ledger-unaudited");
                assertThat(p.path("record_count").asLong()).isEqualTo(1);
                assertThat(p.path("error_code").asInt()).isEqualTo(Errors.KAFKA_STORAGE_ERROR.code());
                assertThat(p.path("first_offset").asLong()).isEqualTo(-1);
            });
        });
        assertThat(outcomes).extracting(e -> e.path("status_detail").asText().replaceAll(".*\\); ", ""))
                .containsExactly("answered KAFKA_STORAGE_ERROR, which clients retry", "the connection had closed");
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            TopicPartition p0 = new TopicPartition("ledger-unaudited", 0);
            assertThat(direct.listOffsets(Map.of(p0, OffsetSpec.latest())).all().get(20, TimeUnit.SECONDS).get(p0).offset())
                    .as("records that reached the broker").isZero();
        }
    }

    @Test
    void aRequestWhoseClientLeftWhileItsEventWasWrittenIsShownNotForwarded() throws Exception {
        Path dir = pki.dir.resolve("audit-client-left");
        int clients = 20;
        try (GatewayFixture gateway = gateway("""
                  mode: fail-closed
                  file: {directory: audit-client-left, signingKey: audit-key.pem}
                """)) {
            String[] hostPort = gateway.bootstrap().split(":");
            for (int i = 0; i < clients; i++) {
                RawKafkaConnection c = new RawKafkaConnection(hostPort[0], Integer.parseInt(hostPort[1]));
                assertThat(new RawSasl(c).scramLogin("alice", "alice-secret").errorCode()).isZero();
                int metadata = c.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(null));
                assertThat(c.receive(ApiKeys.METADATA, (short) 12, metadata, in -> new MetadataResponseData(in, (short) 12)).brokers()).isNotEmpty();
                ProduceRequestData request = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5_000);
                request.topicData().add(new ProduceRequestData.TopicProduceData().setName("ledger-left")
                        .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(0)
                                .setRecords(MemoryRecords.withRecords(Compression.NONE,
                                        new SimpleRecord("k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8)))))));
                c.send(ApiKeys.PRODUCE, (short) 9, request);
                // Gone after a wait of 0 to 2 ms: some while the request's event is being written (a force).
                java.util.concurrent.locks.LockSupport.parkNanos(i * 100_000L);
                c.close();
            }
        }
        // Every request event the trail holds has its outcome: forwarded (answered, or unknown once the client left)
        // or, when the client left before its event was written, not forwarded.
        List<JsonNode> produce = events(dir, "produce");
        List<JsonNode> intents = produce.stream()
                .filter(e -> e.path("unmapped").path("details").path("phase").asText().equals("request")).toList();
        List<JsonNode> outcomes = produce.stream().filter(e -> !intents.contains(e)).toList();
        assertThat(intents).hasSize(clients);
        assertThat(outcomes).extracting(e -> e.path("api").path("request").path("uid").asText())
                .as("one outcome per request event")
                .containsExactlyInAnyOrderElementsOf(intents.stream().map(e -> e.path("api").path("request").path("uid").asText()).toList());
        List<JsonNode> notForwarded = outcomes.stream()
                .filter(e -> e.path("unmapped").path("details").path("not_forwarded").asText().equals("connection_closed")).toList();
        assertThat(notForwarded).allSatisfy(e -> {
            assertThat(e.path("unmapped").path("error_code").asInt()).isEqualTo(Errors.NETWORK_EXCEPTION.code());
            assertThat(e.path("status_detail").asText())
                    .isEqualTo("not forwarded: the connection closed while its audit event was being written");
            assertThat(e.path("unmapped").path("partitions")).singleElement()
                    .satisfies(p -> assertThat(p.path("error_code").asInt()).isEqualTo(Errors.NETWORK_EXCEPTION.code()));
        });
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            TopicPartition p0 = new TopicPartition("ledger-left", 0);
            assertThat(direct.listOffsets(Map.of(p0, OffsetSpec.latest())).all().get(20, TimeUnit.SECONDS).get(p0).offset())
                    .as("records that reached the broker: none of those shown not forwarded").isLessThanOrEqualTo(clients - notForwarded.size());
        }
    }

    @Test
    void failClosedRefusesRequestsWhenTheSinkCannotWrite() throws Exception {
        try (Admin direct = Clients.admin(cluster.getBootstrapServers());
             KafkaProducer<String, String> seed = Clients.producer(cluster.getBootstrapServers(), Map.of())) {
            for (int i = 0; i < 5; i++) {
                seed.send(new ProducerRecord<>("ledger-closed", 0, "k", "already there")).get(20, TimeUnit.SECONDS);
            }
            try (GatewayFixture gateway = gateway("""
                      mode: fail-closed
                    """ + unreachableKafkaSink())) {
                Map<String, Object> alice = as("alice");
                alice.put("delivery.timeout.ms", 6_000);
                alice.put("request.timeout.ms", 3_000);
                try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), alice)) {
                    assertThatThrownBy(() -> producer.send(new ProducerRecord<>("ledger-closed", 1, "k", "unaudited")).get(20, TimeUnit.SECONDS))
                            .isInstanceOf(ExecutionException.class);
                }
                // Fetched records are withheld too: the consumer gets a retriable error, never the records.
                assertThat(consume(gateway, "ledger-closed", 5)).isEmpty();
                assertThat(gateway.server().audit().failed()).isPositive();
                // And the policy does not change unaudited.
                long version = gateway.server().policyAdmin().current().version();
                org.apache.kafka.common.acl.AclBinding grant = new org.apache.kafka.common.acl.AclBinding(
                        new org.apache.kafka.common.resource.ResourcePattern(org.apache.kafka.common.resource.ResourceType.TOPIC,
                                "vault", org.apache.kafka.common.resource.PatternType.LITERAL),
                        new org.apache.kafka.common.acl.AccessControlEntry("User:mallory", "*",
                                org.apache.kafka.common.acl.AclOperation.READ, org.apache.kafka.common.acl.AclPermissionType.ALLOW));
                assertThatThrownBy(() -> gateway.server().policyAdmin().addAcls(List.of(grant), -1, "User:admin", "test"))
                        .isInstanceOf(io.warden.audit.AuditUnavailableException.class)
                        .hasMessageContaining("the policy was not changed");
                assertThat(gateway.server().policyAdmin().current().version()).isEqualTo(version);
            }
            TopicPartition p1 = new TopicPartition("ledger-closed", 1);
            long end = direct.listOffsets(Map.of(p1, OffsetSpec.latest())).all().get(20, TimeUnit.SECONDS).get(p1).offset();
            assertThat(end).as("records that reached the broker unaudited").isZero();
        }
    }
}
