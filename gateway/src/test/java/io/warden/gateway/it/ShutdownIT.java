package io.warden.gateway.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import io.warden.audit.AuditVerifier;
import io.warden.audit.PemKeys;
import io.warden.audit.VerificationResult;
import io.warden.gateway.Warden;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code warden run} as its own process, stopped with a real SIGTERM while a producer sends through it and a Fetch
 * waits at the broker: the in-flight Fetch is answered, nothing new is accepted, every acknowledged record is in the
 * broker and in the (sealed, verifiable) audit trail, and the process exits 0. Its log lines are JSON objects.
 */
@ExtendWith(KafkaClusterExtension.class)
class ShutdownIT {

    static final String YAML = """
            listeners:
              - name: sasl
                bootstrapPort: %1$d
                brokerPorts: %2$d-%3$d
                sasl: {mechanisms: [SCRAM-SHA-512], allowPlaintext: true}
              - name: plain
                bootstrapPort: %4$d
                brokerPorts: %5$d-%6$d
            authentication:
              users: {file: users.txt}
            audit:
              file: {directory: audit, signingKey: audit-key.pem}
            admin:
              port: %7$d
              jwt: {jwksFile: jwks.json, issuer: "%8$s", audience: warden-admin}
            upstream:
              bootstrapServers: ["%9$s"]
            shutdown:
              drainTimeoutSeconds: %10$d
            """;

    /** How long the broker holds the test's Fetch on an empty partition: the request in flight at SIGTERM. */
    static final int FETCH_WAIT_MS = 6_000;
    static final short FETCH_VERSION = 12; // topics by name

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final ObjectMapper JSON = new ObjectMapper();

    static KafkaCluster cluster;
    static SaslPki pki;

    Process gateway;
    int saslPort;
    int plainPort;
    int adminPort;

