package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.clients.admin.DescribeProducersResult;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.DuplicateResourceException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.ResourceNotFoundException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.quota.ClientQuotaAlteration;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.quota.ClientQuotaFilter;
import org.apache.kafka.common.quota.ClientQuotaFilterComponent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The Admin client's less common operations through the gateway, as a principal whose policy grants everything on
 * its own topics, groups and transactional ids and only some cluster operations: each answer is the broker's, and
 * what the policy does not grant is refused with Kafka's error.
 */
@ExtendWith(KafkaClusterExtension.class)
class AdminApisIT {

    static final String POLICY = """
            acls:
              - principal: User:ops
                operations: [all]
                topics: {prefix: ops.}
              - principal: User:ops
                operations: [all]
                groups: {prefix: ops-}
              - principal: User:ops
                operations: [all]
                transactionalIds: {prefix: ops-}
              - principal: User:ops
                operations: [describe, describe_configs, idempotent_write]
                cluster: true
              - principal: User:ops
                operations: [describe]
                topics: [other]
            """;

    /** Rates no test reaches: the gateway's own quotas, for DescribeClientQuotas to tell. */
    static final String QUOTAS = """
            quotas:
              default:
                fetchBytesPerSecond: 209715200
                clients: {default: {produceBytesPerSecond: 524288000}}
              principals:
                "User:ops":
                  produceBytesPerSecond: 104857600
                  clients: {ids: {"ops-tool": {produceBytesPerSecond: 419430400}}}
              clients:
                ids:
                  "ops-tool": {fetchBytesPerSecond: 314572800}
            """;

    static KafkaCluster cluster;
    static GatewayFixture gateway;
    static SaslPki pki;
    static Admin ops;

