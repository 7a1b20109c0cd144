package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.common.BrokerConfig;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.SubscriptionPattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * ACL enforcement end to end, with real Java clients authenticated by SCRAM and a real broker, after the scenarios of
 * Kafka's own EndToEndAuthorizationTest and AuthorizerIntegrationTest.
 */
@ExtendWith(KafkaClusterExtension.class)
class AuthorizationIT {

    /** dave may create (and describe) the topics named {@code a-*}, and only describe {@code b}. */
    static final String MAY_CREATE_SOME_TOPICS = """
              - principal: User:dave
                operations: [create, describe]
                topics: {prefix: a-}
              - principal: User:dave
                operations: [describe]
                topics: [b]
            """;

    static final String POLICY = """
            superUsers: [User:admin]
            acls:
              - principal: User:alice
                operations: [write, describe]
                topics: {prefix: orders.}
              - principal: User:alice
                operations: [describe]
                topics: [audit]
              - principal: User:alice
                operations: [write]
                transactionalIds: [tx-alice]
              - principal: User:bob
                operations: [read]
                topics: {prefix: orders.}
              - principal: User:bob
                operations: [read]
                groups: [billing]
              - principal: User:bob
                operations: [read]
                groups: {prefix: patterns-}
              - principal: User:*
                permission: deny
                operations: [all]
                topics: {prefix: orders.secret}
              - principal: User:carol
                host: 127.0.0.1
                operations: [write]
                topics: [from-localhost]
              - principal: User:carol
                host: 10.9.9.9
                operations: [write]
                topics: [from-elsewhere]
            """ + MAY_CREATE_SOME_TOPICS;

    static final String YAML = SaslPki.SCRAM_PLAINTEXT_USERS + """
            authorization:
              policyFile: policy.yaml
              reloadCheckSeconds: 1
            upstream:
              bootstrapServers: ["${UPSTREAM}"]
            """;

