package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.common.BrokerConfig;
import io.kroxylicious.testing.kafka.common.SaslMechanism;
import io.kroxylicious.testing.kafka.common.SaslMechanism.Principal;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.CreatePartitionsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Warden's ACL enforcement against Kafka's own: one broker runs Kafka's {@code StandardAuthorizer}, and the same ACL
 * bindings, created with {@code Admin.createAcls}, go to the broker directly and to Warden's policy through Warden.
 * Then every principal runs the same operations with the real Java clients, once straight at the broker and once
 * through Warden (which logs in to that broker as a super user, so that only its own policy decides), and what each
 * operation answers — each item's exception class, the topics and groups listed, the authorized operations — must be
 * the same both ways.
 */
@ExtendWith(KafkaClusterExtension.class)
class KafkaParityIT {

    static final List<String> USERS = List.of("alice", "bob", "carol", "dave");
    static final String DIRECT = "direct";
    static final String WARDEN = "warden";

    KafkaCluster cluster;
    GatewayFixture gateway;
    /** The ids of {@link #TOPICS}, and the version both sides accept for each API. */
    Map<String, Uuid> topicIds;
    Map<ApiKeys, Short> versions;

    /** The bindings both authorizers get: literal, prefixed and wildcard names, DENY over ALLOW, hosts, implied ops. */
    static final List<AclBinding> ACLS = List.of(
            allow("alice", ResourceType.TOPIC, "orders.", PatternType.PREFIXED, AclOperation.WRITE),
            allow("alice", ResourceType.TOPIC, "orders.", PatternType.PREFIXED, AclOperation.DESCRIBE),
            allow("alice", ResourceType.TOPIC, "orders.a", PatternType.LITERAL, AclOperation.READ),
            allow("alice", ResourceType.TRANSACTIONAL_ID, "tx-a", PatternType.PREFIXED, AclOperation.WRITE),
            allow("alice", ResourceType.GROUP, "g-a", PatternType.PREFIXED, AclOperation.READ),
            binding("*", "*", ResourceType.TOPIC, "orders.secret", PatternType.LITERAL, AclOperation.READ, AclPermissionType.DENY),
            allow("bob", ResourceType.TOPIC, "orders.", PatternType.PREFIXED, AclOperation.ALL),
            binding("bob", "*", ResourceType.TOPIC, "orders.secret", PatternType.LITERAL, AclOperation.ALL, AclPermissionType.DENY),
            allow("bob", ResourceType.GROUP, "g-", PatternType.PREFIXED, AclOperation.READ),
            allow("bob", ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, AclOperation.DESCRIBE_CONFIGS),
            allow("bob", ResourceType.TOPIC, "new-", PatternType.PREFIXED, AclOperation.CREATE),
            allow("bob", ResourceType.TOPIC, "new-", PatternType.PREFIXED, AclOperation.DELETE),
            binding("carol", "10.0.0.1", ResourceType.TOPIC, "*", PatternType.LITERAL, AclOperation.ALL, AclPermissionType.ALLOW),
            allow("carol", ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, AclOperation.DESCRIBE),
            allow("carol", ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, AclOperation.IDEMPOTENT_WRITE),
            allow("carol", ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, AclOperation.CREATE),
            allow("carol", ResourceType.TOPIC, "public", PatternType.LITERAL, AclOperation.ALTER_CONFIGS),
            allow("carol", ResourceType.GROUP, "*", PatternType.LITERAL, AclOperation.DESCRIBE),
            allow("carol", ResourceType.TRANSACTIONAL_ID, "*", PatternType.LITERAL, AclOperation.DESCRIBE),
            allow("*", ResourceType.TOPIC, "public", PatternType.LITERAL, AclOperation.DESCRIBE),
            binding("carol", "127.0.0.1", ResourceType.TOPIC, "public", PatternType.LITERAL, AclOperation.READ, AclPermissionType.ALLOW),
            binding("carol", "127.0.0.1", ResourceType.GROUP, "h", PatternType.PREFIXED, AclOperation.READ, AclPermissionType.ALLOW),
            binding("bob", "127.0.0.1", ResourceType.TOPIC, "orders.a", PatternType.LITERAL, AclOperation.WRITE, AclPermissionType.DENY),
            binding("dave", "127.0.0.1", ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, AclOperation.IDEMPOTENT_WRITE, AclPermissionType.ALLOW));

    static final List<String> TOPICS = List.of("orders.a", "orders.secret", "public", "private");

