package io.warden.policies.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.api.TerminationStyle;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import io.warden.policies.LogCapture;
import io.warden.policies.PolicyDocument;
import io.warden.policies.PolicyWriter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The contract against a real (in-process KRaft) broker, and what is particular to a store in a topic. */
@ExtendWith(KafkaClusterExtension.class)
class KafkaPolicyStoreIT extends PolicyStoreContractTest {

    static KafkaCluster cluster;

    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();
    private LogCapture log;

    @BeforeEach
    void captureLog() {
        log = LogCapture.attach(KafkaPolicyStore.class.getName(), VersionHistory.class.getName());
    }

    @AfterEach
    void releaseLog() {
        log.close();
    }

    private static KafkaPolicyStore.Settings settings(String topic) {
        return KafkaPolicyStore.Settings.of(cluster.getBootstrapServers()).withTopic(topic)
                .withTimeout(Duration.ofSeconds(20));
    }

    private static String newTopic() {
        return "policy-" + TOPICS.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Override
    protected PolicyStore newStore(PolicyDocument initial) {
        return new KafkaPolicyStore(settings(newTopic()), initial);
    }

    @Override
    protected PolicyStore sameBacking(PolicyStore store) {
        return new KafkaPolicyStore(((KafkaPolicyStore) store).settings(), (String) null);
    }

    @Override
    protected boolean resourcesReleased(PolicyStore store) {
        String clientId = ((KafkaPolicyStore) store).clientId();
        boolean threads = Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && (t.getName().contains(clientId + "-") || t.getName().endsWith(clientId)));
        try {
            // every Kafka client registers an app-info MBean under its client id until it is closed
            boolean clients = ManagementFactory.getPlatformMBeanServer()
                    .queryNames(new ObjectName("kafka.*:type=app-info,id=" + clientId + "-*"), null).isEmpty();
            return threads && clients;
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }

    private KafkaPolicyStore store(String topic, PolicyDocument initial) {
        return (KafkaPolicyStore) track(new KafkaPolicyStore(settings(topic), initial));
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.getBootstrapServers()));
    }

    /** Writes records to the topic as another tool (or a broken gateway) might. */
    private static void produce(String topic, List<byte[]> values) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.getBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (byte[] value : values) {
                producer.send(new ProducerRecord<>(topic, 0, UUID.randomUUID().toString()
                        .getBytes(StandardCharsets.UTF_8), value)).get(10, TimeUnit.SECONDS);
            }
        }
    }

    private static byte[] change(long baseVersion, String yaml, String author) throws Exception {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("format", 1);
        value.put("changeId", UUID.randomUUID().toString());
        value.put("baseVersion", baseVersion);
        value.put("author", author);
        value.put("time", Instant.now().toString());
        value.put("comment", "");
        value.put("yaml", yaml);
        return JSON.writeValueAsBytes(value);
    }

    private static void createCompacted(String topic) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                    .configs(Map.of("cleanup.policy", "compact")))).all().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theStoreCreatesItsTopicCompactedWithOnePartition() throws Exception {
        String topic = newTopic();
        store(topic, readOn("t1"));

        try (Admin admin = admin()) {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(topic);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource);

            assertThat(d.partitions()).hasSize(1);
            // one broker in this cluster: min(3, 1)
            assertThat(d.partitions().get(0).replicas()).hasSize(1);
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
        }
        assertThat(log.linesContaining("event=policy_topic_created topic=" + topic)).hasSize(1);
    }

    /**
     * Every record holds the whole policy: 25,000 distinct ACLs are 2 MB of YAML, twice the producer's default
     * max.request.size.
     */
    @Test
    void aPolicyOfTwentyFiveThousandAclsSeedsTheTopicAndIsEdited() throws Exception {
        String topic = newTopic();
        PolicyDocument large = distinctAcls(25_000);
        assertThat(PolicyWriter.toYaml(large).length()).isGreaterThan(2_000_000);
        KafkaPolicyStore store = store(topic, large);
        assertThat(store.current().document().sameRulesAs(large)).isTrue();

        PolicyDocument larger = distinctAcls(25_001);
        assertThat(store.apply(larger, 1, "User:alice", "one more").version()).isEqualTo(2);

        KafkaPolicyStore other = (KafkaPolicyStore) track(new KafkaPolicyStore(settings(topic), (String) null));
        assertThat(other.current().version()).isEqualTo(2);
        assertThat(other.current().document().sameRulesAs(larger)).isTrue();
        try (Admin admin = admin()) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource);
            assertThat(config.get("max.message.bytes").value()).isEqualTo(Integer.toString(KafkaPolicyStore.MAX_RECORD_BYTES));
        }
    }

    /** A topic made before (or by hand) with the broker's default limit: the error says which setting to raise. */
    @Test
    void aChangeLargerThanTheTopicTakesIsRefusedWithTheSettingToRaise() throws Exception {
        String topic = newTopic();
        createCompacted(topic);
        try (Admin admin = admin()) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                    new ConfigEntry("max.message.bytes", "10000"),
                    AlterConfigOp.OpType.SET)))).all().get(10, TimeUnit.SECONDS);
        }
        KafkaPolicyStore store = store(topic, readOn("t1"));
        assertThat(log.linesContaining("event=policy_topic_unexpected topic=" + topic + " max_message_bytes=10000"))
                .hasSize(1);

        assertThatThrownBy(() -> store.apply(distinctAcls(5_000), 1, "User:alice", ""))
                .isInstanceOf(PolicyStoreException.class)
                .hasMessageContaining("refused the change as too large")
                .hasMessageContaining("set max.message.bytes=" + KafkaPolicyStore.MAX_RECORD_BYTES);
        assertThat(store.current().version()).isEqualTo(1);
    }

    /**
     * An edit that fails because the broker is gone must not be written when it returns: the producer would retry
     * the record for its delivery timeout (two minutes by default) and it would become a version nobody asked for.
     */
    @Test
    void aChangeThatFailedWhileTheBrokerWasDownDoesNotBecomeAVersionWhenItReturns(KafkaCluster own) throws Exception {
        String topic = newTopic();
        KafkaPolicyStore.Settings settings = KafkaPolicyStore.Settings.of(own.getBootstrapServers()).withTopic(topic)
                .withTimeout(Duration.ofSeconds(5));
        KafkaPolicyStore store = (KafkaPolicyStore) track(new KafkaPolicyStore(settings, readOn("t1")));
        own.stopNodes(id -> true, TerminationStyle.ABRUPT);
        try {
            assertThatThrownBy(() -> store.apply(readOn("t2"), 1, "User:alice", "while the broker is down"))
                    .isInstanceOf(PolicyStoreException.class)
                    .hasMessageContaining("was not acknowledged by the policy topic " + topic + " within PT5S")
                    .hasMessageContaining("it may still become a version");
        } finally {
            own.startNodes(id -> true);
        }

        PolicyVersion next = store.apply(readOn("t3"), PolicyStore.ANY_VERSION, "User:bob", "after the restart");
        assertThat(next.version()).isEqualTo(2);
        assertThat(next.document().sameRulesAs(readOn("t3"))).isTrue();
        KafkaPolicyStore reader = (KafkaPolicyStore) track(new KafkaPolicyStore(settings, (String) null));
        assertThat(reader.history()).extracting(PolicyVersion::comment)
                .containsExactly("the initial policy of an empty topic", "after the restart");
    }

    private static PolicyDocument distinctAcls(int count) {
        List<org.apache.kafka.common.acl.AclBinding> bindings = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            bindings.add(new AclBinding(
                    new ResourcePattern(ResourceType.TOPIC,
                            "orders.team-" + i, PatternType.LITERAL),
                    new AccessControlEntry("User:team-" + i, "*",
                            AclOperation.READ,
                            AclPermissionType.ALLOW)));
        }
        return new PolicyDocument(Set.of(), false, bindings);
    }

    @Test
    void recordsThatAreNotValidChangesAreSkippedByEveryReader() throws Exception {
        String topic = newTopic();
        KafkaPolicyStore first = store(topic, readOn("t1"));
        produce(topic, List.of(
                "not json".getBytes(StandardCharsets.UTF_8),
                change(PolicyStore.ANY_VERSION, "acls:\n  - principal: User:a\n    operations: [wirte]\n    topic: x\n",
                        "User:mallory"),
                "{\"format\":1,\"changeId\":\"c\",\"baseVersion\":\"one\"}".getBytes(StandardCharsets.UTF_8),
                change(PolicyStore.ANY_VERSION, PolicyWriter.toYaml(readOn("t2")), "User:tool")));

        await().atMost(CONVERGENCE).until(() -> first.current().version() == 2);
        KafkaPolicyStore second = store(topic, null);

        for (KafkaPolicyStore store : List.of(first, second)) {
            assertThat(store.history()).extracting(PolicyVersion::version).containsExactly(1L, 2L);
            assertThat(store.current().author()).isEqualTo("User:tool");
            assertThat(store.current().document().sameRulesAs(readOn("t2"))).isTrue();
        }
        assertThat(second.history()).isEqualTo(first.history());
        List<String> skipped = log.linesContaining("event=policy_record_skipped topic=" + topic);
        // three bad records, each skipped by each of the two readers
        assertThat(skipped).hasSize(6);
        assertThat(skipped).filteredOn(l -> l.contains("unknown operation 'wirte'")).hasSize(2);
        assertThat(skipped).filteredOn(l -> l.contains("reason=\"not JSON\"")).hasSize(2);
        assertThat(skipped).filteredOn(l -> l.contains("baseVersion")).hasSize(2);
    }

    /**
     * A topic whose first records were deleted (retention, DeleteRecords) cannot be counted from version 1 as the
     * rest of the fleet counts it: a store refuses it rather than start over from its local file.
     */
    @Test
    void aTopicWhoseFirstRecordsAreGoneIsRefusedRatherThanStartedOver() throws Exception {
        String topic = newTopic();
        try (Admin admin = admin()) {
            // Kafka deletes records only from a topic that also has the delete policy (retention).
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1)
                    .configs(Map.of("cleanup.policy", "compact,delete")))).all().get(10, TimeUnit.SECONDS);
        }
        KafkaPolicyStore first = store(topic, readOn("t1"));
        first.apply(readOn("t2"), 1, "User:alice", "");
        try (Admin admin = admin()) {
            admin.deleteRecords(Map.of(new org.apache.kafka.common.TopicPartition(topic, 0),
                    org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(1))).all().get(10, TimeUnit.SECONDS);
        }
        assertThatThrownBy(() -> store(topic, readOn("stale")))
                .isInstanceOf(PolicyStoreException.class).hasMessageContaining("has lost its first 1 records");
    }

    /** Records that are not policy changes, and nothing that starts a history: no store seeds beside them. */
    @Test
    void aTopicWithRecordsButNoHistoryIsRefusedRatherThanSeeded() throws Exception {
        String topic = newTopic();
        createCompacted(topic);
        produce(topic, List.of(change(3, PolicyWriter.toYaml(readOn("orphan")), "User:someone")));
        assertThatThrownBy(() -> store(topic, readOn("stale")))
                .isInstanceOf(PolicyStoreException.class).hasMessageContaining("none of them starts a policy history");
    }

    @Test
    void changesAgainstAnOldVersionWrittenByOthersAreRejectedByEveryReader() throws Exception {
        String topic = newTopic();
        createCompacted(topic);
        produce(topic, List.of(
                change(KafkaPolicyStore.EMPTY, PolicyWriter.toYaml(readOn("first")), "User:gateway-a"),
                change(KafkaPolicyStore.EMPTY, PolicyWriter.toYaml(readOn("second")), "User:gateway-b"),
                change(1, PolicyWriter.toYaml(readOn("t2")), "User:alice"),
                change(1, PolicyWriter.toYaml(readOn("late")), "User:bob"),
                change(5, PolicyWriter.toYaml(readOn("ahead")), "User:carol")));

        KafkaPolicyStore store = store(topic, readOn("never-used"));

        assertThat(store.history()).extracting(PolicyVersion::author).containsExactly("User:gateway-a", "User:alice");
        assertThat(store.version(1).orElseThrow().document().sameRulesAs(readOn("first"))).isTrue();
        assertThat(store.current().document().sameRulesAs(readOn("t2"))).isTrue();
        assertThat(store.apply(readOn("t3"), 2, "User:dave", "").version()).isEqualTo(3);
    }

    @Test
    void aRestartedStoreRecoversTheWholeHistoryFromTheTopic() throws Exception {
        String topic = newTopic();
        KafkaPolicyStore first = store(topic, readOn("t1"));
        first.apply(readOn("t2"), 1, "User:alice", "two");
        first.apply(readOn("t3"), PolicyStore.ANY_VERSION, "User:bob", "three");
        first.apply(readOn("t4"), 3, "User:carol", "four");
        List<PolicyVersion> before = first.history();
        first.close();

        KafkaPolicyStore again = store(topic, readOn("ignored"));

        assertThat(again.history()).isEqualTo(before);
        assertThat(again.current().version()).isEqualTo(4);
        assertThat(again.version(1).orElseThrow().author()).isEqualTo(KafkaPolicyStore.SEED_AUTHOR);
    }

    @Test
    void twoStoresStartingTogetherOnAnEmptyTopicAgreeOnVersionOne() throws Exception {
        for (int round = 0; round < 2; round++) {
            String topic = newTopic();
            CyclicBarrier start = new CyclicBarrier(2);
            CompletableFuture<KafkaPolicyStore> a = CompletableFuture.supplyAsync(() -> opened(start, topic, "a"));
            CompletableFuture<KafkaPolicyStore> b = CompletableFuture.supplyAsync(() -> opened(start, topic, "b"));
            KafkaPolicyStore storeA = a.get(60, TimeUnit.SECONDS);
            KafkaPolicyStore storeB = b.get(60, TimeUnit.SECONDS);

            assertThat(storeA.current().version()).isEqualTo(1);
            assertThat(storeB.current().version()).isEqualTo(1);
            assertThat(storeB.current()).isEqualTo(storeA.current());
            assertThat(List.of(readOn("a"), readOn("b")))
                    .anyMatch(doc -> doc.sameRulesAs(storeA.current().document()));
            Thread.sleep(300);
            assertThat(storeA.history()).hasSize(1);
            assertThat(storeB.history()).hasSize(1);
        }
    }

    private KafkaPolicyStore opened(CyclicBarrier start, String topic, String initialTopic) {
        try {
            start.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return store(topic, readOn(initialTopic));
    }

    @Test
    void clientPropertyValuesAreNeverLogged() throws Exception {
        String secret = "s3cr3t-" + UUID.randomUUID();
        KafkaPolicyStore.Settings settings = settings(newTopic())
                .withClientProperties(Map.of("ssl.key.password", secret));

        KafkaPolicyStore store = (KafkaPolicyStore) track(new KafkaPolicyStore(settings, readOn("t1")));
        store.apply(readOn("t2"), 1, "User:alice", "");

        assertThat(settings.toString()).contains("ssl.key.password").doesNotContain(secret);
        assertThat(log.text()).contains("event=policy_store_opened").doesNotContain(secret);
    }
}