    @BeforeAll
    static void setUp() throws Exception {
        pki = new SaslPki();
        pki.addUser("alice", "alice-secret");
        PemKeys.generateEd25519(pki.dir.resolve("audit-key.pem"), pki.dir.resolve("audit-key.pub.pem"));
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            Clients.createTopic(direct, "orders", 3, (short) 1);
            Clients.createTopic(direct, "quiet", 1, (short) 1);
        }
    }

    @AfterEach
    void killGateway() {
        if (gateway != null && gateway.isAlive()) {
            gateway.destroyForcibly();
        }
    }

    /** Starts {@code warden run} in a child JVM with JSON logs, and waits until it reports ready. */
    Path startGateway(String name, int drainTimeoutSeconds) throws Exception {
        Path dir = Files.createDirectories(pki.dir.resolve(name));
        for (String file : List.of("users.txt", "jwks.json", "audit-key.pem")) {
            Files.copy(pki.dir.resolve(file), dir.resolve(file));
        }
        int ports = GatewayFixture.BROKER_PORTS;
        int base = GatewayFixture.freeRange(2 * (ports + 1) + 1);
        saslPort = base;
        plainPort = base + ports + 1;
        adminPort = base + 2 * (ports + 1);
        Path config = dir.resolve("warden.yaml");
        Files.writeString(config, YAML.formatted(saslPort, saslPort + 1, saslPort + ports, plainPort, plainPort + 1,
                plainPort + ports, adminPort, SaslPki.ISSUER, cluster.getBootstrapServers(), drainTimeoutSeconds));
        Path log4j = dir.resolve("log4j2.xml"); // the shipped configuration, not the tests' log4j2-test.xml
        try (InputStream shipped = Warden.class.getResourceAsStream("/log4j2.xml")) {
            Files.copy(shipped, log4j);
        }
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Dlog4j2.configurationFile=" + log4j, "-cp", System.getProperty("java.class.path"),
                Warden.class.getName(), "run", "--config", config.toString())
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .redirectError(dir.resolve("stderr.log").toFile());
        builder.environment().put("WARDEN_LOG_FORMAT", "json");
        gateway = builder.start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            assertThat(gateway.isAlive()).as("gateway process alive; stderr: %s", Files.readString(dir.resolve("stderr.log"))).isTrue();
            return ready().statusCode() == 200;
        });
        return dir;
    }

    HttpResponse<String> ready() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/health/ready"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A Fetch on the empty topic that the broker holds for {@link #FETCH_WAIT_MS}; returns its correlation id. */
    static int longFetch(RawKafkaConnection c) throws IOException {
        FetchRequestData fetch = new FetchRequestData()
                .setReplicaId(-1).setMaxWaitMs(FETCH_WAIT_MS).setMinBytes(1).setMaxBytes(1 << 20).setIsolationLevel((byte) 0);
        fetch.topics().add(new FetchRequestData.FetchTopic().setTopic("quiet").setPartitions(List.of(
                new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0)
                        .setPartitionMaxBytes(1 << 20).setLogStartOffset(-1).setCurrentLeaderEpoch(-1))));
        return c.send(ApiKeys.FETCH, FETCH_VERSION, fetch);
    }

    /** A connection to the plain listener whose {@link #longFetch} the broker has held for half a second. */
    RawKafkaConnection heldFetch() throws Exception {
        RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", plainPort);
        longFetch(c);
        Thread.sleep(500);
        return c;
    }

    /** True when a new TCP connection to the port is refused, or closed by the gateway without a byte. */
    static boolean refusesConnections(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            s.setSoTimeout(2_000);
            InputStream in = s.getInputStream();
            return in.read() < 0;
        } catch (IOException e) {
            return !(e instanceof java.net.SocketTimeoutException);
        }
    }

    record Acked(int partition, long offset, String value) {
    }

    @Test
    void sigtermMidStreamLosesNoAcknowledgedRecordAndNoAuditEvent() throws Exception {
        Path dir = startGateway("drained", 20);

        Map<String, Object> settings = new HashMap<>(Clients.scramPlaintext("alice", "alice-secret"));
        settings.put("acks", "all");
        settings.put("enable.idempotence", false);
        settings.put("retries", 0);
        settings.put("linger.ms", 2);
        settings.put("max.block.ms", 3_000);
        ConcurrentLinkedQueue<Acked> acked = new ConcurrentLinkedQueue<>();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger sent = new AtomicInteger();
        AtomicBoolean producing = new AtomicBoolean(true);
        long exitedAfterMs;
        int inFlightFetch;
        FetchResponseData answered;
        try (KafkaProducer<String, String> producer = Clients.producer("127.0.0.1:" + saslPort, settings);
             RawKafkaConnection fetcher = new RawKafkaConnection("127.0.0.1", plainPort)) {
            Thread sender = new Thread(() -> {
                while (producing.get()) {
                    String value = "r" + sent.getAndIncrement();
                    try {
                        producer.send(new ProducerRecord<>("orders", value, value), (m, e) -> {
                            if (e == null) {
                                acked.add(new Acked(m.partition(), m.offset(), value));
                            } else {
                                failed.incrementAndGet();
                            }
                        });
                        Thread.sleep(1);
                    } catch (KafkaException e) {
                        failed.incrementAndGet();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "shutdown-it-producer");
            sender.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= 300);

            inFlightFetch = longFetch(fetcher);
            Thread.sleep(500); // the Fetch reaches the broker, which holds it
            int sentBeforeSignal = sent.get();
            long signalled = System.nanoTime();
            gateway.destroy(); // SIGTERM

            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .until(() -> ready().statusCode() != 200);
            HttpResponse<String> draining = ready();
            assertThat(draining.statusCode()).isEqualTo(503);
            assertThat(draining.body()).contains("\"reason\":\"shutting down\"");
            await().atMost(Duration.ofSeconds(5)).until(() -> refusesConnections(saslPort) && refusesConnections(plainPort));
            assertThat(gateway.isAlive()).as("still draining: the Fetch is in flight").isTrue();

            answered = fetcher.receive(ApiKeys.FETCH, FETCH_VERSION, inFlightFetch, in -> new FetchResponseData(in, FETCH_VERSION));
            assertThat(fetcher.isClosedByPeer()).as("closed once its last request was answered").isTrue();

            assertThat(gateway.waitFor(20 + 30, TimeUnit.SECONDS)).as("exited within the drain timeout and a margin").isTrue();
            exitedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
            producing.set(false);
            sender.join(10_000);
            assertThat(sentBeforeSignal).isGreaterThan(300);
        }
        assertThat(gateway.exitValue()).as("stderr: %s", Files.readString(dir.resolve("stderr.log"))).isZero();
        assertThat(exitedAfterMs).isLessThan(20_000 + 30_000);
        assertThat(answered.responses().get(0).partitions().get(0).errorCode()).isZero();

        // Every acknowledged record is in the broker, read directly.
        Map<TopicPartition, Map<Long, String>> stored = readAll("orders", 3);
        for (Acked a : acked) {
            assertThat(stored.get(new TopicPartition("orders", a.partition())))
                    .as("acknowledged record at %s-%d", a.partition(), a.offset()).containsEntry(a.offset(), a.value());
        }
        // ... and in the audit trail, whose chain verifies and whose last segment was sealed on the way out.
        Path audit = dir.resolve("audit");
        VerificationResult verified = AuditVerifier.verify(audit, PemKeys.readPublicKey(pki.dir.resolve("audit-key.pub.pem")));
        assertThat(verified.ok()).as(String.valueOf(verified.firstProblem())).isTrue();
        assertThat(verified.warnings()).isEmpty();
        Map<Integer, List<Long>> audited = AuditIT.offsets(AuditIT.partitions(audit, "produce", "orders"));
        Map<Integer, Set<Long>> auditedSets = new HashMap<>();
        audited.forEach((p, offsets) -> {
            assertThat(offsets).as("offsets audited once").doesNotHaveDuplicates();
            auditedSets.put(p, new HashSet<>(offsets));
        });
        for (Acked a : acked) {
            assertThat(auditedSets.getOrDefault(a.partition(), Set.of()))
                    .as("produce audit event for %s-%d", a.partition(), a.offset()).contains(a.offset());
        }

        List<JsonNode> lines = jsonLines(dir.resolve("stdout.log"));
        List<String> messages = lines.stream().map(l -> l.path("message").asText()).toList();
        // The default transport, auto, is Netty's native epoll on this platform (Linux x86-64).
        assertThat(messages).contains("event=transport name=epoll");
        assertThat(messages).anySatisfy(m -> assertThat(m).startsWith("event=listener_started listener=sasl address=127.0.0.1:" + saslPort + " ")
                .contains("security=SASL_PLAINTEXT").contains("sasl_mechanisms=SCRAM-SHA-512"));
        assertThat(messages).anySatisfy(m -> assertThat(m).startsWith("event=listener_started listener=plain address=127.0.0.1:" + plainPort + " ")
                .contains("security=PLAINTEXT"));
        assertThat(messages).anySatisfy(m -> assertThat(m).startsWith("event=listener_started listener=admin-api address=127.0.0.1:" + adminPort + " ")
                .contains("security=HTTP"));
        assertThat(messages).anySatisfy(m -> assertThat(m).startsWith("event=shutdown_started drain_timeout=20s"));
        assertThat(messages).anySatisfy(m -> assertThat(m).startsWith("event=shutdown_complete in_flight_abandoned=0 "));
        assertThat(String.join("\n", messages)).doesNotContain("alice-secret");
    }

    @Test
    void requestsStillInFlightAtTheDrainTimeoutAreAbandonedAndTheProcessExits() throws Exception {
        Path dir = startGateway("abandoned", 1);
        try (RawKafkaConnection fetcher = heldFetch()) {
            long signalled = System.nanoTime();
            gateway.destroy();
            assertThat(fetcher.isClosedByPeer()).as("closed at the drain timeout, before the broker answered").isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled)).isLessThan(FETCH_WAIT_MS - 1_000);
            assertThat(gateway.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(gateway.exitValue()).isZero();
        List<String> messages = jsonLines(dir.resolve("stdout.log")).stream().map(l -> l.path("message").asText()).toList();
        assertThat(messages).anySatisfy(m -> assertThat(m).startsWith("event=connection_closed listener=plain ")
                .contains("reason=\"gateway shut down with 1 requests in flight after the drain timeout\""));
        assertThat(messages).anySatisfy(m -> assertThat(m).startsWith("event=shutdown_complete in_flight_abandoned=1 "));
    }

    @Test
    void aSecondSigtermDuringTheDrainStopsTheProcessAtOnce() throws Exception {
        Path dir = startGateway("forced", 20);
        try (RawKafkaConnection fetcher = heldFetch()) {
            long signalled = System.nanoTime();
            gateway.destroy();
            await().atMost(Duration.ofSeconds(FETCH_WAIT_MS / 2_000)).pollInterval(Duration.ofMillis(50))
                    .until(() -> Files.readString(dir.resolve("stdout.log")).contains("event=shutdown_started"));
            gateway.destroy(); // the same SIGTERM again, the Fetch still held by the broker
            assertThat(gateway.waitFor(FETCH_WAIT_MS, TimeUnit.MILLISECONDS)).isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled)).as("exited before the Fetch was answered")
                    .isLessThan(FETCH_WAIT_MS - 1_000);
            assertThat(fetcher.isClosedByPeer()).isTrue();
        }
        assertThat(gateway.exitValue()).as("128 + SIGTERM, as the JVM exits when killed by it").isEqualTo(143);
        List<String> messages = jsonLines(dir.resolve("stdout.log")).stream().map(l -> l.path("message").asText()).toList();
        assertThat(messages).anySatisfy(m -> assertThat(m).startsWith("event=shutdown_forced signal=SIGTERM ")
                .contains("during the drain, which is cut short"));
        assertThat(messages).noneSatisfy(m -> assertThat(m).startsWith("event=shutdown_complete"));
    }

    /** Every stdout line, each parsed as one JSON object with the fields every log line has. */
    static List<JsonNode> jsonLines(Path stdout) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(stdout)) {
            JsonNode node = JSON.readTree(line);
            assertThat(node.isObject()).as(line).isTrue();
            for (String field : List.of("timestamp", "level", "logger", "thread", "message")) {
                assertThat(node.path(field).isTextual()).as("%s in %s", field, line).isTrue();
            }
            assertThat(node.path("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            out.add(node);
        }
        assertThat(out).isNotEmpty();
        return out;
    }

    /** Each partition's records, read straight from the broker, by offset. */
    static Map<TopicPartition, Map<Long, String>> readAll(String topic, int partitions) {
        Map<TopicPartition, Map<Long, String>> out = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = Clients.consumer(cluster.getBootstrapServers(), Map.of())) {
            List<TopicPartition> all = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                all.add(new TopicPartition(topic, p));
                out.put(new TopicPartition(topic, p), new HashMap<>());
            }
            consumer.assign(all);
            consumer.seekToBeginning(all);
            Map<TopicPartition, Long> end = consumer.endOffsets(all);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (all.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    out.get(new TopicPartition(r.topic(), r.partition())).put(r.offset(), r.value());
                }
            }
        }
        return out;
    }
}
