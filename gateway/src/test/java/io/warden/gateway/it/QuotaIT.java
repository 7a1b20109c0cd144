package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import io.warden.gateway.config.ConfigLoader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.Records;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Byte-rate quotas with real Java clients through the gateway to a real broker: a producer and a consumer far over
 * their principal's quota are held near it, see the throttle time in their own metrics (KIP-219), and the metrics
 * count it, while a principal without a quota runs unthrottled alongside. And the connection creation rate per IP: a
 * storm of new connections is refused beyond the rate while an established client keeps working.
 */
@ExtendWith(KafkaClusterExtension.class)
class QuotaIT {

    static final int PRODUCE_QUOTA = 512 * 1024;
    static final int FETCH_QUOTA = 1024 * 1024;
    static final long RUN_NANOS = TimeUnit.SECONDS.toNanos(6);

    static final String YAML = SaslPki.SCRAM_PLAINTEXT_USERS + """
            quotas:
              principals:
                "User:alice": {produceBytesPerSecond: %d}
                "User:carol": {fetchBytesPerSecond: %d}
                "User:dave": {fetchBytesPerSecond: 65536}
              windowSamples: 2
              windowSampleSeconds: 1
            admin:
              port: %d
              jwt: {jwksFile: jwks.json, issuer: "%s", audience: warden-admin}
            upstream:
              bootstrapServers: ["${UPSTREAM}"]
            """;

    KafkaCluster cluster;

    static Map<String, Object> user(String name) {
        Map<String, Object> c = new HashMap<>(Clients.scramPlaintext(name, name + "-secret"));
        c.put("delivery.timeout.ms", 60_000);
        c.put("request.timeout.ms", 30_000);
        c.put("max.block.ms", 30_000);
        return c;
    }

    static double clientMetric(Map<MetricName, ? extends Metric> metrics, String name) {
        return metrics.entrySet().stream().filter(e -> e.getKey().name().equals(name) && e.getKey().tags().get("node-id") == null)
                .map(e -> (Double) e.getValue().metricValue()).filter(v -> !v.isNaN()).findFirst().orElse(0.0);
    }

    /** A producer sending 8 KiB records as fast as it can for {@link #RUN_NANOS}: the value bytes the broker acknowledged. */
    static long produceFlat(KafkaProducer<byte[], byte[]> producer, String topic) throws Exception {
        byte[] value = new byte[8 * 1024];
        AtomicLong acked = new AtomicLong();
        long end = System.nanoTime() + RUN_NANOS;
        while (System.nanoTime() < end) {
            producer.send(new ProducerRecord<>(topic, value), (md, e) -> {
                if (e == null && System.nanoTime() < end) {
                    acked.addAndGet(value.length);
                }
            });
        }
        producer.flush();
        return acked.get();
    }

