package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import io.warden.audit.AuditVerifier;
import io.warden.audit.PemKeys;
import io.warden.audit.VerificationResult;
import io.warden.gateway.proxy.GatewayStats;
import io.warden.policies.LogCapture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DescribeAclsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Valid requests of every API the gateway forwards, each with a few bytes changed, cut short or grown, sent by a raw
 * client to a gateway that enforces a policy and audits fail-closed (so that the enforcers and the audit read every
 * request they can). Whatever the gateway is sent, it refuses or answers: after each mutated request a probe
 * (ApiVersions) is sent on the same connection, and either the connection closes or the probe is answered — a request
 * that cannot be parsed never leaves its connection hanging. At the end every connection is released, a real client
 * still works, the gateway logged no unexpected failure, and its audit trail verifies. The same before a login on a
 * SASL listener; and damaged requests that still parse, sent to the broker directly and through the gateway, get the
 * same kind of outcome both ways.
 */
@ExtendWith(KafkaClusterExtension.class)
class MutatedRequestsIT {

    /** Bounded: a fixed number of cases from a fixed seed (override with -Dwarden.fuzz.seed / -Dwarden.fuzz.cases). */
    static final long SEED = Long.getLong("warden.fuzz.seed", 20261127L);
    static final int CASES = Integer.getInteger("warden.fuzz.cases", 1500);
    /** APIs a broker may legitimately hold for a while (long polls, rebalances): their probes are not waited for long. */
    static final Set<ApiKeys> MAY_WAIT = EnumSet.of(ApiKeys.FETCH, ApiKeys.JOIN_GROUP, ApiKeys.SYNC_GROUP,
            ApiKeys.PRODUCE, ApiKeys.CREATE_TOPICS, ApiKeys.DELETE_TOPICS, ApiKeys.CREATE_PARTITIONS,
            ApiKeys.ELECT_LEADERS, ApiKeys.ALTER_PARTITION_REASSIGNMENTS, ApiKeys.DELETE_RECORDS);

    static final String POLICY = """
            acls:
              - principal: User:*
                operations: [all]
                topic: "*"
                group: "*"
                transactionalId: "*"
                cluster: true
            """;

    /** Cases open hundreds of connections a second from one address: the per-IP rate limit would refuse them unread. */
    static final String UNLIMITED_CONNECTIONS = """
            limits:
              maxConnectionCreationRatePerIp: 0
            """;

    static KafkaCluster cluster;