    @BrokerConfig(name = "auto.create.topics.enable", value = "true")
    static KafkaCluster cluster;
    static SaslPki pki;
    static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        pki = SaslPki.withUsersAndPolicy(POLICY, "admin", "alice", "bob", "carol", "dave", "mallory");
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            for (String topic : List.of("orders.eu", "orders.secret.x", "audit", "payments", "from-localhost", "from-elsewhere", "orders.later",
                    "orders.revoked")) {
                Clients.createTopic(direct, topic, 1, (short) 1);
            }
        }
        gateway = GatewayFixture.fromYaml(YAML, pki.dir, cluster.getBootstrapServers());
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    static Map<String, Object> as(String user) {
        return Clients.scramPlaintext(user, user + "-secret");
    }

    static void produce(String user, String topic) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), as(user))) {
            producer.send(new ProducerRecord<>(topic, "k", "v")).get(20, TimeUnit.SECONDS);
        }
    }

    static void assertProduceDenied(String user, String topic) {
        assertThatThrownBy(() -> produce(user, topic)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void produceIsRefusedWithoutWriteWhileTheSameProducerSucceedsOnAnAllowedTopic() throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), as("alice"))) {
            producer.send(new ProducerRecord<>("orders.eu", "k", "allowed")).get(20, TimeUnit.SECONDS);
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("payments", "k", "denied")).get(20, TimeUnit.SECONDS))
                    .cause().isInstanceOf(TopicAuthorizationException.class);
            producer.send(new ProducerRecord<>("orders.eu", "k", "still allowed")).get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void describeAloneCannotProduce() {
        assertProduceDenied("alice", "audit");
    }

    @Test
    void consumingNeedsTopicReadAndGroupRead() throws Exception {
        produce("alice", "orders.eu");
        Map<String, Object> bob = as("bob");
        bob.put("group.id", "billing");
        try (KafkaConsumer<String, String> consumer = Clients.consumer(gateway.bootstrap(), bob)) {
            consumer.subscribe(List.of("orders.eu"));
            List<ConsumerRecord<String, String>> records = new java.util.ArrayList<>();
            long deadline = System.currentTimeMillis() + 30_000;
            while (records.isEmpty() && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            assertThat(records).isNotEmpty();
            consumer.commitSync();
        }
        Map<String, Object> otherGroup = as("bob");
        otherGroup.put("group.id", "not-billing");
        try (KafkaConsumer<String, String> consumer = Clients.consumer(gateway.bootstrap(), otherGroup)) {
            consumer.subscribe(List.of("orders.eu"));
            assertThatThrownBy(() -> consumer.poll(Duration.ofSeconds(10))).isInstanceOf(GroupAuthorizationException.class);
        }
        Map<String, Object> alice = as("alice");
        alice.put("group.id", "billing");
        try (KafkaConsumer<String, String> consumer = Clients.consumer(gateway.bootstrap(), alice)) {
            consumer.subscribe(List.of("orders.eu"));
            assertThatThrownBy(() -> {
                for (int i = 0; i < 50; i++) {
                    consumer.poll(Duration.ofMillis(200));
                }
            }).isInstanceOfAny(GroupAuthorizationException.class, TopicAuthorizationException.class);
        }
    }

    /**
     * A pattern subscription reads the topics the principal may read and nothing else, with either group protocol:
     * the classic consumer matches its pattern against Metadata (which lists only topics it may describe); with
     * KIP-848 the Java client matches a {@code java.util.regex.Pattern} itself, and the coordinator matches a
     * {@code SubscriptionPattern} against every topic, for the gateway's principal, so the gateway removes what
     * the client may not describe from the assignment.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"classic", "consumer", "consumer-coordinator-regex"})
    void aPatternSubscriptionReadsOnlyTheTopicsThePrincipalMayRead(String mode) throws Exception {
        produce("admin", "orders.eu");
        produce("admin", "orders.secret.x");
        Map<String, Object> bob = as("bob");
        bob.put("group.id", "patterns-" + mode);
        bob.put("group.protocol", mode.startsWith("classic") ? "classic" : "consumer");
        try (KafkaConsumer<String, String> consumer = Clients.consumer(gateway.bootstrap(), bob)) {
            if (mode.endsWith("regex")) {
                consumer.subscribe(new SubscriptionPattern("orders\\..*"));
            } else {
                consumer.subscribe(java.util.regex.Pattern.compile("orders\\..*"));
            }
            java.util.Set<String> topics = new java.util.HashSet<>();
            long deadline = System.currentTimeMillis() + 30_000;
            while (!topics.contains("orders.eu") && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> topics.add(r.topic()));
            }
            for (int i = 0; i < 5; i++) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> topics.add(r.topic()));
            }
            assertThat(topics).contains("orders.eu").noneMatch(t -> t.startsWith("orders.secret"));
            assertThat(consumer.assignment()).contains(new TopicPartition("orders.eu", 0))
                    .noneMatch(tp -> tp.topic().startsWith("orders.secret"));
        }
    }

    /**
     * The coordinator resolves a KIP-848 regex for the gateway's principal, so its assignment may name topics the
     * client may not describe — also topics whose names the gateway has never seen, having only ever shown the
     * client Metadata without them. Those are looked up before the answer goes out: the client's assignment never
     * holds a topic it may not describe, as Kafka resolves the regex for the member's own principal.
     */
    @Test
    void aCoordinatorRegexNeverAssignsAHiddenTopicTheGatewayHasNotNamedYet() throws Exception {
        Uuid visible;
        Uuid hidden;
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            Clients.createTopic(direct, "orders.secret.never-named", 1, (short) 1);
            Map<String, TopicDescription> d = direct.describeTopics(List.of("orders.eu", "orders.secret.never-named"))
                    .allTopicNames().get(20, TimeUnit.SECONDS);
            visible = d.get("orders.eu").topicId();
            hidden = d.get("orders.secret.never-named").topicId();
        }
        short v1 = 1;
        String memberId = Uuid.randomUuid().toString();
        int epoch = 0;
        Set<Uuid> assigned = Set.of();
        try (RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", gateway.bootstrapPort())) {
            new RawSasl(raw).scramLogin("bob", "bob-secret");
            long deadline = System.currentTimeMillis() + 30_000;
            while (!assigned.contains(visible) && System.currentTimeMillis() < deadline) {
                int id = raw.send(ApiKeys.CONSUMER_GROUP_HEARTBEAT, v1, new ConsumerGroupHeartbeatRequestData()
                        .setGroupId("patterns-raw-regex").setMemberId(memberId).setMemberEpoch(epoch).setRebalanceTimeoutMs(30_000)
                        .setSubscribedTopicRegex("orders\\..*").setTopicPartitions(List.of()));
                ConsumerGroupHeartbeatResponseData answer = raw.receive(ApiKeys.CONSUMER_GROUP_HEARTBEAT, v1, id,
                        in -> new ConsumerGroupHeartbeatResponseData(in, v1));
                Errors error = Errors.forCode(answer.errorCode());
                if (error.exception() instanceof org.apache.kafka.common.errors.RetriableException) {
                    // as a client does: FindCoordinator has the broker create and load the group coordinator
                    short v4 = 4;
                    int find = raw.send(ApiKeys.FIND_COORDINATOR, v4, new FindCoordinatorRequestData()
                            .setKeyType(CoordinatorType.GROUP.id()).setCoordinatorKeys(List.of("patterns-raw-regex")));
                    raw.receive(ApiKeys.FIND_COORDINATOR, v4, find, in -> new FindCoordinatorResponseData(in, v4));
                    Thread.sleep(200);
                    continue;
                }
                assertThat(error).isEqualTo(Errors.NONE);
                epoch = answer.memberEpoch();
                if (answer.assignment() != null) {
                    assigned = answer.assignment().topicPartitions().stream()
                            .map(ConsumerGroupHeartbeatResponseData.TopicPartitions::topicId).collect(java.util.stream.Collectors.toSet());
                    assertThat(assigned).doesNotContain(hidden);
                }
                Thread.sleep(200);
            }
        }
        assertThat(assigned).contains(visible).doesNotContain(hidden);
    }

    @Test
    void prefixedAndWildcardPrincipalDenyBeatsAllow() {
        assertProduceDenied("alice", "orders.secret.x");
    }

    @Test
    void hostBasedAcls() throws Exception {
        produce("carol", "from-localhost");
        assertProduceDenied("carol", "from-elsewhere");
    }

    @Test
    void anUnauthorizedMissingTopicLooksLikeAnyOtherUnauthorizedTopic() {
        assertProduceDenied("mallory", "payments");
        assertProduceDenied("mallory", "no-such-topic-anywhere");
    }

    @Test
    void aTransactionalProducerNeedsTransactionalIdWrite() throws Exception {
        Map<String, Object> allowed = as("alice");
        allowed.put("transactional.id", "tx-alice");
        try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), allowed)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("orders.eu", "k", "in a transaction"));
            producer.commitTransaction();
        }
        Map<String, Object> denied = as("alice");
        denied.put("transactional.id", "tx-someone-else");
        try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), denied)) {
            assertThatThrownBy(producer::initTransactions).isInstanceOf(TransactionalIdAuthorizationException.class);
        }
    }

    @Test
    void topicsAskedForByIdAreCheckedByIdAndADeniedOneIsAnsweredAsUnauthorized() throws Exception {
        Uuid payments;
        Uuid orders;
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            Map<String, TopicDescription> d = direct.describeTopics(List.of("payments", "orders.eu"))
                    .allTopicNames().get(20, TimeUnit.SECONDS);
            payments = d.get("payments").topicId();
            orders = d.get("orders.eu").topicId();
        }
        // Kafka's own Admin asks by id with each name left empty: the broker then goes by the ids alone, and so must the gateway.
        try (Admin alice = Admin.create(withBootstrap(as("alice")))) {
            var byId = alice.describeTopics(TopicCollection.ofTopicIds(List.of(payments, orders))).topicIdValues();
            assertThat(byId.get(orders).get(20, TimeUnit.SECONDS).name()).isEqualTo("orders.eu");
            // Given no name, the Admin reports the id as not found, as it does against a broker.
            assertThatThrownBy(() -> byId.get(payments).get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(UnknownTopicIdException.class);
        }
        // On the wire, as Kafka answers: the id (ids are not secret), no name, TOPIC_AUTHORIZATION_FAILED.
        try (RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", gateway.bootstrapPort())) {
            new RawSasl(raw).scramLogin("alice", "alice-secret");
            int id = raw.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setAllowAutoTopicCreation(false).setTopics(List.of(
                    new MetadataRequestData.MetadataRequestTopic().setTopicId(payments).setName(null),
                    new MetadataRequestData.MetadataRequestTopic().setTopicId(orders).setName(null))));
            MetadataResponseData answer = raw.receive(ApiKeys.METADATA, (short) 12, id, in -> new MetadataResponseData(in, (short) 12));
            assertThat(answer.topics()).extracting(MetadataResponseData.MetadataResponseTopic::topicId,
                            MetadataResponseData.MetadataResponseTopic::name, MetadataResponseData.MetadataResponseTopic::errorCode)
                    .containsExactlyInAnyOrder(tuple(orders, "orders.eu", Errors.NONE.code()),
                            tuple(payments, null, Errors.TOPIC_AUTHORIZATION_FAILED.code()));
        }
    }

    /**
     * An id the broker does not know, asked for with the topics' authorized operations (as Kafka's Admin asks for
     * {@code describeTopics(ids, includeAuthorizedOperations(true))}), is answered UNKNOWN_TOPIC_ID with no name and
     * no operations, as Kafka answers it, and the connection goes on.
     */
    @Test
    void anUnknownTopicIdAskedForWithAuthorizedOperationsIsUnknownTopicId() throws Exception {
        Uuid unknown = Uuid.randomUuid();
        try (RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", gateway.bootstrapPort())) {
            new RawSasl(raw).scramLogin("alice", "alice-secret");
            int id = raw.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setAllowAutoTopicCreation(false)
                    .setIncludeTopicAuthorizedOperations(true)
                    .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setTopicId(unknown).setName(null))));
            MetadataResponseData answer = raw.receive(ApiKeys.METADATA, (short) 12, id, in -> new MetadataResponseData(in, (short) 12));
            assertThat(answer.topics()).extracting(MetadataResponseData.MetadataResponseTopic::topicId,
                            MetadataResponseData.MetadataResponseTopic::name, MetadataResponseData.MetadataResponseTopic::errorCode,
                            MetadataResponseData.MetadataResponseTopic::topicAuthorizedOperations)
                    .containsExactly(tuple(unknown, null, Errors.UNKNOWN_TOPIC_ID.code(), Integer.MIN_VALUE));
        }
        try (Admin alice = Admin.create(withBootstrap(as("alice")))) {
            assertThatThrownBy(() -> alice.describeTopics(TopicCollection.ofTopicIds(List.of(unknown)),
                    new DescribeTopicsOptions().includeAuthorizedOperations(true)).allTopicIds().get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(UnknownTopicIdException.class);
        }
    }

    /**
     * Listing all topics with DescribeTopicPartitions one partition per page, as Kafka pages over the topics the
     * client may describe: the client follows the cursors to the end and sees every topic it may describe, though
     * whole pages of the broker's listing hold only topics hidden from it, and no page or cursor names a hidden one.
     */
    @Test
    void describeTopicPartitionsListsEveryVisibleTopicAcrossPagesOfHiddenOnes() throws Exception {
        Set<String> visible;
        try (Admin alice = Admin.create(withBootstrap(as("alice")))) {
            visible = alice.listTopics().names().get(20, TimeUnit.SECONDS);
        }
        Set<String> hidden;
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            hidden = new java.util.HashSet<>(direct.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true))
                    .names().get(20, TimeUnit.SECONDS));
        }
        hidden.removeAll(visible);
        assertThat(hidden).contains("from-elsewhere", "from-localhost", "payments");
        List<String> listed = new java.util.ArrayList<>();
        short v0 = 0;
        try (RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", gateway.bootstrapPort())) {
            new RawSasl(raw).scramLogin("alice", "alice-secret");
            DescribeTopicPartitionsRequestData.Cursor cursor = null;
            for (int page = 0; page < 200; page++) {
                int id = raw.send(ApiKeys.DESCRIBE_TOPIC_PARTITIONS, v0, new DescribeTopicPartitionsRequestData()
                        .setTopics(List.of()).setResponsePartitionLimit(1).setCursor(cursor));
                DescribeTopicPartitionsResponseData answer = raw.receive(ApiKeys.DESCRIBE_TOPIC_PARTITIONS, v0, id,
                        in -> new DescribeTopicPartitionsResponseData(in, v0));
                answer.topics().forEach(t -> listed.add(t.name()));
                if (answer.nextCursor() == null) {
                    break;
                }
                assertThat(hidden).doesNotContain(answer.nextCursor().topicName());
                cursor = new DescribeTopicPartitionsRequestData.Cursor().setTopicName(answer.nextCursor().topicName())
                        .setPartitionIndex(answer.nextCursor().partitionIndex());
            }
        }
        assertThat(listed).doesNotContainAnyElementsOf(hidden);
        assertThat(new java.util.HashSet<>(listed)).isEqualTo(visible);
    }

    /**
     * Metadata v1 (kafka-python's version) cannot turn auto-creation off: the broker creates any missing topic it names.
     * For a principal without CREATE it goes to the broker as v4 with auto-creation off, and the answer comes back at
     * v1: the existing topic in full, the missing one TOPIC_AUTHORIZATION_FAILED, as Kafka answers, and not created.
     */
    @Test
    void metadataV1NamingTopicsThePrincipalMayNotCreateCreatesNothingAndIsAnsweredAtV1() throws Exception {
        short v1 = 1;
        try (RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", gateway.bootstrapPort())) {
            new RawSasl(raw).scramLogin("alice", "alice-secret");
            int id = raw.send(ApiKeys.METADATA, v1, new MetadataRequestData().setTopics(List.of(
                    new MetadataRequestData.MetadataRequestTopic().setName("orders.eu"),
                    new MetadataRequestData.MetadataRequestTopic().setName("orders.not-created"))));
            MetadataResponseData answer = raw.receive(ApiKeys.METADATA, v1, id, in -> new MetadataResponseData(in, v1));
            assertThat(answer.topics()).extracting(MetadataResponseData.MetadataResponseTopic::name,
                            MetadataResponseData.MetadataResponseTopic::errorCode)
                    .containsExactlyInAnyOrder(tuple("orders.eu", Errors.NONE.code()),
                            tuple("orders.not-created", Errors.TOPIC_AUTHORIZATION_FAILED.code()));
            assertThat(answer.topics().find("orders.eu").partitions()).hasSize(1);
            assertThat(answer.brokers()).allSatisfy(b -> assertThat(gateway.isGatewayAddress(b.host(), b.port())).isTrue());
            assertThat(answer.controllerId()).isNotNegative();
            // the connection goes on
            int again = raw.send(ApiKeys.METADATA, v1, new MetadataRequestData().setTopics(List.of(
                    new MetadataRequestData.MetadataRequestTopic().setName("orders.eu"))));
            assertThat(raw.receive(ApiKeys.METADATA, v1, again, in -> new MetadataResponseData(in, v1)).topics()).hasSize(1);
        }
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            assertThat(direct.listTopics().names().get(20, TimeUnit.SECONDS)).contains("orders.eu")
                    .doesNotContain("orders.not-created");
        }
    }

    /**
     * CREATE is authorized topic by topic, as Kafka does: a Metadata request with auto-creation naming a missing topic
     * the principal may create and a missing one it may not has the broker auto-create the first (with the broker's
     * defaults), and not the second, which is answered TOPIC_AUTHORIZATION_FAILED. So at v12 and at v1, which cannot
     * turn auto-creation off.
     */
    @ParameterizedTest
    @ValueSource(shorts = {1, 12})
    void autoCreationCreatesTheMissingTopicsThePrincipalMayCreateAndNoOther(short version) throws Exception {
        String creatable = "a-" + version;
        try (RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", gateway.bootstrapPort())) {
            new RawSasl(raw).scramLogin("dave", "dave-secret");
            int id = raw.send(ApiKeys.METADATA, version, new MetadataRequestData().setAllowAutoTopicCreation(true).setTopics(List.of(
                    new MetadataRequestData.MetadataRequestTopic().setName(creatable),
                    new MetadataRequestData.MetadataRequestTopic().setName("b"))));
            MetadataResponseData answer = raw.receive(ApiKeys.METADATA, version, id, in -> new MetadataResponseData(in, version));
            assertThat(answer.topics().find("b").errorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
            // What Kafka (KRaft) answers for a topic it is auto-creating.
            assertThat(answer.topics().find(creatable).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(direct.listTopics().names().get(20, TimeUnit.SECONDS)).contains(creatable));
            assertThat(direct.listTopics().names().get(20, TimeUnit.SECONDS)).doesNotContain("b");
        }
    }

    /**
     * Many clients asking at once, each several times, for the same missing topic they may create (with one they may
     * not, so that the gateway asks for its creation itself) have it asked of the broker once, not once per request:
     * every request is sent before any answer is read, so all of them find it missing.
     */
    @Test
    void aMissingTopicManyRequestsFindIsAskedOfTheBrokerToBeCreatedOnce() throws Exception {
        String creatable = "a-asked-once";
        short v12 = 12;
        MetadataRequestData request = new MetadataRequestData().setAllowAutoTopicCreation(true).setTopics(List.of(
                new MetadataRequestData.MetadataRequestTopic().setName(creatable),
                new MetadataRequestData.MetadataRequestTopic().setName("b")));
        long before = gateway.server().stats().autoCreationRequests();
        List<RawKafkaConnection> clients = new ArrayList<>();
        try {
            for (int c = 0; c < 4; c++) {
                RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", gateway.bootstrapPort());
                clients.add(raw);
                new RawSasl(raw).scramLogin("dave", "dave-secret");
            }
            Map<RawKafkaConnection, List<Integer>> sent = new HashMap<>();
            for (int i = 0; i < 10; i++) {
                for (RawKafkaConnection raw : clients) {
                    sent.computeIfAbsent(raw, r -> new ArrayList<>()).add(raw.send(ApiKeys.METADATA, v12, request));
                }
            }
            int missing = 0;
            for (RawKafkaConnection raw : clients) {
                for (int id : sent.get(raw)) {
                    MetadataResponseData answer = raw.receive(ApiKeys.METADATA, v12, id, in -> new MetadataResponseData(in, v12));
                    if (answer.topics().find(creatable).errorCode() == Errors.UNKNOWN_TOPIC_OR_PARTITION.code()) {
                        missing++;
                    }
                }
            }
            assertThat(missing).as("requests that found the topic missing").isGreaterThan(1);
        } finally {
            for (RawKafkaConnection raw : clients) {
                raw.close();
            }
        }
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                    assertThat(direct.listTopics().names().get(20, TimeUnit.SECONDS)).contains(creatable));
        }
        // Once, unless a request came more than a second after the first was answered on a slow machine.
        assertThat(gateway.server().stats().autoCreationRequests() - before).as("auto-creation requests to the broker")
                .isBetween(1L, 2L);
    }

    /**
     * A missing topic whose name no topic can have, asked for with auto-creation: as Kafka's broker (with
     * auto-creation enabled) answers, INVALID_TOPIC_EXCEPTION where the principal may create it, and the broker is not
     * asked to create it; TOPIC_AUTHORIZATION_FAILED where it may not, CREATE being checked before the name. So also
     * where the request names a topic the principal may not create, and the gateway would ask for the creation itself.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aMissingTopicWithAnInvalidNameIsAnsweredAsKafkaAnswersAndNotAskedToBeCreated(boolean withOneThePrincipalMayNotCreate)
            throws Exception {
        String slash = "a-bad/name";
        String tooLong = "a-" + "x".repeat(248);
        short v12 = 12;
        List<MetadataRequestData.MetadataRequestTopic> topics = new ArrayList<>(List.of(
                new MetadataRequestData.MetadataRequestTopic().setName(slash),
                new MetadataRequestData.MetadataRequestTopic().setName(tooLong)));
        if (withOneThePrincipalMayNotCreate) {
            topics.add(new MetadataRequestData.MetadataRequestTopic().setName("b"));
        }
        long before = gateway.server().stats().autoCreationRequests();
        try (RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", gateway.bootstrapPort())) {
            new RawSasl(raw).scramLogin("dave", "dave-secret");
            int id = raw.send(ApiKeys.METADATA, v12, new MetadataRequestData().setAllowAutoTopicCreation(true).setTopics(topics));
            MetadataResponseData answer = raw.receive(ApiKeys.METADATA, v12, id, in -> new MetadataResponseData(in, v12));
            assertThat(answer.topics().find(slash).errorCode()).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION.code());
            assertThat(answer.topics().find(tooLong).errorCode()).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION.code());
        }
        assertThat(gateway.server().stats().autoCreationRequests() - before).as("auto-creation requests to the broker").isZero();
        // alice may describe orders.* and create nothing
        try (RawKafkaConnection raw = new RawKafkaConnection("127.0.0.1", gateway.bootstrapPort())) {
            new RawSasl(raw).scramLogin("alice", "alice-secret");
            int id = raw.send(ApiKeys.METADATA, v12, new MetadataRequestData().setAllowAutoTopicCreation(true).setTopics(List.of(
                    new MetadataRequestData.MetadataRequestTopic().setName("orders.bad/name"))));
            MetadataResponseData answer = raw.receive(ApiKeys.METADATA, v12, id, in -> new MetadataResponseData(in, v12));
            assertThat(answer.topics().find("orders.bad/name").errorCode()).isEqualTo(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        }
    }

    static Map<String, Object> withBootstrap(Map<String, Object> settings) {
        Map<String, Object> all = new HashMap<>(settings);
        all.put("bootstrap.servers", gateway.bootstrap());
        all.put("default.api.timeout.ms", 20_000);
        return all;
    }

    @Test
    void superUsersMayDoAnything() throws Exception {
        produce("admin", "payments");
    }

    @Test
    void aPolicyEditAppliesToTheNextRequestOnAnOpenConnection() throws Exception {
        // bob may write nowhere yet, so an idempotent producer could not even get a producer id (as with Kafka).
        Map<String, Object> bob = as("bob");
        bob.put("enable.idempotence", false);
        bob.put("acks", "1");
        try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), bob)) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>("orders.later", "k", "v")).get(20, TimeUnit.SECONDS))
                    .cause().isInstanceOf(TopicAuthorizationException.class);
            Path policy = pki.dir.resolve("policy.yaml");
            Path edited = pki.dir.resolve("policy.yaml.new");
            Files.writeString(edited, POLICY + """
                      - principal: User:bob
                        operations: [write]
                        topics: [orders.later]
                    """);
            Files.move(edited, policy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() ->
                    producer.send(new ProducerRecord<>("orders.later", "k", "v")).get(5, TimeUnit.SECONDS));
        } finally {
            Files.writeString(pki.dir.resolve("policy.yaml.new"), POLICY);
            Files.move(pki.dir.resolve("policy.yaml.new"), pki.dir.resolve("policy.yaml"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * An acks=0 Produce with an allowed and a denied topic: as Kafka, the allowed part is appended and then the
     * connection closed (there is no response to carry the denied part's error).
     */
    @Test
    void anAcksZeroProduceWithADeniedTopicAppendsTheAllowedPartThenCloses() throws Exception {
        TopicPartition allowed = new TopicPartition("orders.eu", 0);
        TopicPartition denied = new TopicPartition("payments", 0);
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            Map<TopicPartition, Long> before = ends(direct, allowed, denied);
            String[] hostPort = gateway.bootstrap().split(":");
            try (RawKafkaConnection c = new RawKafkaConnection(hostPort[0], Integer.parseInt(hostPort[1]))) {
                assertThat(new RawSasl(c).scramLogin("alice", "alice-secret").errorCode()).isZero();
                org.apache.kafka.common.message.ProduceRequestData produce = new org.apache.kafka.common.message.ProduceRequestData()
                        .setAcks((short) 0).setTimeoutMs(5_000);
                for (TopicPartition tp : List.of(allowed, denied)) {
                    produce.topicData().add(new org.apache.kafka.common.message.ProduceRequestData.TopicProduceData().setName(tp.topic())
                            .setPartitionData(List.of(new org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData()
                                    .setIndex(tp.partition())
                                    .setRecords(org.apache.kafka.common.record.MemoryRecords.withRecords(
                                            org.apache.kafka.common.compress.Compression.NONE,
                                            new org.apache.kafka.common.record.SimpleRecord("k".getBytes(), "acks0".getBytes()))))));
                }
                c.send(org.apache.kafka.common.protocol.ApiKeys.PRODUCE, (short) 9, produce);
                assertThat(c.isClosedByPeer()).as("connection closed").isTrue();
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(ends(direct, allowed, denied).get(allowed)).isEqualTo(before.get(allowed) + 1));
            assertThat(ends(direct, allowed, denied).get(denied)).isEqualTo(before.get(denied));
        }
    }

    private static Map<TopicPartition, Long> ends(Admin admin, TopicPartition... partitions) throws Exception {
        Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> specs = new java.util.HashMap<>();
        for (TopicPartition tp : partitions) {
            specs.put(tp, org.apache.kafka.clients.admin.OffsetSpec.latest());
        }
        Map<TopicPartition, Long> out = new java.util.HashMap<>();
        admin.listOffsets(specs).all().get(20, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    /**
     * Kafka checks READ on every partition of a fetch session at each fetch; Warden has every fetch made without a
     * session, so a running consumer's next fetch after a revocation names, and is refused, the partition.
     */
    @Test
    void revokingReadStopsARunningConsumer() throws Exception {
        TopicPartition partition = new TopicPartition("orders.revoked", 0);
        try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), as("alice"));
             KafkaConsumer<String, String> consumer = Clients.consumer(gateway.bootstrap(), as("bob"))) {
            producer.send(new ProducerRecord<>(partition.topic(), "k", "before")).get(20, TimeUnit.SECONDS);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            List<String> values = new java.util.ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                return values.contains("before");
            });
            // More fetches at the new offset, as a consumer with nothing new to read makes them.
            for (int i = 0; i < 5; i++) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
            }
            Files.writeString(pki.dir.resolve("policy.yaml.new"), POLICY + """
                      - principal: User:bob
                        permission: deny
                        operations: [read]
                        topics: [orders.revoked]
                    """);
            Files.move(pki.dir.resolve("policy.yaml.new"), pki.dir.resolve("policy.yaml"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                try (KafkaConsumer<String, String> probe = Clients.consumer(gateway.bootstrap(), as("bob"))) {
                    probe.assign(List.of(partition));
                    probe.seekToBeginning(List.of(partition));
                    assertThatThrownBy(() -> probe.poll(Duration.ofSeconds(5))).isInstanceOf(TopicAuthorizationException.class);
                }
            });
            producer.send(new ProducerRecord<>(partition.topic(), "k", "after")).get(20, TimeUnit.SECONDS);
            assertThatThrownBy(() -> {
                long deadline = System.currentTimeMillis() + 20_000;
                while (System.currentTimeMillis() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                }
            }).isInstanceOf(TopicAuthorizationException.class);
            assertThat(values).as("records the consumer got").containsExactly("before");
        } finally {
            Files.writeString(pki.dir.resolve("policy.yaml.new"), POLICY);
            Files.move(pki.dir.resolve("policy.yaml.new"), pki.dir.resolve("policy.yaml"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