    @BeforeAll
    static void start() throws Exception {
        pki = SaslPki.withUsersAndPolicy(POLICY, "ops", "guest");
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            Clients.createTopic(direct, "other", 1, (short) 1);
        }
        gateway = GatewayFixture.fromYaml(SaslPki.SCRAM_WITH_POLICY + QUOTAS, pki.dir, cluster.getBootstrapServers());
        ops = Admin.create(as("ops"));
    }

    @AfterAll
    static void stop() {
        ops.close();
        gateway.close();
    }

    static Map<String, Object> as(String user) {
        Map<String, Object> c = Clients.scramPlaintext(user, user + "-secret");
        c.put("bootstrap.servers", gateway.bootstrap());
        return c;
    }

    /** What the broker itself answers, asked directly. */
    static <T> T direct(java.util.function.Function<Admin, KafkaFuture<T>> call) throws Exception {
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            return get(call.apply(direct));
        }
    }

    static <T> T get(KafkaFuture<T> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    @Test
    void topicAdministration() throws Exception {
        String topic = "ops.topics";
        Clients.createTopic(ops, topic, 1, (short) 1);
        get(ops.createPartitions(Map.of(topic, NewPartitions.increaseTo(3))).all());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(get(ops.describeTopics(List.of(topic)).allTopicNames()).get(topic).partitions()).hasSize(3));

        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        get(ops.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET)))).all());
        Config config = get(ops.describeConfigs(List.of(resource)).all()).get(resource);
        assertThat(config.get("retention.ms").value()).isEqualTo("3600000");

        // the authorized operations Kafka would report to this principal, not to the gateway's
        TopicDescription described = get(ops.describeTopics(List.of(topic, "other"),
                new DescribeTopicsOptions().includeAuthorizedOperations(true)).allTopicNames()).get(topic);
        assertThat(described.authorizedOperations()).contains(AclOperation.DELETE, AclOperation.ALTER_CONFIGS);
        TopicDescription other = get(ops.describeTopics(List.of("other"),
                new DescribeTopicsOptions().includeAuthorizedOperations(true)).allTopicNames()).get("other");
        assertThat(other.authorizedOperations()).containsExactly(AclOperation.DESCRIBE);

        TopicPartition p0 = new TopicPartition(topic, 0);
        try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), as("ops"))) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k", "v" + i));
            }
            producer.flush();
        }
        get(ops.deleteRecords(Map.of(p0, RecordsToDelete.beforeOffset(4))).all());
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> earliest = get(ops.listOffsets(Map.of(p0, OffsetSpec.earliest())).all());
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> latest = get(ops.listOffsets(Map.of(p0, OffsetSpec.latest())).all());
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> maxTimestamp = get(ops.listOffsets(Map.of(p0, OffsetSpec.maxTimestamp())).all());
        assertThat(earliest.get(p0).offset()).isEqualTo(4);
        assertThat(latest.get(p0).offset()).isEqualTo(10);
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            assertThat(maxTimestamp.get(p0).offset()).isEqualTo(get(direct.listOffsets(Map.of(p0, OffsetSpec.maxTimestamp())).all()).get(p0).offset());
        }

        Map<TopicPartition, DescribeProducersResult.PartitionProducerState> producers = get(ops.describeProducers(List.of(p0)).all());
        assertThat(producers.get(p0).activeProducers()).hasSize(1);

        // cluster operations the policy does not grant (ALTER), and a topic it does not (other: no DELETE)
        assertThatThrownBy(() -> get(ops.electLeaders(ElectionType.PREFERRED, Set.of(p0)).all()))
                .cause().isInstanceOf(ClusterAuthorizationException.class);
        assertThatThrownBy(() -> get(ops.alterPartitionReassignments(Map.of(p0,
                Optional.of(new NewPartitionReassignment(List.of(cluster.getNumOfBrokers() - 1))))).all()))
                .cause().isInstanceOf(ClusterAuthorizationException.class);
        assertThat(get(ops.listPartitionReassignments().reassignments())).isEmpty(); // DESCRIBE on the cluster
        assertThatThrownBy(() -> get(ops.deleteTopics(List.of("other")).all()))
                .cause().isInstanceOf(TopicAuthorizationException.class);

        Map<Integer, Map<String, LogDirDescription>> dirs = get(ops.describeLogDirs(List.of(0)).allDescriptions());
        // as with Kafka, DESCRIBE on the cluster shows the replicas of every topic
        assertThat(dirs.get(0).values()).anySatisfy(dir -> assertThat(dir.replicaInfos()).containsKey(p0));

        get(ops.deleteTopics(List.of(topic)).all());
    }

    /**
     * Quotas and SCRAM credentials are the gateway's own, those its clients log in with and are held to, never the
     * broker's. A principal with DESCRIBE_CONFIGS and DESCRIBE on the cluster reads them through the gateway; one with
     * neither is refused, as Kafka refuses it.
     */
    @Test
    void quotasAndScramCredentialsAreDescribedOnlyWithTheClusterOperations() throws Exception {
        ClientQuotaEntity entity = new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, "quota-user"));
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            get(direct.alterClientQuotas(List.of(new ClientQuotaAlteration(entity,
                    List.of(new ClientQuotaAlteration.Op("producer_byte_rate", 1_048_576.0))))).all());
            get(direct.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion("broker-user",
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), "broker-user-secret"))).all());
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<ClientQuotaEntity, Map<String, Double>> brokers = direct(a -> a.describeClientQuotas(ClientQuotaFilter.all()).entities());
            assertThat(brokers).containsEntry(entity, Map.of("producer_byte_rate", 1_048_576.0));
        });
        Map<String, String> defaultUser = new HashMap<>();
        defaultUser.put(ClientQuotaEntity.USER, null);
        Map<String, String> defaultUserAndClientId = new HashMap<>(defaultUser);
        defaultUserAndClientId.put(ClientQuotaEntity.CLIENT_ID, null);
        Map<String, String> defaultIp = new HashMap<>();
        defaultIp.put(ClientQuotaEntity.IP, null);
        // the limits of limits and quotas, as Kafka stores the same ones (users' byte rates, KIP-612's IP creation rate)
        assertThat(get(ops.describeClientQuotas(ClientQuotaFilter.all()).entities())).isEqualTo(Map.of(
                new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, "ops")), Map.of("producer_byte_rate", 104_857_600.0),
                new ClientQuotaEntity(defaultUser), Map.of("consumer_byte_rate", 209_715_200.0),
                new ClientQuotaEntity(Map.of(ClientQuotaEntity.CLIENT_ID, "ops-tool")), Map.of("consumer_byte_rate", 314_572_800.0),
                new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, "ops", ClientQuotaEntity.CLIENT_ID, "ops-tool")),
                Map.of("producer_byte_rate", 419_430_400.0),
                new ClientQuotaEntity(defaultUserAndClientId), Map.of("producer_byte_rate", 524_288_000.0),
                new ClientQuotaEntity(defaultIp), Map.of("connection_creation_rate", 100.0)));
        assertThat(get(ops.describeClientQuotas(ClientQuotaFilter.containsOnly(List.of(ClientQuotaFilterComponent.ofEntity(
                ClientQuotaEntity.USER, "quota-user")))).entities())).isEmpty();
        assertThat(get(ops.describeClientQuotas(ClientQuotaFilter.containsOnly(List.of(ClientQuotaFilterComponent.ofEntity(
                ClientQuotaEntity.USER, "ops")))).entities())).containsOnlyKeys(new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, "ops")));
        assertThat(get(ops.describeClientQuotas(ClientQuotaFilter.contains(List.of(ClientQuotaFilterComponent.ofEntity(
                ClientQuotaEntity.USER, "ops")))).entities())).containsOnlyKeys(new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, "ops")),
                new ClientQuotaEntity(Map.of(ClientQuotaEntity.USER, "ops", ClientQuotaEntity.CLIENT_ID, "ops-tool")));
        assertThatThrownBy(() -> get(ops.describeClientQuotas(ClientQuotaFilter.containsOnly(List.of(
                ClientQuotaFilterComponent.ofDefaultEntity(ClientQuotaEntity.IP), ClientQuotaFilterComponent.ofEntityType(
                        ClientQuotaEntity.USER)))).entities())).cause().isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("IP filter component should not be used with user or clientId filter component");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<String, UserScramCredentialsDescription> brokers = direct(a -> a.describeUserScramCredentials().all());
            assertThat(brokers).containsKey("broker-user");
        });
        // the gateway's users as `warden users add` made them: both mechanisms, 8192 iterations
        Map<String, UserScramCredentialsDescription> users = get(ops.describeUserScramCredentials().all());
        assertThat(users).containsOnlyKeys("guest", "ops");
        assertThat(users.get("ops").credentialInfos()).containsExactlyInAnyOrder(new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192),
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192));
        assertThat(get(ops.describeUserScramCredentials(List.of("ops")).description("ops")).credentialInfos()).hasSize(2);
        assertThatThrownBy(() -> get(ops.describeUserScramCredentials(List.of("broker-user")).description("broker-user")))
                .cause().isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("broker-user");
        assertThatThrownBy(() -> get(ops.describeUserScramCredentials(List.of("ops", "ops")).all()))
                .cause().isInstanceOf(DuplicateResourceException.class);

        try (Admin guest = Admin.create(as("guest"))) {
            assertThatThrownBy(() -> get(guest.describeClientQuotas(ClientQuotaFilter.all()).entities()))
                    .cause().isInstanceOf(ClusterAuthorizationException.class);
            assertThatThrownBy(() -> get(guest.describeUserScramCredentials().all()))
                    .cause().isInstanceOf(ClusterAuthorizationException.class);
        }
    }

    /**
     * Kafka's own {@code kafka-configs} tool describes the gateway's users, with their quotas and SCRAM credentials,
     * its client-id quotas, those of a user with a client id, and its connection creation rate per IP; to a principal without DESCRIBE_CONFIGS on the
     * cluster it fails.
     */
    @Test
    void theKafkaConfigsToolDescribesTheGatewaysUsersAndLimits() throws Exception {
        assertThat(kafkaConfigs("ops", "--describe", "--entity-type", "users")).containsExactly(
                "Quota configs for the default user-principal are consumer_byte_rate=2.097152E8",
                "Quota configs for user-principal 'ops' are producer_byte_rate=1.048576E8",
                "SCRAM credential configs for user-principal 'guest' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=8192",
                "SCRAM credential configs for user-principal 'ops' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=8192");
        assertThat(kafkaConfigs("ops", "--describe", "--entity-type", "users", "--entity-name", "ops")).containsExactly(
                "Quota configs for user-principal 'ops' are producer_byte_rate=1.048576E8",
                "SCRAM credential configs for user-principal 'ops' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=8192");
        assertThat(kafkaConfigs("ops", "--describe", "--entity-type", "clients"))
                .containsExactly("Quota configs for client-id 'ops-tool' are consumer_byte_rate=3.145728E8");
        assertThat(kafkaConfigs("ops", "--describe", "--entity-type", "users", "--entity-name", "ops", "--entity-type", "clients",
                "--entity-name", "ops-tool")).containsExactly("Quota configs for user-principal 'ops', client-id 'ops-tool' are producer_byte_rate=4.194304E8");
        assertThat(kafkaConfigs("ops", "--describe", "--entity-type", "users", "--entity-default", "--entity-type", "clients",
                "--entity-default")).containsExactly("Quota configs for the default user-principal, the default client-id are producer_byte_rate=5.24288E8");
        assertThat(kafkaConfigs("ops", "--describe", "--entity-type", "ips", "--entity-default"))
                .containsExactly("Quota configs for the default ip are connection_creation_rate=100.0");
        var refused = KafkaTools.kafkaConfigs(gateway.bootstrap(), as("guest"), pki.dir, "--describe", "--entity-type", "users");
        assertThat(refused.exit()).isEqualTo(1);
    }

    /** What the tool printed, line by line, after it succeeded. */
    private static List<String> kafkaConfigs(String user, String... args) throws Exception {
        var described = KafkaTools.kafkaConfigs(gateway.bootstrap(), as(user), pki.dir, args);
        assertThat(described.exit()).as(described.output()).isZero();
        return described.output().lines().filter(line -> !line.isBlank()).toList();
    }

    @Test
    void groupAdministration() throws Exception {
        String topic = "ops.groups";
        String group = "ops-readers";
        Clients.createTopic(ops, topic, 2, (short) 1);
        try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), as("ops"))) {
            for (int i = 0; i < 6; i++) {
                producer.send(new ProducerRecord<>(topic, i % 2, "k", "v" + i));
            }
            producer.flush();
        }
        Map<String, Object> settings = as("ops");
        settings.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        settings.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "static-member");
        try (KafkaConsumer<String, String> consumer = Clients.consumer(gateway.bootstrap(), settings)) {
            consumer.subscribe(List.of(topic));
            int read = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (read < 6 && System.nanoTime() < deadline) {
                read += consumer.poll(Duration.ofMillis(200)).count();
            }
            assertThat(read).isEqualTo(6);
            consumer.commitSync();
            ConsumerGroupDescription described = get(ops.describeConsumerGroups(List.of(group),
                    new DescribeConsumerGroupsOptions().includeAuthorizedOperations(true)).all()).get(group);
            assertThat(described.members()).hasSize(1);
            assertThat(described.authorizedOperations()).contains(AclOperation.DELETE, AclOperation.READ);
            // a static member removed by the Admin client (LeaveGroup v3+, by group instance id)
            get(ops.removeMembersFromConsumerGroup(group, new RemoveMembersFromConsumerGroupOptions(
                    List.of(new MemberToRemove("static-member")))).all());
        }
        TopicPartition p0 = new TopicPartition(topic, 0);
        TopicPartition p1 = new TopicPartition(topic, 1);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(get(ops.describeConsumerGroups(List.of(group)).all()).get(group).members()).isEmpty());
        assertThat(offsets(group)).containsEntry(p0, 3L).containsEntry(p1, 3L);

        get(ops.alterConsumerGroupOffsets(group, Map.of(p0, new OffsetAndMetadata(1))).all());
        get(ops.deleteConsumerGroupOffsets(group, Set.of(p1)).all());
        assertThat(offsets(group)).isEqualTo(Map.of(p0, 1L));

        // offsets of several groups in one request (OffsetFetch v8+): one allowed, one not
        var several = ops.listConsumerGroupOffsets(Map.of(group, new ListConsumerGroupOffsetsSpec(),
                "someone-elses", new ListConsumerGroupOffsetsSpec()));
        assertThat(get(several.partitionsToOffsetAndMetadata(group))).containsOnlyKeys(p0);
        assertThatThrownBy(() -> get(several.partitionsToOffsetAndMetadata("someone-elses")))
                .cause().isInstanceOf(GroupAuthorizationException.class);

        get(ops.deleteConsumerGroups(List.of(group)).all());
        assertThat(get(ops.listGroups().all())).noneMatch(g -> g.groupId().equals(group));
    }

    static Map<TopicPartition, Long> offsets(String group) throws Exception {
        Map<TopicPartition, Long> out = new java.util.HashMap<>();
        get(ops.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()).forEach((tp, o) -> out.put(tp, o.offset()));
        return out;
    }

    @Test
    void transactionAdministration() throws Exception {
        String topic = "ops.transactions";
        Clients.createTopic(ops, topic, 1, (short) 1);
        Map<String, Object> settings = as("ops");
        settings.put("transactional.id", "ops-tx");
        try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), settings)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "k", "open")).get(30, TimeUnit.SECONDS);

            assertThat(get(ops.listTransactions().all())).extracting(TransactionListing::transactionalId).contains("ops-tx");
            TransactionDescription tx = get(ops.describeTransactions(List.of("ops-tx")).all()).get("ops-tx");
            assertThat(tx.topicPartitions()).containsExactly(new TopicPartition(topic, 0));
            producer.commitTransaction();
        }
        // fencing: a new epoch for the transactional id, through InitProducerId
        get(ops.fenceProducers(List.of("ops-tx")).all());
        assertThatThrownBy(() -> get(ops.fenceProducers(List.of("not-ops-tx")).all()))
                .cause().isInstanceOf(TransactionalIdAuthorizationException.class);
    }
}