    @Test
    void everyMutatedRequestIsRefusedOrAnsweredAndNothingLeaks(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("policy.yaml"), POLICY);
        PemKeys.generateEd25519(dir.resolve("audit-key.pem"), dir.resolve("audit-key.pub.pem"));
        try (Admin admin = Clients.admin(cluster.getBootstrapServers())) {
            ensureFuzzTopic(admin);
        }
        Uuid topicId;
        try (LogCapture logs = LogCapture.attach("io.warden", "io.vertx", "io.netty");
             GatewayFixture gateway = GatewayFixture.fromYaml(GatewayFixture.PLAIN_YAML + """
                     authorization:
                       policyFile: policy.yaml
                     audit:
                       mode: fail-closed
                       file: {directory: audit, signingKey: audit-key.pem}
                     """ + UNLIMITED_CONNECTIONS, dir, cluster.getBootstrapServers())) {
            try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), Map.of())) {
                for (int i = 0; i < 20; i++) {
                    producer.send(new ProducerRecord<>("fuzz", i % 2, "k" + i, "v" + i)).get(30, TimeUnit.SECONDS);
                }
            }
            try (Admin admin = Clients.admin(gateway.bootstrap())) {
                topicId = admin.describeTopics(List.of("fuzz")).allTopicNames().get(30, TimeUnit.SECONDS).get("fuzz").topicId();
            }
            String[] hostPort = gateway.bootstrap().split(":");
            String host = hostPort[0];
            int port = Integer.parseInt(hostPort[1]);

            long baselineClients;
            long baselineUpstreams;
            try (RawKafkaConnection bystander = new RawKafkaConnection(host, port)) {
                Map<ApiKeys, short[]> versions = offeredVersions(bystander);
                baselineClients = gateway.server().stats().openClientConnections();
                baselineUpstreams = gateway.server().stats().openUpstreamConnections();

                List<byte[]> corpus = corpus(versions, topicId);
                Random random = new Random(SEED);
                Wire wire = null;
                int closed = 0;
                int answered = 0;
                for (int n = 0; n < CASES; n++) {
                    byte[] valid = corpus.get(random.nextInt(corpus.size()));
                    Mutation mutation = Mutation.values()[random.nextInt(Mutation.values().length)];
                    byte[] mutated = mutation.apply(valid, random);
                    ApiKeys api = ApiKeys.forId(ByteBuffer.wrap(mutated).getShort(0));
                    short version = ByteBuffer.wrap(mutated).getShort(2);
                    boolean parses = parses(mutated);
                    String what = "case " + n + " (seed " + SEED + "): " + api + " v" + version + " " + mutation
                            + (parses ? " (still parses)" : " (malformed)");
                    if (wire == null) {
                        wire = new Wire(host, port);
                    }
                    wire.send(mutated);
                    Outcome outcome = wire.probe(!parses || !MAY_WAIT.contains(api) ? 15_000 : 1_500);
                    if (!parses) {
                        assertThat(outcome).as(what + ": a request Kafka cannot read closes its connection").isEqualTo(Outcome.CLOSED);
                    }
                    if (outcome == Outcome.TIMED_OUT) {
                        assertThat(parses && MAY_WAIT.contains(api))
                                .as(what + ": neither refused nor followed by an answer to the next request").isTrue();
                    }
                    if (outcome == Outcome.ANSWERED) {
                        answered++;
                    } else {
                        closed++;
                        wire.close();
                        wire = null;
                    }
                }
                if (wire != null) {
                    wire.close();
                }
                System.out.printf("mutated requests: %d cases, %d connections closed, %d answered%n", CASES, closed, answered);
                assertThat(closed).as("malformed requests were refused").isPositive();
                assertThat(answered).as("requests that still parse were answered").isPositive();

                // The bystander, connected throughout, is still served.
                int id = bystander.send(ApiKeys.API_VERSIONS, (short) 3, probe());
                assertThat(bystander.receive(ApiKeys.API_VERSIONS, (short) 3, id,
                        in -> new ApiVersionsResponseData(in, (short) 3)).errorCode()).isZero();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(gateway.server().stats().openClientConnections()).isEqualTo(baselineClients);
                    assertThat(gateway.server().stats().openUpstreamConnections()).isEqualTo(baselineUpstreams);
                });
            }
            try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), Map.of())) {
                producer.send(new ProducerRecord<>("fuzz", 0, "k", "after")).get(30, TimeUnit.SECONDS);
            }
            assertThat(unexpectedFailures(logs)).as("failures the gateway did not expect").isEmpty();
        }
        VerificationResult verified = AuditVerifier.verify(dir.resolve("audit"), PemKeys.readPublicKey(dir.resolve("audit-key.pub.pem")));
        assertThat(verified.ok()).as(verified.toString()).isTrue();
    }

    /**
     * Before a login on a SASL listener: mutated SaslHandshake and SaslAuthenticate requests (the latter after a valid
     * handshake) and mutated requests of every other API. Each is refused or answered; every API but these and
     * ApiVersions is refused by closing the connection; and nothing but ApiVersions reaches the broker, since no login
     * completes.
     */
    @Test
    void beforeALoginMutatedRequestsAreRefusedAndNothingReachesTheBroker() throws Exception {
        SaslPki pki = SaslPki.withUsersAndPolicy(POLICY.replace("User:*", "User:alice"), "alice");
        try (Admin admin = Clients.admin(cluster.getBootstrapServers())) {
            admin.createTopics(List.of(new NewTopic("fuzz-sasl", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (LogCapture logs = LogCapture.attach("io.warden", "io.vertx", "io.netty");
             GatewayFixture gateway = GatewayFixture.fromYaml(SaslPki.SCRAM_WITH_POLICY + UNLIMITED_CONNECTIONS, pki.dir,
                     cluster.getBootstrapServers())) {
            String[] hostPort = gateway.bootstrap().split(":");
            String host = hostPort[0];
            int port = Integer.parseInt(hostPort[1]);
            Map<ApiKeys, short[]> versions;
            try (RawKafkaConnection c = new RawKafkaConnection(host, port)) {
                versions = offeredVersions(c);
            }
            assertThat(versions).containsKeys(ApiKeys.SASL_HANDSHAKE, ApiKeys.SASL_AUTHENTICATE);
            List<byte[]> corpus = corpus(versions, Uuid.randomUuid());
            for (short v = 0; v <= 1; v++) {
                corpus.add(RawKafkaConnection.payload(ApiKeys.SASL_HANDSHAKE, v, 7, new SaslHandshakeRequestData().setMechanism("SCRAM-SHA-512")));
            }
            for (short v = 0; v <= 2; v++) {
                corpus.add(RawKafkaConnection.payload(ApiKeys.SASL_AUTHENTICATE, v, 7, new SaslAuthenticateRequestData()
                        .setAuthBytes("n,,n=alice,r=fuzz3nonce9".getBytes(StandardCharsets.US_ASCII))));
            }
            byte[] handshake = RawKafkaConnection.payload(ApiKeys.SASL_HANDSHAKE, (short) 1, 7, new SaslHandshakeRequestData().setMechanism("SCRAM-SHA-512"));
            Random random = new Random(SEED + 1);
            int cases = CASES / 3;
            for (int n = 0; n < cases; n++) {
                byte[] valid = corpus.get(random.nextInt(corpus.size()));
                Mutation mutation = Mutation.values()[random.nextInt(Mutation.values().length)];
                byte[] mutated = mutation.apply(valid, random);
                ApiKeys api = ApiKeys.forId(ByteBuffer.wrap(mutated).getShort(0));
                String what = "case " + n + " (seed " + (SEED + 1) + "): " + api + " " + mutation;
                try (Wire wire = new Wire(host, port)) {
                    if (api == ApiKeys.SASL_AUTHENTICATE) {
                        wire.send(handshake);
                        assertThat(wire.readFrame()).as(what + ": the answer to the valid handshake before it").isNotNull();
                    }
                    wire.send(mutated);
                    Outcome outcome = wire.probe(15_000);
                    assertThat(outcome).as(what).isNotEqualTo(Outcome.TIMED_OUT);
                    if (api != ApiKeys.SASL_HANDSHAKE && api != ApiKeys.SASL_AUTHENTICATE && api != ApiKeys.API_VERSIONS) {
                        assertThat(outcome).as(what + ": a request before a login").isEqualTo(Outcome.CLOSED);
                    }
                }
            }
            for (ApiKeys api : ApiKeys.values()) {
                if (api != ApiKeys.API_VERSIONS) {
                    assertThat(gateway.server().stats().requests(api, GatewayStats.Outcome.FORWARDED)).as(api.name).isZero();
                }
            }
            assertThat(gateway.server().stats().authentications()).isZero();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(gateway.server().stats().openClientConnections()).isZero();
                assertThat(gateway.server().stats().openUpstreamConnections()).isZero();
            });
            try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), Clients.scramPlaintext("alice", "alice-secret"))) {
                producer.send(new ProducerRecord<>("fuzz-sasl", 0, "k", "after")).get(30, TimeUnit.SECONDS);
            }
            assertThat(unexpectedFailures(logs)).as("failures the gateway did not expect").isEmpty();
        }
    }

    /**
     * Damaged requests that Kafka's codec still reads get the same kind of outcome through Warden as from the broker
     * itself — both answer, or both close the connection — whether Warden only proxies or also enforces a policy that
     * allows everything and audits fail-closed: it adds no refusal of its own and drops none of the broker's.
     */
    @ParameterizedTest(name = "enforcing and auditing: {0}")
    @ValueSource(booleans = {false, true})
    void aDamagedRequestThatStillParsesGetsTheBrokersOutcomeThroughWarden(boolean enforcing, @TempDir Path dir) throws Exception {
        String[] broker = cluster.getBootstrapServers().split(",")[0].split(":");
        String yaml = GatewayFixture.PLAIN_YAML + UNLIMITED_CONNECTIONS;
        if (enforcing) {
            Files.writeString(dir.resolve("policy.yaml"), POLICY);
            PemKeys.generateEd25519(dir.resolve("audit-key.pem"), dir.resolve("audit-key.pub.pem"));
            yaml += """
                    authorization:
                      policyFile: policy.yaml
                    audit:
                      mode: fail-closed
                      file: {directory: audit, signingKey: audit-key.pem}
                    """;
        }
        try (GatewayFixture gateway = GatewayFixture.fromYaml(yaml, dir, cluster.getBootstrapServers())) {
            String[] hostPort = gateway.bootstrap().split(":");
            Map<ApiKeys, short[]> versions;
            Uuid topicId;
            try (RawKafkaConnection c = new RawKafkaConnection(hostPort[0], Integer.parseInt(hostPort[1]));
                 Admin admin = Clients.admin(gateway.bootstrap())) {
                versions = offeredVersions(c);
                ensureFuzzTopic(admin);
                topicId = admin.describeTopics(List.of("fuzz")).allTopicNames().get(30, TimeUnit.SECONDS).get("fuzz").topicId();
            }
            List<byte[]> corpus = corpus(versions, topicId);
            long seed = SEED + (enforcing ? 3 : 2);
            Random random = new Random(seed);
            int compared = 0;
            for (int attempt = 0; compared < CASES / 3 && attempt < CASES * 10; attempt++) {
                byte[] valid = corpus.get(random.nextInt(corpus.size()));
                Mutation mutation = Mutation.values()[random.nextInt(Mutation.values().length)];
                byte[] mutated = mutation.apply(valid, random);
                if (!parses(mutated)) {
                    continue;
                }
                ApiKeys api = ApiKeys.forId(ByteBuffer.wrap(mutated).getShort(0));
                int timeout = MAY_WAIT.contains(api) ? 1_500 : 10_000;
                Outcome direct;
                try (Wire wire = new Wire(broker[0], Integer.parseInt(broker[1]))) {
                    wire.send(mutated);
                    direct = wire.probe(timeout);
                }
                Outcome through;
                try (Wire wire = new Wire(hostPort[0], Integer.parseInt(hostPort[1]))) {
                    wire.send(mutated);
                    through = wire.probe(timeout);
                }
                if (direct == Outcome.TIMED_OUT || through == Outcome.TIMED_OUT) {
                    assertThat(MAY_WAIT).as("attempt %d (seed %d): %s %s timed out: directly %s, through Warden %s",
                            attempt, seed, api, mutation, direct, through).contains(api);
                    continue;
                }
                compared++;
                if (enforcing && posesAsReplica(mutated)) {
                    // Documented: with a policy, a client posing as a broker replica is refused (the broker would
                    // answer its ListOffsets or OffsetForLeaderEpoch for anyone who may describe the topic).
                    assertThat(through).as("attempt %d (seed %d): %s as a replica", attempt, seed, api).isEqualTo(Outcome.CLOSED);
                    continue;
                }
                assertThat(through).as("attempt %d (seed %d): %s v%d %s: directly %s", attempt, seed, api,
                        ByteBuffer.wrap(mutated).getShort(2), mutation, direct).isEqualTo(direct);
            }
            assertThat(compared).isEqualTo(CASES / 3);
        }
    }

    static void ensureFuzzTopic(Admin admin) throws Exception {
        if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("fuzz")) {
            admin.createTopics(List.of(new NewTopic("fuzz", 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** True for a ListOffsets, OffsetForLeaderEpoch or Fetch request naming a replica id of 0 or more, as only brokers do. */
    static boolean posesAsReplica(byte[] payload) {
        ByteBuffer in = ByteBuffer.wrap(payload);
        RequestHeader header = RequestHeader.parse(in);
        AbstractRequest request = AbstractRequest.parseRequest(header.apiKey(), header.apiVersion(), new ByteBufferAccessor(in)).request;
        if (request.data() instanceof ListOffsetsRequestData listOffsets) {
            return listOffsets.replicaId() >= 0;
        }
        if (request.data() instanceof OffsetForLeaderEpochRequestData epochs) {
            return header.apiVersion() >= 3 && epochs.replicaId() >= 0;
        }
        if (request.data() instanceof FetchRequestData fetch) {
            return (header.apiVersion() >= 15 ? fetch.replicaState().replicaId() : fetch.replicaId()) >= 0;
        }
        return false;
    }


    enum Outcome { ANSWERED, CLOSED, TIMED_OUT }

    /** Ways to damage a valid request; the size prefix always matches what is sent, so framing stays intact. */
    enum Mutation {
        FLIP_BITS {
            @Override
            byte[] mutate(byte[] body, Random random) {
                byte[] out = body.clone();
                for (int i = 1 + random.nextInt(3); i > 0; i--) {
                    out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
                }
                return out;
            }
        },
        OVERWRITE_INT {
            @Override
            byte[] mutate(byte[] body, Random random) {
                byte[] out = body.clone();
                int[] values = {-1, 0, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x7f, 0xff, 1 << 20};
                int at = random.nextInt(Math.max(1, out.length - 3));
                ByteBuffer.wrap(out).putInt(Math.min(at, Math.max(0, out.length - 4)), values[random.nextInt(values.length)]);
                return out;
            }
        },
        TRUNCATE {
            @Override
            byte[] mutate(byte[] body, Random random) {
                return java.util.Arrays.copyOf(body, random.nextInt(body.length));
            }
        },
        APPEND {
            @Override
            byte[] mutate(byte[] body, Random random) {
                byte[] extra = new byte[1 + random.nextInt(64)];
                random.nextBytes(extra);
                byte[] out = java.util.Arrays.copyOf(body, body.length + extra.length);
                System.arraycopy(extra, 0, out, body.length, extra.length);
                return out;
            }
        },
        RANDOM_BYTES {
            @Override
            byte[] mutate(byte[] body, Random random) {
                byte[] out = body.clone();
                int from = random.nextInt(out.length);
                int length = Math.min(out.length - from, 1 + random.nextInt(16));
                byte[] noise = new byte[length];
                random.nextBytes(noise);
                System.arraycopy(noise, 0, out, from, length);
                return out;
            }
        };

        abstract byte[] mutate(byte[] body, Random random);

        /** Mutates a request frame's payload after its API key, version and correlation id (kept so the case is named). */
        byte[] apply(byte[] payload, Random random) {
            byte[] tail = java.util.Arrays.copyOfRange(payload, 8, payload.length);
            byte[] mutated = tail.length == 0 ? tail : mutate(tail, random);
            byte[] out = java.util.Arrays.copyOf(payload, 8 + mutated.length);
            System.arraycopy(mutated, 0, out, 8, mutated.length);
            return out;
        }
    }

    /** True when Kafka's own codec reads the request (header and body), as a broker would. */
    static boolean parses(byte[] payload) {
        try {
            ByteBuffer in = ByteBuffer.wrap(payload);
            RequestHeader header = RequestHeader.parse(in);
            AbstractRequest.parseRequest(header.apiKey(), header.apiVersion(), new ByteBufferAccessor(in));
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The API versions the gateway offers on {@code c}'s listener, from its ApiVersions answer. */
    static Map<ApiKeys, short[]> offeredVersions(RawKafkaConnection c) throws IOException {
        int id = c.send(ApiKeys.API_VERSIONS, (short) 3, probe());
        Map<ApiKeys, short[]> versions = new LinkedHashMap<>();
        c.receive(ApiKeys.API_VERSIONS, (short) 3, id, in -> new ApiVersionsResponseData(in, (short) 3)).apiKeys()
                .forEach(v -> versions.put(ApiKeys.forId(v.apiKey()), new short[]{v.minVersion(), v.maxVersion()}));
        return versions;
    }

    /** Log lines that show the gateway failing where it should not: errors, unhandled exceptions, requests it could not handle. */
    static List<String> unexpectedFailures(LogCapture logs) {
        return logs.lines().stream().filter(line -> line.startsWith("ERROR") || line.contains("Unhandled exception")
                || line.contains("event=request_failed")).toList();
    }

    static ApiVersionsRequestData probe() {
        return new ApiVersionsRequestData().setClientSoftwareName("probe").setClientSoftwareVersion("1");
    }

    /** Every forwarded API at every version the gateway offers, with realistic contents where the gateway looks inside. */
    static List<byte[]> corpus(Map<ApiKeys, short[]> versions, Uuid topicId) {
        List<ApiMessage> messages = new ArrayList<>(rich(topicId));
        for (ApiKeys api : versions.keySet()) {
            if (messages.stream().noneMatch(m -> m.apiKey() == api.id)) {
                messages.add(ApiMessageType.fromApiKey(api.id).newRequest());
            }
        }
        List<byte[]> corpus = new ArrayList<>();
        for (ApiMessage message : messages) {
            ApiKeys api = ApiKeys.forId(message.apiKey());
            short[] range = versions.get(api);
            if (range == null) {
                continue;
            }
            for (short v = range[0]; v <= range[1]; v++) {
                try {
                    corpus.add(RawKafkaConnection.payload(api, v, 7, message));
                } catch (RuntimeException notAtThisVersion) {
                    // a field this version cannot carry: the other versions cover the message
                }
            }
        }
        return corpus;
    }

    private static List<ApiMessage> rich(Uuid topicId) {
        MemoryRecords plain = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("k".getBytes(StandardCharsets.UTF_8),
                "v".getBytes(StandardCharsets.UTF_8)), new SimpleRecord(null, "w".getBytes(StandardCharsets.UTF_8)));
        MemoryRecords gzip = MemoryRecords.withRecords(Compression.gzip().build(), new SimpleRecord("k".getBytes(StandardCharsets.UTF_8),
                "zipped".getBytes(StandardCharsets.UTF_8)));
        List<ApiMessage> rich = new ArrayList<>();
        rich.add(new ApiVersionsRequestData().setClientSoftwareName("apache-kafka-java").setClientSoftwareVersion("4.1.1"));
        for (MemoryRecords records : List.of(plain, gzip)) {
            for (boolean byId : List.of(false, true)) {
                ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData()
                        .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records),
                                new ProduceRequestData.PartitionProduceData().setIndex(1).setRecords(records)));
                if (byId) {
                    topic.setTopicId(topicId);
                } else {
                    topic.setName("fuzz");
                }
                ProduceRequestData produce = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(5_000);
                produce.topicData().add(topic);
                rich.add(produce);
            }
        }
        for (boolean byId : List.of(false, true)) {
            FetchRequestData.FetchTopic topic = new FetchRequestData.FetchTopic().setPartitions(List.of(
                    new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(1 << 20),
                    new FetchRequestData.FetchPartition().setPartition(1).setFetchOffset(3).setPartitionMaxBytes(1 << 20)));
            rich.add(new FetchRequestData().setReplicaId(-1).setMaxWaitMs(100).setMinBytes(1).setMaxBytes(1 << 22)
                    .setTopics(List.of(byId ? topic.setTopicId(topicId) : topic.setTopic("fuzz"))));
        }
        rich.add(new MetadataRequestData().setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName("fuzz"),
                new MetadataRequestData.MetadataRequestTopic().setName("absent"))).setAllowAutoTopicCreation(true));
        rich.add(new MetadataRequestData().setTopics(null));
        rich.add(new ListOffsetsRequestData().setReplicaId(-1).setTopics(List.of(new ListOffsetsRequestData.ListOffsetsTopic()
                .setName("fuzz").setPartitions(List.of(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0).setTimestamp(-1))))));
        rich.add(new OffsetCommitRequestData().setGroupId("g").setGenerationIdOrMemberEpoch(-1).setTopics(List.of(
                new OffsetCommitRequestData.OffsetCommitRequestTopic().setName("fuzz").setPartitions(List.of(
                        new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(5))))));
        rich.add(new OffsetFetchRequestData().setGroupId("g").setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopic()
                .setName("fuzz").setPartitionIndexes(List.of(0, 1)))));
        rich.add(new OffsetFetchRequestData().setGroups(List.of(new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("g")
                .setTopics(List.of(new OffsetFetchRequestData.OffsetFetchRequestTopics().setName("fuzz").setPartitionIndexes(List.of(0)))),
                new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("h").setTopics(null))));
        rich.add(new FindCoordinatorRequestData().setKey("g").setKeyType((byte) 0));
        rich.add(new FindCoordinatorRequestData().setKeyType((byte) 1).setCoordinatorKeys(List.of("tx", "tx2")));
        JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(new byte[]{0, 1, 0, 0, 0, 0}));
        rich.add(new JoinGroupRequestData().setGroupId("fuzz-group").setSessionTimeoutMs(10_000).setRebalanceTimeoutMs(1_000)
                .setMemberId("").setProtocolType("consumer").setProtocols(protocols));
        rich.add(new SyncGroupRequestData().setGroupId("fuzz-group").setGenerationId(1).setMemberId("m"));
        rich.add(new HeartbeatRequestData().setGroupId("fuzz-group").setGenerationId(1).setMemberId("m"));
        rich.add(new LeaveGroupRequestData().setGroupId("fuzz-group").setMembers(List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId("m"))));
        rich.add(new DescribeGroupsRequestData().setGroups(List.of("g", "fuzz-group")));
        rich.add(new DeleteGroupsRequestData().setGroupsNames(List.of("nobody")));
        CreateTopicsRequestData.CreatableTopicCollection creatable = new CreateTopicsRequestData.CreatableTopicCollection();
        creatable.add(new CreateTopicsRequestData.CreatableTopic().setName("fuzz-created").setNumPartitions(1).setReplicationFactor((short) 1));
        rich.add(new CreateTopicsRequestData().setTopics(creatable).setTimeoutMs(5_000).setValidateOnly(true));
        rich.add(new DeleteTopicsRequestData().setTopicNames(List.of("absent")).setTimeoutMs(5_000));
        rich.add(new DeleteTopicsRequestData().setTopics(List.of(new DeleteTopicsRequestData.DeleteTopicState().setName("absent"),
                new DeleteTopicsRequestData.DeleteTopicState().setTopicId(Uuid.randomUuid()))).setTimeoutMs(5_000));
        rich.add(new DeleteRecordsRequestData().setTimeoutMs(5_000).setTopics(List.of(new DeleteRecordsRequestData.DeleteRecordsTopic()
                .setName("absent").setPartitions(List.of(new DeleteRecordsRequestData.DeleteRecordsPartition().setPartitionIndex(0).setOffset(0))))));
        rich.add(new DescribeConfigsRequestData().setResources(List.of(
                new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 2).setResourceName("fuzz"),
                new DescribeConfigsRequestData.DescribeConfigsResource().setResourceType((byte) 4).setResourceName("1")
                        .setConfigurationKeys(List.of("log.retention.ms")))));
        IncrementalAlterConfigsRequestData.AlterableConfigCollection configs = new IncrementalAlterConfigsRequestData.AlterableConfigCollection();
        configs.add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName("retention.ms").setConfigOperation((byte) 0).setValue("86400000"));
        IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection alter = new IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection();
        alter.add(new IncrementalAlterConfigsRequestData.AlterConfigsResource().setResourceType((byte) 2).setResourceName("fuzz").setConfigs(configs));
        rich.add(new IncrementalAlterConfigsRequestData().setResources(alter).setValidateOnly(true));
        rich.add(new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000));
        rich.add(new InitProducerIdRequestData().setTransactionalId("tx").setTransactionTimeoutMs(60_000));
        AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection txnTopics = new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection();
        txnTopics.add(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic().setName("fuzz").setPartitions(List.of(0)));
        rich.add(new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId("tx").setV3AndBelowProducerId(1)
                .setV3AndBelowTopics(txnTopics));
        rich.add(new AddOffsetsToTxnRequestData().setTransactionalId("tx").setProducerId(1).setGroupId("g"));
        rich.add(new EndTxnRequestData().setTransactionalId("tx").setProducerId(1).setCommitted(true));
        rich.add(new TxnOffsetCommitRequestData().setTransactionalId("tx").setGroupId("g").setProducerId(1).setTopics(List.of(
                new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic().setName("fuzz").setPartitions(List.of(
                        new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition().setPartitionIndex(0).setCommittedOffset(1))))));
        rich.add(new ConsumerGroupHeartbeatRequestData().setGroupId("fuzz-848").setMemberId(Uuid.randomUuid().toString())
                .setMemberEpoch(0).setRebalanceTimeoutMs(1_000).setSubscribedTopicNames(List.of("fuzz")).setTopicPartitions(List.of()));
        rich.add(new DescribeTopicPartitionsRequestData().setTopics(List.of(
                new DescribeTopicPartitionsRequestData.TopicRequest().setName("fuzz"))).setResponsePartitionLimit(10));
        CreateAclsRequestData createAcls = new CreateAclsRequestData().setCreations(List.of(new CreateAclsRequestData.AclCreation()
                .setResourceType((byte) 2).setResourceName("fuzz-acl").setResourcePatternType((byte) 3).setPrincipal("User:fuzz")
                .setHost("*").setOperation((byte) 3).setPermissionType((byte) 3)));
        rich.add(createAcls);
        rich.add(new DescribeAclsRequestData().setResourceTypeFilter((byte) 1).setPatternTypeFilter((byte) 1)
                .setOperation((byte) 1).setPermissionType((byte) 1));
        rich.add(new DeleteAclsRequestData().setFilters(List.of(new DeleteAclsRequestData.DeleteAclsFilter().setResourceTypeFilter((byte) 2)
                .setResourceNameFilter("fuzz-acl").setPatternTypeFilter((byte) 3).setPrincipalFilter("User:fuzz").setHostFilter("*")
                .setOperation((byte) 3).setPermissionType((byte) 3))));
        return rich;
    }

    /** A raw connection for mutated frames: sends any payload with a matching size prefix, then probes. */
    static final class Wire implements AutoCloseable {
        private final RawKafkaConnection connection;
        private int probeId = 1_000_000;

        Wire(String host, int port) throws IOException {
            connection = new RawKafkaConnection(host, port);
        }

        void send(byte[] payload) throws IOException {
            try {
                connection.sendRawFrame(payload);
            } catch (SocketException closedMeanwhile) {
                // the gateway closed the connection already: the probe sees it
            }
        }

        /** Reads one frame, or null when the connection ended first. */
        byte[] readFrame() throws IOException {
            connection.readTimeout(15_000);
            try {
                return connection.receiveRawFrame();
            } catch (EOFException | SocketException e) {
                return null;
            }
        }

        /** Sends a probe and reads until its answer, the connection's end, or the timeout. */
        Outcome probe(int timeoutMs) throws IOException {
            int id = probeId++;
            try {
                connection.send(ApiKeys.API_VERSIONS, (short) 3, id, MutatedRequestsIT.probe());
                connection.readTimeout(timeoutMs);
                while (true) {
                    byte[] frame = connection.receiveRawFrame();
                    if (frame.length >= 4 && ResponseHeader.parse(ByteBuffer.wrap(frame), (short) 0).correlationId() == id) {
                        return Outcome.ANSWERED;
                    }
                }
            } catch (SocketTimeoutException e) {
                return Outcome.TIMED_OUT;
            } catch (EOFException | SocketException e) {
                return Outcome.CLOSED;
            }
        }

        @Override
        public void close() throws IOException {
            connection.close();
        }
    }
}