    /** {@link #produceFlat} with each of these producers at once: the bytes each got acknowledged, in their order. */
    static List<Long> produceFlatTogether(List<KafkaProducer<byte[], byte[]>> producers, String topic) throws Exception {
        List<CompletableFuture<Long>> runs = new ArrayList<>();
        for (KafkaProducer<byte[], byte[]> producer : producers) {
            runs.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return produceFlat(producer, topic);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        List<Long> acked = new ArrayList<>();
        for (CompletableFuture<Long> run : runs) {
            acked.add(run.get(60, TimeUnit.SECONDS));
        }
        return acked;
    }

    @Test
    void producersAndConsumersOverTheirQuotaAreHeldNearItAndOthersAreNot() throws Exception {
        SaslPki pki = new SaslPki();
        for (String u : List.of("alice", "bob", "carol")) {
            pki.addUser(u, u + "-secret");
        }
        String produced = "quota-produce";
        String fetched = "quota-fetch";
        int preloaded = 24 * 1024 * 1024;
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            Clients.createTopic(direct, produced, 1, (short) 1);
            Clients.createTopic(direct, fetched, 1, (short) 1);
        }
        try (KafkaProducer<byte[], byte[]> loader = Clients.bytesProducer(cluster.getBootstrapServers(), Map.of("linger.ms", 20))) {
            byte[] value = new byte[1024];
            for (int i = 0; i < preloaded / value.length; i++) {
                loader.send(new ProducerRecord<>(fetched, value));
            }
            loader.flush();
        }
        try (GatewayFixture gateway = GatewayFixture.fromYaml(YAML.formatted(PRODUCE_QUOTA, FETCH_QUOTA, GatewayFixture.freeRange(1),
                SaslPki.ISSUER), pki.dir, cluster.getBootstrapServers());
             KafkaProducer<byte[], byte[]> alice = Clients.bytesProducer(gateway.bootstrap(), with(user("alice"), "buffer.memory", 2 * 1024 * 1024));
             KafkaProducer<byte[], byte[]> bob = Clients.bytesProducer(gateway.bootstrap(), with(user("bob"), "buffer.memory", 2 * 1024 * 1024));
             KafkaConsumer<byte[], byte[]> carol = Clients.bytesConsumer(gateway.bootstrap(),
                     with(user("carol"), "max.partition.fetch.bytes", 300 * 1024))) {
            // Both producers at once, on the same gateway: only alice has a quota.
            CompletableFuture<Long> bobRun = CompletableFuture.supplyAsync(() -> {
                try {
                    return produceFlat(bob, produced);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long aliceBytes = produceFlat(alice, produced);
            long bobBytes = bobRun.get(60, TimeUnit.SECONDS);
            double seconds = RUN_NANOS / 1e9;
            double aliceRate = aliceBytes / seconds;
            double bobRate = bobBytes / seconds;
            // The first second may use a window's worth of quota at once; over the whole run the rate stays near it.
            assertThat(aliceRate).as("alice's produce rate (quota %d B/s)", PRODUCE_QUOTA)
                    .isLessThanOrEqualTo(1.5 * PRODUCE_QUOTA).isGreaterThan(0.25 * PRODUCE_QUOTA);
            assertThat(clientMetric(alice.metrics(), "produce-throttle-time-max")).as("alice saw throttle_time_ms").isGreaterThan(0);
            assertThat(bobRate).as("bob's produce rate, without a quota").isGreaterThan(2.0 * PRODUCE_QUOTA);
            assertThat(clientMetric(bob.metrics(), "produce-throttle-time-max")).as("bob's throttle time").isZero();

            // Carol reads a preloaded topic as fast as she can, with a fetch quota; responses are large enough to be
            // forwarded as they arrive.
            TopicPartition tp = new TopicPartition(fetched, 0);
            carol.assign(List.of(tp));
            carol.seekToBeginning(List.of(tp));
            long carolBytes = 0;
            long nextOffset = 0;
            long end = System.nanoTime() + RUN_NANOS;
            while (System.nanoTime() < end) {
                for (ConsumerRecord<byte[], byte[]> r : carol.poll(Duration.ofMillis(100))) {
                    assertThat(r.offset()).as("each record once, in order").isEqualTo(nextOffset++);
                    carolBytes += r.value().length;
                }
            }
            double carolRate = carolBytes / seconds;
            assertThat(carolRate).as("carol's fetch rate (quota %d B/s, %d bytes available)", FETCH_QUOTA, preloaded)
                    .isLessThanOrEqualTo(1.5 * FETCH_QUOTA).isGreaterThan(0.25 * FETCH_QUOTA);
            assertThat(clientMetric(carol.metrics(), "fetch-throttle-time-max")).as("carol saw throttle_time_ms").isGreaterThan(0);

            var stats = gateway.server().stats();
            assertThat(stats.quotaThrottled("produce")).isPositive();
            assertThat(stats.quotaThrottled("fetch")).isPositive();
            assertThat(stats.streamedResponses()).as("fetch responses forwarded as they arrived").isPositive();
            String scrape = OperationsIT.get(gateway, "/metrics").body();
            for (String kind : List.of("produce", "fetch")) {
                assertThat(OperationsIT.metric(scrape, "warden_quota_throttled_total{kind=\"" + kind + "\"}")).isPositive();
                assertThat(OperationsIT.metric(scrape, "warden_quota_throttle_seconds_total{kind=\"" + kind + "\"}")).isPositive();
            }
        }
    }

    /**
     * A client-id quota, where no principal quota applies: every connection with that client id shares it, whatever its
     * principal, while the same principal under another client id is not held.
     */
    @Test
    void aClientIdQuotaHoldsEveryPrincipalUsingThatClientIdTogether() throws Exception {
        heldTogether("quota-client-id", """
                  clients:
                    ids:
                      "metered-app": {produceBytesPerSecond: %d}
                """, List.of(new Producer("bob", "metered-app", true), new Producer("carol", "metered-app", true),
                new Producer("bob", "free-app", false)));
    }

    /**
     * A quota for a principal with a client id: the connections of that principal with that client id share it, while
     * the same principal under another client id, and another principal under that client id, are not held.
     */
    @Test
    void aPrincipalAndClientIdQuotaHoldsOnlyThatPairTogether() throws Exception {
        heldTogether("quota-user-client-id", """
                  principals:
                    "User:bob":
                      clients:
                        ids:
                          "metered-app": {produceBytesPerSecond: %d}
                """, List.of(new Producer("bob", "metered-app", true), new Producer("bob", "metered-app", true),
                new Producer("bob", "free-app", false), new Producer("carol", "metered-app", false)));
    }

    /**
     * Quotas edited in the configuration file hold the connections already open, without a restart and without their
     * reconnecting, and DescribeClientQuotas tells them; an edit that is not valid changes nothing; removing them
     * frees the same connections again.
     */
    @Test
    void quotasEditedInTheConfigurationFileHoldOpenConnectionsWithoutARestart() throws Exception {
        SaslPki pki = new SaslPki();
        pki.addUser("bob", "bob-secret");
        String topic = "quota-reloaded";
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            Clients.createTopic(direct, topic, 1, (short) 1);
        }
        Path file = pki.dir.resolve("warden.yaml");
        KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Files.writeString(pki.dir.resolve("audit-key.pem"), AuditIT.pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        String unlimited = GatewayFixture.yamlText(SaslPki.SCRAM_PLAINTEXT_USERS + """
                audit:
                  file: {directory: audit-reload, signingKey: audit-key.pem, checkpointSeconds: 1}
                upstream:
                  bootstrapServers: ["${UPSTREAM}"]
                """, cluster.getBootstrapServers());
        replace(file, unlimited);
        ClientQuotaEntity bob = new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, "bob"));
        try (GatewayFixture gateway = GatewayFixture.start(ConfigLoader.load(file));
             KafkaProducer<byte[], byte[]> producer = Clients.bytesProducer(gateway.bootstrap(), with(user("bob"), "buffer.memory", 2 * 1024 * 1024));
             Admin admin = Admin.create(with(user("bob"), "bootstrap.servers", gateway.bootstrap()))) {
            gateway.server().watchQuotas(file, Duration.ofMillis(200));
            double seconds = RUN_NANOS / 1e9;
            assertThat(produceFlat(producer, topic) / seconds).as("bob's produce rate before any quota").isGreaterThan(2.0 * PRODUCE_QUOTA);
            double connections = clientMetric(producer.metrics(), "connection-creation-total");

            replace(file, unlimited + """
                    quotas:
                      principals:
                        "User:bob": {produceBytesPerSecond: %d}
                      windowSamples: 2
                      windowSampleSeconds: 1
                    """.formatted(PRODUCE_QUOTA));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(get(admin.describeClientQuotas(USERS).entities()))
                    .isEqualTo(Map.of(bob, Map.of("producer_byte_rate", (double) PRODUCE_QUOTA))));
            assertThat(produceFlat(producer, topic) / seconds).as("bob's produce rate with the quota (%d B/s) put in the file", PRODUCE_QUOTA)
                    .isLessThanOrEqualTo(1.5 * PRODUCE_QUOTA).isGreaterThan(0.25 * PRODUCE_QUOTA);
            assertThat(clientMetric(producer.metrics(), "produce-throttle-time-max")).as("bob saw throttle_time_ms").isGreaterThan(0);
            assertThat(clientMetric(producer.metrics(), "connection-creation-total")).as("the producer's connections, the same ones")
                    .isEqualTo(connections);
            Path audited = pki.dir.resolve("audit-reload");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(AuditIT.events(audited, "policy_change").stream()
                    .map(e -> e.path("unmapped").path("details").path("quotas").asText()).toList())
                    .as("the new quotas, audited").containsExactly("user=bob: producer_byte_rate=" + PRODUCE_QUOTA));

            replace(file, unlimited + "quotas: {principals: {\"User:bob\": {produceBytesPerSecond: lots}}}\n");
            Thread.sleep(1_000); // five checks
            assertThat(get(admin.describeClientQuotas(USERS).entities())).as("the quotas in force after a broken edit")
                    .isEqualTo(Map.of(bob, Map.of("producer_byte_rate", (double) PRODUCE_QUOTA)));

            replace(file, unlimited);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(get(admin.describeClientQuotas(USERS).entities()))
                    .isEmpty());
            assertThat(produceFlat(producer, topic) / seconds).as("bob's produce rate once the quota is gone").isGreaterThan(2.0 * PRODUCE_QUOTA);
            assertThat(clientMetric(producer.metrics(), "connection-creation-total")).isEqualTo(connections);
        }
    }

    /** Every quota of a user alone (the default IP's connection creation rate left out). */
    static final ClientQuotaFilter USERS = ClientQuotaFilter.containsOnly(List.of(ClientQuotaFilterComponent.ofEntityType(ClientQuotaEntity.USER)));

    /** Replaces {@code file} with {@code text} at once, as deploy tools do: written beside it, then moved over it. */
    private static void replace(Path file, String text) throws Exception {
        Path written = file.resolveSibling(file.getFileName() + ".new");
        Files.writeString(written, text);
        Files.move(written, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static <T> T get(org.apache.kafka.common.KafkaFuture<T> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    /** A producer as this user with this client id, and whether a quota of {@link #PRODUCE_QUOTA} is to hold it. */
    record Producer(String user, String clientId, boolean metered) {
    }

    /**
     * These producers at once as fast as they can, through a gateway with these quotas (a {@code %d} for
     * {@link #PRODUCE_QUOTA}): the metered ones together are held near the quota and each sees a throttle time, each
     * other one runs far above it, unthrottled.
     */
    private void heldTogether(String topic, String quotas, List<Producer> specs) throws Exception {
        SaslPki pki = new SaslPki();
        for (String u : specs.stream().map(Producer::user).distinct().toList()) {
            pki.addUser(u, u + "-secret");
        }
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            Clients.createTopic(direct, topic, 1, (short) 1);
        }
        String yaml = SaslPki.SCRAM_PLAINTEXT_USERS + "quotas:\n" + quotas.formatted(PRODUCE_QUOTA) + """
                  windowSamples: 2
                  windowSampleSeconds: 1
                upstream:
                  bootstrapServers: ["${UPSTREAM}"]
                """;
        try (GatewayFixture gateway = GatewayFixture.fromYaml(yaml, pki.dir, cluster.getBootstrapServers())) {
            List<KafkaProducer<byte[], byte[]>> producers = new ArrayList<>();
            try {
                for (Producer spec : specs) {
                    producers.add(Clients.bytesProducer(gateway.bootstrap(),
                            with(with(user(spec.user()), "buffer.memory", 2 * 1024 * 1024), "client.id", spec.clientId())));
                }
                List<Long> acked = produceFlatTogether(producers, topic);
                double seconds = RUN_NANOS / 1e9;
                double meteredRate = 0;
                for (int i = 0; i < specs.size(); i++) {
                    Producer spec = specs.get(i);
                    double throttle = clientMetric(producers.get(i).metrics(), "produce-throttle-time-max");
                    if (spec.metered()) {
                        meteredRate += acked.get(i) / seconds;
                        assertThat(throttle).as("%s throttled", spec).isGreaterThan(0);
                    } else {
                        assertThat(acked.get(i) / seconds).as("%s's produce rate, without a quota", spec).isGreaterThan(2.0 * PRODUCE_QUOTA);
                        assertThat(throttle).as("%s's throttle time", spec).isZero();
                    }
                }
                assertThat(meteredRate).as("the metered producers' rate together (quota %d B/s)", PRODUCE_QUOTA)
                        .isLessThanOrEqualTo(1.5 * PRODUCE_QUOTA).isGreaterThan(0.25 * PRODUCE_QUOTA);
            } finally {
                producers.forEach(KafkaProducer::close);
            }
        }
    }

    /**
     * A Fetch the quota throttles is answered as a Kafka broker answers it: the throttle time, no error, no session and
     * no records, in place of the broker's response (also one large enough to be forwarded as it arrives, which is
     * dropped as it comes). The records come in later fetches, each once and in order. Every Fetch has an ApiVersions
     * request right behind it, answered in turn: the connection stays in step. Audit writes a consume event for the
     * Fetches that returned records and for no other.
     */
    @Test
    void aThrottledFetchCarriesNoRecordsAndEveryRecordStillArrivesOnceInOrder() throws Exception {
        SaslPki pki = new SaslPki();
        pki.addUser("carol", "carol-secret");
        KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Files.writeString(pki.dir.resolve("audit-key.pem"), AuditIT.pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        String topic = "quota-throttled-fetch";
        int records = 3 * 1024;
        preload(topic, records);
        String yaml = YAML.formatted(PRODUCE_QUOTA, FETCH_QUOTA, GatewayFixture.freeRange(1), SaslPki.ISSUER) + """
                audit:
                  mode: best-effort
                  file: {directory: audit-quota, signingKey: audit-key.pem, checkpointSeconds: 1}
                """;
        short version = 12; // topics by name
        short apiVersionsVersion = 3;
        try (GatewayFixture gateway = GatewayFixture.fromYaml(yaml, pki.dir, cluster.getBootstrapServers());
             RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", gateway.bootstrapPort())) {
            assertThat(new RawSasl(c).scramLogin("carol", "carol-secret").errorCode()).isZero();
            long next = 0;
            int throttledLarge = 0;
            Set<Integer> withRecords = new HashSet<>();
            Set<Integer> throttled = new HashSet<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int round = 0; next < records; round++) {
                assertThat(System.nanoTime()).as("all records read within 60 s, %d so far", next).isLessThan(deadline);
                // Responses of about 300 KiB are forwarded as they arrive; those of 16 KiB are not.
                boolean large = round % 2 == 0;
                int maxBytes = large ? 300 * 1024 : 16 * 1024;
                FetchRequestData fetch = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(1).setMaxBytes(maxBytes)
                        .setIsolationLevel((byte) 0).setSessionId(0).setSessionEpoch(-1);
                fetch.topics().add(new FetchRequestData.FetchTopic().setTopic(topic).setPartitions(List.of(
                        new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(next)
                                .setPartitionMaxBytes(maxBytes).setLogStartOffset(-1).setCurrentLeaderEpoch(-1))));
                int fetchId = c.send(ApiKeys.FETCH, version, fetch);
                int versionsId = c.send(ApiKeys.API_VERSIONS, apiVersionsVersion, new ApiVersionsRequestData()
                        .setClientSoftwareName("quota-it").setClientSoftwareVersion("1.0"));
                FetchResponseData r = c.receive(ApiKeys.FETCH, version, fetchId, in -> new FetchResponseData(in, version));
                ApiVersionsResponseData versions = c.receive(ApiKeys.API_VERSIONS, apiVersionsVersion, versionsId,
                        in -> new ApiVersionsResponseData(in, apiVersionsVersion));
                assertThat(versions.errorCode()).as("the ApiVersions behind Fetch %d", fetchId).isZero();
                assertThat(r.errorCode()).isZero();
                assertThat(r.sessionId()).as("no fetch session through the gateway").isZero();
                if (r.throttleTimeMs() > 0) {
                    assertThat(r.responses()).as("partitions of throttled Fetch %d (%d ms)", fetchId, r.throttleTimeMs()).isEmpty();
                    throttled.add(fetchId);
                    if (large) {
                        throttledLarge++;
                    }
                    continue;
                }
                FetchResponseData.PartitionData p = r.responses().get(0).partitions().get(0);
                assertThat(p.errorCode()).isZero();
                Records fetched = (Records) p.records();
                if (fetched == null || fetched.sizeInBytes() == 0) {
                    continue;
                }
                withRecords.add(fetchId);
                for (RecordBatch batch : fetched.batches()) {
                    for (Record record : batch) {
                        if (record.offset() >= next) { // a batch may begin before the offset asked for
                            assertThat(record.offset()).as("each record once, in order").isEqualTo(next++);
                        }
                    }
                }
            }
            assertThat(throttledLarge).as("throttled Fetches of about 300 KiB").isPositive();
            assertThat(gateway.server().stats().streamedResponses()).as("responses forwarded as they arrived").isPositive();
            assertThat(gateway.server().stats().quotaThrottled("fetch")).isEqualTo(throttled.size());
            Path audited = pki.dir.resolve("audit-quota");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(AuditIT.events(audited, "consume").stream()
                    .map(e -> e.path("api").path("request").path("uid").asText())
                    .map(uid -> Integer.parseInt(uid.substring(uid.lastIndexOf('#') + 1))).collect(Collectors.toSet()))
                    .as("Fetches with a consume event").isEqualTo(withRecords));
        }
    }

    /**
     * A consumer whose fetches would each return far more than its quota allows in a window (64 KiB/s, measured over
     * at least 1 s; fetch.max.bytes and max.partition.fetch.bytes left at their defaults) still reads everything,
     * once and in order: as Kafka does, the gateway lowers each Fetch's max_bytes to a window's worth of quota, so that
     * a throttled Fetch, which returns nothing, is not all it ever gets.
     */
    @Test
    void aConsumerWhoseFetchesExceedAWindowOfQuotaStillReadsEverything() throws Exception {
        SaslPki pki = new SaslPki();
        pki.addUser("dave", "dave-secret");
        String topic = "quota-small-window";
        int records = 256;
        preload(topic, records);
        try (GatewayFixture gateway = GatewayFixture.fromYaml(YAML.formatted(PRODUCE_QUOTA, FETCH_QUOTA, GatewayFixture.freeRange(1),
                SaslPki.ISSUER), pki.dir, cluster.getBootstrapServers());
             KafkaConsumer<byte[], byte[]> dave = Clients.bytesConsumer(gateway.bootstrap(), user("dave"))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            dave.assign(List.of(tp));
            dave.seekToBeginning(List.of(tp));
            long next = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (next < records && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : dave.poll(Duration.ofMillis(100))) {
                    assertThat(r.offset()).as("each record once, in order").isEqualTo(next++);
                }
            }
            assertThat(next).as("records read within 30 s").isEqualTo(records);
            assertThat(clientMetric(dave.metrics(), "fetch-throttle-time-max")).as("dave saw throttle_time_ms").isGreaterThan(0);
        }
    }

    /** A new topic of one partition holding {@code records} records of 1 KiB, written straight to the broker. */
    void preload(String topic, int records) throws Exception {
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            Clients.createTopic(direct, topic, 1, (short) 1);
        }
        try (KafkaProducer<byte[], byte[]> loader = Clients.bytesProducer(cluster.getBootstrapServers(), Map.of("linger.ms", 20))) {
            for (int i = 0; i < records; i++) {
                loader.send(new ProducerRecord<>(topic, new byte[1024]));
            }
            loader.flush();
        }
    }

    static Map<String, Object> with(Map<String, Object> config, String key, Object value) {
        Map<String, Object> c = new HashMap<>(config);
        c.put(key, value);
        return c;
    }

    static final String CREATION_RATE_YAML = """
            listeners:
              - name: plain
                bootstrapPort: ${BOOTSTRAP_PORT}
                brokerPorts: ${BROKER_PORTS}
            limits: {maxConnectionCreationRatePerIp: 5}
            upstream:
              bootstrapServers: ["${UPSTREAM}"]
            """;

    @Test
    void connectionsOverTheCreationRateAreRefusedWhileEstablishedClientsWork() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.fromYaml(CREATION_RATE_YAML, Files.createTempDirectory("warden-creation-rate"),
                cluster.getBootstrapServers());
             KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), Map.of("max.block.ms", 20_000))) {
            String topic = Clients.createTopic(gateway.admin(), 1);
            producer.send(new ProducerRecord<>(topic, "k", "before")).get(20, TimeUnit.SECONDS);
            var stats = gateway.server().stats();
            long openBefore = stats.openClientConnections();
            Thread.sleep(2_500); // the producer's own connections leave the window

            List<Socket> storm = new ArrayList<>();
            try {
                for (int i = 0; i < 40; i++) {
                    storm.add(ConnectionLimitsIT.connect(gateway, "127.0.0.1"));
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> stats.refusedByLimit("creation_rate")
                        + stats.openClientConnections() - openBefore >= storm.size());
                long refused = stats.refusedByLimit("creation_rate");
                assertThat(refused).as("connections refused by the creation rate").isGreaterThanOrEqualTo(20);
                assertThat(stats.openClientConnections() - openBefore).as("storm connections admitted").isLessThanOrEqualTo(20);
                assertThat(stats.refusedByLimit("per_ip")).isZero();

                // The established client is unaffected.
                producer.send(new ProducerRecord<>(topic, "k", "during")).get(20, TimeUnit.SECONDS);
            } finally {
                for (Socket s : storm) {
                    s.close();
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> stats.openClientConnections() == openBefore);
            Thread.sleep(2_500);
            long refusedBefore = stats.refusedByLimit("creation_rate");
            Socket again = ConnectionLimitsIT.admitted(gateway, "127.0.0.1");
            try {
                assertThat(ConnectionLimitsIT.closedByGateway(again)).as("a new connection once the window has passed").isFalse();
            } finally {
                again.close();
            }
            assertThat(stats.refusedByLimit("creation_rate")).isEqualTo(refusedBefore);
        }
    }
}