    /** Warden's quotas and connection creation rate per IP; {@link #BROKER_QUOTAS} are the same, as Kafka stores them. */
    static final String QUOTAS = """
            limits:
              maxConnectionCreationRatePerIp: 1000
              ipOverrides:
                "10.9.8.7": {maxConnectionCreationRate: 500}
            quotas:
              default:
                produceBytesPerSecond: 104857600
                clients: {default: {produceBytesPerSecond: 125829120}}
              principals:
                "User:alice": {fetchBytesPerSecond: 52428800}
                "User:bob":
                  produceBytesPerSecond: 62914560
                  fetchBytesPerSecond: 73400320
                  clients: {ids: {"parity-app": {fetchBytesPerSecond: 115343360}}}
                "User:carol":
                  clients: {default: {fetchBytesPerSecond: 136314880}}
              clients:
                default: {fetchBytesPerSecond: 83886080}
                ids:
                  "parity-app": {produceBytesPerSecond: 94371840}
            """;

    static final List<ClientQuotaAlteration> BROKER_QUOTAS = List.of(
            quota(ClientQuotaEntity.USER, null, "producer_byte_rate", 104857600),
            quota(ClientQuotaEntity.USER, "alice", "consumer_byte_rate", 52428800),
            new ClientQuotaAlteration(new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, "bob")), List.of(
                    new ClientQuotaAlteration.Op("producer_byte_rate", 62914560.0), new ClientQuotaAlteration.Op("consumer_byte_rate", 73400320.0))),
            quota(ClientQuotaEntity.CLIENT_ID, null, "consumer_byte_rate", 83886080),
            quota(ClientQuotaEntity.CLIENT_ID, "parity-app", "producer_byte_rate", 94371840),
            quota(ClientQuotaEntity.IP, null, "connection_creation_rate", 1000),
            quota(ClientQuotaEntity.IP, "10.9.8.7", "connection_creation_rate", 500),
            userClientQuota("bob", "parity-app", "consumer_byte_rate", 115343360),
            userClientQuota(null, null, "producer_byte_rate", 125829120),
            userClientQuota("carol", null, "consumer_byte_rate", 136314880));

    static final String AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
    /** Warden's own login, the test's, and the brokers' and controllers' own listeners (not SASL: ANONYMOUS). */
    static final String SUPER_USERS = "User:admin;User:warden;User:ANONYMOUS";

    /** Kafka's default: a resource no ACL names is refused to everyone but super users. */
    @Test
    void withKafkasDefaults(
            @SaslMechanism(value = "SCRAM-SHA-512", principals = {@Principal(user = "admin", password = "admin-secret"),
                    @Principal(user = "warden", password = "warden-secret")})
            @BrokerConfig(name = "authorizer.class.name", value = AUTHORIZER)
            @BrokerConfig(name = "super.users", value = SUPER_USERS)
            @BrokerConfig(name = "auto.create.topics.enable", value = "false")
            KafkaCluster cluster) throws Exception {
        assertSameAnswers(cluster, false, ACLS);
    }

    /**
     * MSK's setting {@code allow.everyone.if.no.acl.found=true}: a resource no ACL names is open to everyone. Without
     * the bindings for every name ({@code *}), which would name every resource of their type, so that some are left.
     */
    @Test
    void withMsksAllowEveryoneIfNoAclFound(
            @SaslMechanism(value = "SCRAM-SHA-512", principals = {@Principal(user = "admin", password = "admin-secret"),
                    @Principal(user = "warden", password = "warden-secret")})
            @BrokerConfig(name = "authorizer.class.name", value = AUTHORIZER)
            @BrokerConfig(name = "super.users", value = SUPER_USERS)
            @BrokerConfig(name = "auto.create.topics.enable", value = "false")
            @BrokerConfig(name = "allow.everyone.if.no.acl.found", value = "true")
            KafkaCluster cluster) throws Exception {
        assertSameAnswers(cluster, true, ACLS.stream().filter(b -> !b.pattern().name().equals("*")).toList());
    }

    /**
     * Gives the same bindings to the broker and to Warden, runs the operations that change nothing and then those
     * that do, for every user, straight at the broker and then through Warden, and compares the answers. The
     * comparison means something only if the broker itself allowed some operations and refused others.
     */
    private void assertSameAnswers(KafkaCluster cluster, boolean allowEveryoneIfNoAclFound, List<AclBinding> acls) throws Exception {
        this.cluster = cluster;
        SaslPki pki = SaslPki.withUsersAndPolicy("superUsers: [User:admin]\nallowEveryoneIfNoAclFound: " + allowEveryoneIfNoAclFound
                + "\nacls: []\n", "admin", "alice", "bob", "carol", "dave");
        gateway = GatewayFixture.fromYaml(SaslPki.SCRAM_WITH_POLICY + UpstreamSaslIT.UPSTREAM_SASL.formatted("warden-secret")
                + QUOTAS, pki.dir, cluster.getBootstrapServers());
        try {
            prepare(acls);
            Map<String, List<String>> differences = new TreeMap<>();
            List<String> seen = new ArrayList<>();
            for (Operations operations : List.<Operations>of(this::logins, this::refusals, this::reads, this::writes, this::requests)) {
                for (String user : USERS) {
                    Map<String, String> direct = operations.run(DIRECT, user);
                    Map<String, String> through = operations.run(WARDEN, user);
                    for (String op : direct.keySet()) {
                        if (!direct.get(op).equals(through.get(op))) {
                            differences.computeIfAbsent(user, u -> new ArrayList<>()).add(op + ": " + direct.get(op) + " <> " + through.get(op));
                        }
                    }
                    seen.addAll(direct.values());
                }
            }
            assertThat(seen).anyMatch(o -> o.startsWith("ok"));
            assertThat(seen).anyMatch(o -> o.contains("TopicAuthorizationException"));
            assertThat(seen).anyMatch(o -> o.contains("GroupAuthorizationException"));
            assertThat(seen).anyMatch(o -> o.contains("ClusterAuthorizationException"));
            assertThat(differences).as("operations answered differently through Warden (direct <> warden)").isEmpty();
        } finally {
            gateway.close();
        }
    }

    /** The topics, records, committed offsets and ACLs both sides share. */
    private void prepare(List<AclBinding> acls) throws Exception {
        try (Admin direct = admin(DIRECT, "admin"); Admin through = admin(WARDEN, "admin")) {
            direct.alterUserScramCredentials(USERS.stream().<UserScramCredentialAlteration>map(user -> new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), user + "-secret")).toList()).all().get(30, TimeUnit.SECONDS);
            for (String topic : TOPICS) {
                Clients.createTopic(direct, topic, 2, (short) 1);
            }
            direct.alterClientQuotas(BROKER_QUOTAS).all().get(30, TimeUnit.SECONDS);
            // a binding made and deleted again: both answer the deletion with the same bindings
            AclBinding erin = allow("erin", ResourceType.TOPIC, "tmp", PatternType.LITERAL, AclOperation.READ);
            AclBindingFilter erins = new AclBindingFilter(ResourcePatternFilter.ANY,
                    new AccessControlEntryFilter("User:erin", null, AclOperation.ANY, AclPermissionType.ANY));
            direct.createAcls(List.of(erin)).all().get(30, TimeUnit.SECONDS);
            through.createAcls(List.of(erin)).all().get(30, TimeUnit.SECONDS);
            assertThat(through.deleteAcls(List.of(erins)).all().get(30, TimeUnit.SECONDS))
                    .isEqualTo(direct.deleteAcls(List.of(erins)).all().get(30, TimeUnit.SECONDS)).containsExactly(erin);
            direct.createAcls(acls).all().get(30, TimeUnit.SECONDS);
            through.createAcls(acls).all().get(30, TimeUnit.SECONDS);
            try (KafkaProducer<String, String> producer = Clients.producer(cluster.getBootstrapServers(), sasl(DIRECT, "admin"))) {
                for (String topic : TOPICS) {
                    for (int i = 0; i < 4; i++) {
                        producer.send(new ProducerRecord<>(topic, i % 2, "k" + i, "v" + i)).get(30, TimeUnit.SECONDS);
                    }
                }
            }
            // committed offsets of groups nobody is a member of, for the group operations to find
            for (String group : List.of("g-a", "g-b", "h")) {
                direct.alterConsumerGroupOffsets(group, Map.of(
                        new TopicPartition("orders.a", 0), new OffsetAndMetadata(1),
                        new TopicPartition("orders.secret", 0), new OffsetAndMetadata(1),
                        new TopicPartition("public", 0), new OffsetAndMetadata(1),
                        new TopicPartition("private", 1), new OffsetAndMetadata(1))).all().get(30, TimeUnit.SECONDS);
            }
            topicIds = new HashMap<>();
            direct.describeTopics(TOPICS).allTopicNames().get(30, TimeUnit.SECONDS).forEach((name, d) -> topicIds.put(name, d.topicId()));
            try (RawKafkaConnection straight = connect(DIRECT); RawKafkaConnection warden = connect(WARDEN)) {
                versions = ParityRequests.commonVersions(ParityRequests.apiVersions(straight), ParityRequests.apiVersions(warden));
            }
            // the broker takes its new ACLs from the metadata log: wait until both sides list the same bindings
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(bindings(through)).isEqualTo(bindings(direct)));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(direct.describeClientQuotas(ClientQuotaFilter.all())
                    .entities().get(30, TimeUnit.SECONDS)).hasSize(BROKER_QUOTAS.size()));
            assertThat(bindings(direct)).hasSize(acls.size());
        }
    }

    interface Operations {
        /** Runs every operation as this user on this side: what each answered, by operation. */
        Map<String, String> run(String side, String user) throws Exception;
    }

    private Map<String, String> reads(String side, String user) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        try (Admin admin = admin(side, user)) {
            o.put("listTopics", outcome(admin.listTopics().names(), names -> new TreeSet<>(names).toString()));
            Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(
                    List.of("orders.a", "orders.secret", "public", "private", "missing"),
                    new DescribeTopicsOptions().includeAuthorizedOperations(true)).topicNameValues();
            described.forEach((topic, f) -> o.put("describeTopics " + topic, outcome(f,
                    d -> d.partitions().size() + " partitions, may " + new TreeSet<>(d.authorizedOperations()))));
            o.put("describeCluster", outcome(admin.describeCluster(new DescribeClusterOptions().includeAuthorizedOperations(true))
                    .authorizedOperations(), ops -> "may " + (ops == null ? null : new TreeSet<>(ops))));
            admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, "orders.a"),
                            new ConfigResource(ConfigResource.Type.TOPIC, "public"),
                            new ConfigResource(ConfigResource.Type.BROKER, "0")))
                    .values().forEach((r, f) -> o.put("describeConfigs " + r.type() + " " + r.name(),
                            outcome(f, c -> c.entries().isEmpty() ? "none" : "some")));
            o.put("listGroups", outcome(admin.listGroups().all(),
                    gs -> new TreeSet<>(gs.stream().map(GroupListing::groupId).toList()).toString()));
            admin.describeConsumerGroups(List.of("g-a", "g-b", "h"), new DescribeConsumerGroupsOptions().includeAuthorizedOperations(true))
                    .describedGroups().forEach((g, f) -> o.put("describeConsumerGroups " + g,
                            outcome(f, (ConsumerGroupDescription d) -> "may " + new TreeSet<>(d.authorizedOperations()))));
            for (String group : List.of("g-a", "g-b", "h")) {
                o.put("listConsumerGroupOffsets " + group, outcome(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata(),
                        m -> new TreeSet<>(m.keySet().stream().map(TopicPartition::toString).toList()).toString()));
            }
            Map<String, ListConsumerGroupOffsetsSpec> groups = new HashMap<>();
            List.of("g-a", "g-b", "h").forEach(g -> groups.put(g, new ListConsumerGroupOffsetsSpec()));
            ListConsumerGroupOffsetsResult batched = admin.listConsumerGroupOffsets(groups);
            for (String group : List.of("g-a", "g-b", "h")) {
                o.put("listConsumerGroupOffsets of three, " + group, outcome(batched.partitionsToOffsetAndMetadata(group),
                        m -> new TreeSet<>(m.keySet().stream().map(TopicPartition::toString).toList()).toString()));
            }
            for (String topic : List.of("orders.a", "orders.secret", "public", "private")) {
                TopicPartition p0 = new TopicPartition(topic, 0);
                o.put("listOffsets " + topic, outcome(admin.listOffsets(Map.of(p0, OffsetSpec.latest())).partitionResult(p0),
                        r -> "offset " + r.offset()));
                o.put("describeProducers " + topic, outcome(admin.describeProducers(List.of(p0)).partitionResult(p0),
                        r -> r.activeProducers().size() + " producers"));
            }
            o.put("describeAcls", outcome(admin.describeAcls(AclBindingFilter.ANY).values(), b -> b.size() + " bindings"));
            o.put("listTransactions", outcome(admin.listTransactions().all(),
                    ts -> new TreeSet<>(ts.stream().map(TransactionListing::transactionalId).toList()).toString()));
            o.put("describeTransactions tx-a", outcome(admin.describeTransactions(List.of("tx-a")).description("tx-a"), d -> d.state().toString()));
            o.put("describeLogDirs", outcome(admin.describeLogDirs(List.of(0)).allDescriptions(), d -> d.keySet().toString()));
            o.put("describeClientQuotas", outcome(admin.describeClientQuotas(ClientQuotaFilter.all()).entities(), e -> new TreeSet<>(
                    e.entrySet().stream().map(q -> q.getKey().entries() + "=" + new TreeMap<>(q.getValue())).toList()).toString()));
            o.put("describeFeatures", outcome(admin.describeFeatures().featureMetadata(), f -> "some"));
            o.put("createPartitions orders.a (validate only)", outcome(admin.createPartitions(Map.of("orders.a", NewPartitions.increaseTo(3)),
                    new CreatePartitionsOptions().validateOnly(true)).all(), v -> "ok"));
            ConfigResource publicTopic = new ConfigResource(ConfigResource.Type.TOPIC, "public");
            o.put("incrementalAlterConfigs public (validate only)", outcome(admin.incrementalAlterConfigs(Map.of(publicTopic, List.of(
                            new AlterConfigOp(new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET))),
                    new AlterConfigsOptions().validateOnly(true)).all(), v -> "ok"));
            o.put("deleteConsumerGroups nobody", outcome(admin.deleteConsumerGroups(List.of("g-nobody")).all(), v -> "ok"));
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap(side), sasl(side, user))) {
            for (String topic : List.of("orders.a", "orders.secret", "public", "private")) {
                o.put("consumer.partitionsFor " + topic, outcome(() -> consumer.partitionsFor(topic, Duration.ofSeconds(10)).size() + " partitions"));
            }
        }
        for (String topic : List.of("orders.a", "orders.secret", "public")) {
            try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap(side), sasl(side, user))) {
                o.put("consumer.assign+poll " + topic, outcome(() -> {
                    consumer.assign(List.of(new TopicPartition(topic, 0)));
                    consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
                    return "records " + pollUntilRecords(consumer);
                }));
            }
        }
        return o;
    }

    /**
     * Logins that fail, and requests before a login: the error each gets, and whether the connection is then closed.
     * Neither side tells an unknown user from a wrong password.
     */
    private Map<String, String> logins(String side, String user) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        String wrongPassword = attempt(side, c -> {
            SaslAuthenticateResponseData answer = new RawSasl(c).scramLogin(user, "not-" + user + "-secret");
            return Errors.forCode(answer.errorCode()) + " \"" + answer.errorMessage() + "\"";
        });
        String unknownUser = attempt(side, c -> {
            SaslAuthenticateResponseData answer = new RawSasl(c).scramLogin(user + "-nobody", user + "-secret");
            return Errors.forCode(answer.errorCode()) + " \"" + answer.errorMessage() + "\"";
        });
        o.put("wrong password", wrongPassword.replaceAll(" \".*\"", ""));
        o.put("unknown user", unknownUser.replaceAll(" \".*\"", ""));
        o.put("unknown user told as a wrong password", String.valueOf(unknownUser.equals(wrongPassword)));
        o.put("handshake for PLAIN", attempt(side, c -> {
            SaslHandshakeResponseData answer = new RawSasl(c).handshake("PLAIN");
            return Errors.forCode(answer.errorCode()) + " " + answer.mechanisms();
        }));
        o.put("Metadata before a login", attempt(side, c -> {
            int id = c.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(null));
            return "answered " + c.receive(ApiKeys.METADATA, (short) 12, id, a -> new MetadataResponseData(a, (short) 12)).topics().size();
        }));
        return o;
    }

    /**
     * What closes a connection: an acks=0 Produce that gets an error (it has no response to carry it), a request of a
     * version Kafka 4 no longer takes, an unknown API key; and an ApiVersions request of a version too new.
     */
    private Map<String, String> refusals(String side, String user) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        for (List<String> topics : List.of(List.of("orders.a"), List.of("orders.a", "private"))) {
            o.put("acks=0 Produce to " + topics, attempt(side, c -> {
                logIn(c, user);
                ProduceRequestData produce = ParityRequests.produce(topicIds, false, topics).setAcks((short) 0);
                c.send(ApiKeys.PRODUCE, (short) 12, produce);
                return "sent";
            }));
        }
        if (!user.equals(USERS.get(0))) {
            return o; // the rest does not depend on who asks
        }
        o.put("Metadata v0 (the oldest)", attempt(side, c -> {
            logIn(c, user);
            c.writeRaw(handMade(ApiKeys.METADATA.id, 0, false, new byte[]{0, 0, 0, 0})); // no topic named: every topic
            return "answered " + c.receiveRawFrame().length + " bytes";
        }));
        o.put("ListOffsets v0 (removed in Kafka 4)", attempt(side, c -> {
            logIn(c, user);
            c.writeRaw(handMade(ApiKeys.LIST_OFFSETS.id, 0, false, new byte[]{-1, -1, -1, -1, 0, 0, 0, 0})); // no replica, no topic
            return "answered " + c.receiveRawFrame().length + " bytes";
        }));
        o.put("API key 999", attempt(side, c -> {
            logIn(c, user);
            c.writeRaw(handMade(999, 0, false, new byte[0]));
            return "answered " + c.receiveRawFrame().length + " bytes";
        }));
        o.put("ApiVersions v99", attempt(side, c -> {
            c.writeRaw(handMade(ApiKeys.API_VERSIONS.id, 99, true, new byte[]{0}));
            java.nio.ByteBuffer answer = java.nio.ByteBuffer.wrap(c.receiveRawFrame());
            answer.getInt(); // correlation id
            return "answered " + Errors.forCode(answer.getShort());
        }));
        return o;
    }

    /**
     * A request frame written byte by byte: header v1 (key, version, correlation id 7, client id "parity"), or v2
     * (the same and no tagged fields), then the body.
     */
    private static byte[] handMade(int apiKey, int version, boolean headerV2, byte[] body) {
        byte[] clientId = "parity".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int size = 2 + 2 + 4 + 2 + clientId.length + (headerV2 ? 1 : 0) + body.length;
        java.nio.ByteBuffer frame = java.nio.ByteBuffer.allocate(4 + size).putInt(size).putShort((short) apiKey).putShort((short) version)
                .putInt(7).putShort((short) clientId.length).put(clientId);
        if (headerV2) {
            frame.put((byte) 0);
        }
        return frame.put(body).array();
    }

    interface Attempt {
        String on(RawKafkaConnection c) throws Exception;
    }

    /** What one attempt on a new connection answered, and whether the connection was closed after it. */
    private String attempt(String side, Attempt attempt) throws Exception {
        try (RawKafkaConnection c = connect(side)) {
            String answer;
            try {
                answer = attempt.on(c);
            } catch (IOException e) {
                return "closed without an answer";
            }
            c.readTimeout(1_000);
            return answer + (c.isClosedByPeer() ? ", then closed" : ", left open");
        }
    }

    /** Hand-made requests that mix what the user may and may not do in one request ({@link ParityRequests}). */
    private Map<String, String> requests(String side, String user) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        RawKafkaConnection c = login(side, user);
        try {
            for (ParityRequests.Probe probe : ParityRequests.probes()) {
                short version = (short) Math.min(probe.maxVersion(), versions.get(probe.api()));
                String name = probe.name() + " v" + version;
                try {
                    o.put(name, ParityRequests.send(c, probe, version, topicIds));
                } catch (IOException e) {
                    o.put(name, "failed " + e.getClass().getSimpleName()); // the connection closed: the next probe gets a new one
                    c.close();
                    c = login(side, user);
                }
            }
        } finally {
            c.close();
        }
        return o;
    }

    private RawKafkaConnection login(String side, String user) throws Exception {
        RawKafkaConnection c = connect(side);
        logIn(c, user);
        return c;
    }

    /** A SCRAM login as this user on an open connection, which must succeed. */
    private static void logIn(RawKafkaConnection c, String user) throws Exception {
        assertThat(new RawSasl(c).scramLogin(user, user + "-secret").errorCode()).as("%s's login", user).isZero();
    }

    private RawKafkaConnection connect(String side) throws IOException {
        String address = bootstrap(side).split(",")[0];
        int colon = address.lastIndexOf(':');
        return new RawKafkaConnection(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
    }

    private Map<String, String> writes(String side, String user) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        for (String topic : List.of("orders.a", "orders.secret", "public", "private")) {
            try (KafkaProducer<String, String> producer = Clients.producer(bootstrap(side), sasl(side, user))) {
                o.put("produce " + topic, outcome(() -> "offset>=0 " + (producer.send(new ProducerRecord<>(topic, 0, "k", side))
                        .get(30, TimeUnit.SECONDS).offset() >= 0)));
            }
        }
        Map<String, Object> nonIdempotent = sasl(side, user);
        nonIdempotent.put("enable.idempotence", false);
        nonIdempotent.put("acks", "1");
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap(side), nonIdempotent)) {
            o.put("produce non-idempotent public", outcome(() -> "offset>=0 " + (producer.send(new ProducerRecord<>("public", 0, "k", side))
                    .get(30, TimeUnit.SECONDS).offset() >= 0)));
        }
        Map<String, Object> transactional = sasl(side, user);
        transactional.put("transactional.id", "tx-a-" + side);
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap(side), transactional)) {
            o.put("transaction tx-a-*", outcome(() -> {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("orders.a", 0, "k", side)).get(30, TimeUnit.SECONDS);
                producer.sendOffsetsToTransaction(Map.of(new TopicPartition("orders.a", 1), new OffsetAndMetadata(1)),
                        new ConsumerGroupMetadata("g-a-tx-" + side));
                producer.commitTransaction();
                return "committed";
            }));
        }
        // A principal denied both the group and the topic may be told either first, as the consumer's metadata and
        // group requests race: orders.a, which carol and dave may not describe, is subscribed to by alice and bob only.
        List<String> subscribed = user.equals("alice") || user.equals("bob") ? List.of("public", "orders.a") : List.of("public");
        for (String topic : subscribed) {
            for (String group : List.of("g-a", "g-b", "h")) {
                for (String protocol : List.of("classic", "consumer")) {
                    Map<String, Object> member = sasl(side, user);
                    member.put("group.id", group + "-" + side + "-" + user + "-" + topic + "-" + protocol);
                    member.put("group.protocol", protocol);
                    try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap(side), member)) {
                        o.put("subscribe+poll+commit " + group + "-* " + topic + " " + protocol, outcome(() -> {
                            consumer.subscribe(List.of(topic));
                            int records = pollUntilRecords(consumer);
                            consumer.commitSync(Duration.ofSeconds(10));
                            return "records " + records;
                        }));
                    }
                }
            }
        }
        // A regular expression: the consumer resolves it (classic) or the group coordinator does (KIP-848)
        for (String protocol : List.of("classic", "consumer")) {
            Map<String, Object> member = sasl(side, user);
            member.put("group.id", "g-a-" + side + "-" + user + "-pattern-" + protocol);
            member.put("group.protocol", protocol);
            try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap(side), member)) {
                o.put("subscribe+poll+commit g-a-* orders\\.(a|secret) " + protocol, outcome(() -> {
                    if (protocol.equals("classic")) {
                        consumer.subscribe(java.util.regex.Pattern.compile("orders\\.(a|secret)"));
                    } else {
                        consumer.subscribe(new org.apache.kafka.clients.consumer.SubscriptionPattern("orders\\.(a|secret)"));
                    }
                    int records = pollUntilRecords(consumer);
                    consumer.commitSync(Duration.ofSeconds(10));
                    return "records " + records + ", assigned " + new TreeSet<>(consumer.assignment().stream().map(TopicPartition::toString).toList());
                }));
            }
        }
        try (Admin admin = admin(side, user)) {
            String mine = "-" + side + "-" + user;
            CreateTopicsResult created = admin.createTopics(List.of(new NewTopic("new" + mine, 1, (short) 1),
                    new NewTopic("orders.n" + mine, 1, (short) 1), new NewTopic("other" + mine, 1, (short) 1)));
            for (String prefix : List.of("new", "orders.n", "other")) {
                String name = prefix + mine;
                o.put("createTopics " + prefix + "-*", outcome(created.numPartitions(name), n -> n + " partitions")
                        + ", configs " + outcome(created.config(name), c -> "returned"));
            }
            for (String prefix : List.of("new", "orders.n", "other")) {
                String name = prefix + mine;
                try (Admin root = admin(DIRECT, "admin")) {
                    root.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get(30, TimeUnit.SECONDS); // whoever could not
                } catch (ExecutionException e) {
                    // created above by the user
                }
            }
            for (String prefix : List.of("new", "orders.n", "other")) {
                String name = prefix + mine;
                try (Admin root = admin(DIRECT, "admin")) {
                    Clients.awaitTopic(root, name, 1);
                }
                o.put("deleteTopics " + prefix + "-*", outcome(admin.deleteTopics(List.of(name)).topicNameValues().get(name), v -> "ok"));
            }
            for (String topic : List.of("orders.a", "public")) {
                TopicPartition p1 = new TopicPartition(topic, 1);
                o.put("deleteRecords " + topic, outcome(admin.deleteRecords(Map.of(p1, RecordsToDelete.beforeOffset(0))).lowWatermarks().get(p1),
                        d -> "low watermark " + d.lowWatermark()));
            }
            o.put("deleteConsumerGroupOffsets g-b private-1", outcome(admin.deleteConsumerGroupOffsets("g-b",
                    Set.of(new TopicPartition("private", 1))).all(), v -> "ok"));
            o.put("alterConsumerGroupOffsets g-b", outcome(admin.alterConsumerGroupOffsets("g-b",
                    Map.of(new TopicPartition("orders.a", 0), new OffsetAndMetadata(1))).all(), v -> "ok"));
            o.put("electLeaders orders.a", outcome(admin.electLeaders(ElectionType.PREFERRED, Set.of(new TopicPartition("orders.a", 0)))
                    .partitions(), m -> m.toString()));
        }
        return o;
    }

    private static int pollUntilRecords(KafkaConsumer<String, String> consumer) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int records = 0;
        while (records == 0 && System.nanoTime() < deadline) {
            ConsumerRecords<String, String> polled = consumer.poll(Duration.ofMillis(200));
            records += polled.count();
        }
        return records > 0 ? 1 : 0; // whether any came: the counts differ as each side writes its own
    }

    interface Call {
        String call() throws Exception;
    }

    private static String outcome(Call call) {
        try {
            return "ok " + call.call();
        } catch (Exception e) {
            return failure(e);
        }
    }

    private static <T> String outcome(KafkaFuture<T> future, Function<T, String> describe) {
        return outcome(() -> describe.apply(future.get(30, TimeUnit.SECONDS)));
    }

    private static String failure(Throwable e) {
        Throwable cause = e;
        // A client in an error state wraps the error that put it there in a plain KafkaException, or not, by timing
        while ((cause instanceof ExecutionException || cause instanceof CompletionException
                || cause.getClass() == org.apache.kafka.common.KafkaException.class) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return "failed " + cause.getClass().getSimpleName();
    }

    private Set<String> bindings(Admin admin) throws Exception {
        Collection<AclBinding> all = admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS);
        return new TreeSet<>(all.stream().map(AclBinding::toString).toList());
    }

    private String bootstrap(String side) {
        return side.equals(DIRECT) ? cluster.getBootstrapServers() : gateway.bootstrap();
    }

    private Admin admin(String side, String user) {
        Map<String, Object> c = sasl(side, user);
        c.put("bootstrap.servers", bootstrap(side));
        c.put("default.api.timeout.ms", 30_000);
        return Admin.create(c);
    }

    /** SCRAM-SHA-512 as this user, on the broker's SASL listener or on Warden's. */
    private Map<String, Object> sasl(String side, String user) {
        Map<String, Object> c = new HashMap<>(side.equals(DIRECT)
                ? cluster.getKafkaClientConfiguration(user, user + "-secret") : Clients.scramPlaintext(user, user + "-secret"));
        c.remove("bootstrap.servers");
        c.put("max.block.ms", 10_000);
        c.put("delivery.timeout.ms", 15_000);
        c.put("request.timeout.ms", 10_000);
        return c;
    }

    private static AclBinding allow(String user, ResourceType type, String name, PatternType pattern, AclOperation op) {
        return binding(user, "*", type, name, pattern, op, AclPermissionType.ALLOW);
    }

    /** One quota of a user and a client id together; a null name is the default. */
    private static ClientQuotaAlteration userClientQuota(String user, String clientId, String key, double value) {
        Map<String, String> entity = new HashMap<>();
        entity.put(ClientQuotaEntity.USER, user);
        entity.put(ClientQuotaEntity.CLIENT_ID, clientId);
        return new ClientQuotaAlteration(new ClientQuotaEntity(entity), List.of(new ClientQuotaAlteration.Op(key, value)));
    }

    /** One quota of one entity; a null name is the type's default entity. */
    private static ClientQuotaAlteration quota(String type, String name, String key, double value) {
        Map<String, String> entity = new HashMap<>();
        entity.put(type, name);
        return new ClientQuotaAlteration(new ClientQuotaEntity(entity), List.of(new ClientQuotaAlteration.Op(key, value)));
    }

    private static AclBinding binding(String user, String host, ResourceType type, String name, PatternType pattern, AclOperation op,
                                      AclPermissionType permission) {
        return new AclBinding(new ResourcePattern(type, name, pattern), new AccessControlEntry("User:" + user, host, op, permission));
    }
}
