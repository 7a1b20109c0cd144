package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A consumer group through the gateway: three members share six partitions, one leaves, the other two take over
 * its partitions and resume from the committed offsets. Both group protocols: classic (Join/SyncGroup) and
 * KIP-848 (ConsumerGroupHeartbeat). Described groups show each member's own client host, not the gateway's.
 */
@ExtendWith(KafkaClusterExtension.class)
class ConsumerGroupIT {

    static KafkaCluster cluster;
    @RegisterExtension
    static final GatewayFixture gateway = GatewayFixture.inFrontOf(() -> cluster);
    /** A gateway that enforces a policy (one that allows everything), whose requests take the enforcers' path. */
    static GatewayFixture policed;
    @TempDir
    static Path dir;

    @BeforeAll
    static void startPolicedGateway() throws Exception {
        Files.writeString(dir.resolve("policy.yaml"), "allowEveryoneIfNoAclFound: true\nacls: []\n");
        policed = GatewayFixture.fromYaml(GatewayFixture.PLAIN_YAML + "authorization: {policyFile: policy.yaml}\n", dir,
                cluster.getBootstrapServers());
    }

    @AfterAll
    static void stopPolicedGateway() {
        policed.close();
    }

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void groupRebalancesWhenAMemberLeavesAndResumesFromCommittedOffsets(String protocol) throws Exception {
        String topic = Clients.createTopic(gateway.admin(), 6);
        String group = "g-" + topic;
        produce(topic, 0, 600);

        List<KafkaConsumer<String, String>> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Map<String, Object> config = new java.util.HashMap<>(Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG, group,
                    ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol,
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50));
            if (protocol.equals("classic")) {
                config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
                config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
            }
            KafkaConsumer<String, String> c = Clients.consumer(gateway.bootstrap(), config);
            c.subscribe(List.of(topic));
            members.add(c);
        }
        try {
            Set<String> seen = new HashSet<>();
            pollUntil(members, seen, () -> seen.size() == 600
                    && members.stream().allMatch(m -> m.assignment().size() == 2));
            assertThat(seen).hasSize(600);
            Set<TopicPartition> all = new HashSet<>();
            members.forEach(m -> all.addAll(m.assignment()));
            assertThat(all).hasSize(6);

            KafkaConsumer<String, String> leaving = members.remove(2);
            leaving.close();

            produce(topic, 600, 300);
            Set<String> afterRebalance = new HashSet<>();
            pollUntil(members, afterRebalance, () -> afterRebalance.size() >= 300
                    && members.stream().mapToInt(m -> m.assignment().size()).sum() == 6);
            // Exactly the new records: nothing consumed and committed before the rebalance came again.
            assertThat(afterRebalance).hasSize(300)
                    .allMatch(v -> Integer.parseInt(v.substring(2)) >= 600);
            assertThat(members).allMatch(m -> m.assignment().size() == 3);
        } finally {
            members.forEach(KafkaConsumer::close);
        }
    }

    /**
     * Two classic members join one group through the gateway from 127.0.0.2 and 127.0.0.3, while the gateway's own
     * connections to the broker come from 127.0.0.1: described through the gateway, each member shows its own host, as
     * the broker shows the host of a member connected to it directly. Through a gateway with a policy too, where the
     * requests take the enforcers' path.
     */
    @ParameterizedTest(name = "policy={0}")
    @ValueSource(booleans = {false, true})
    void classicGroupMembersShowTheirClientsHosts(boolean policy) throws Exception {
        GatewayFixture gateway = policy ? policed : ConsumerGroupIT.gateway;
        String topic = Clients.createTopic(gateway.admin(), 1);
        String group = readyGroup(gateway, topic);
        try (RawKafkaConnection first = connectFrom(gateway, "127.0.0.2"); RawKafkaConnection second = connectFrom(gateway, "127.0.0.3")) {
            String firstId = join(first, group, topic, "").memberId();
            assertThat(join(first, group, topic, firstId).errorCode()).isEqualTo(Errors.NONE.code());
            String secondId = join(second, group, topic, "").memberId();
            // The second member's join waits for the first to join again, in the rebalance it starts.
            int secondJoin = second.send(ApiKeys.JOIN_GROUP, JOIN_VERSION, joinRequest(group, topic, secondId));
            awaitState(gateway, group, GroupState.PREPARING_REBALANCE);
            int firstJoin = first.send(ApiKeys.JOIN_GROUP, JOIN_VERSION, joinRequest(group, topic, firstId));
            assertThat(joined(first, firstJoin).errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(joined(second, secondJoin).errorCode()).isEqualTo(Errors.NONE.code());

            assertThat(memberHosts(gateway, group)).isEqualTo(Map.of(firstId, "/127.0.0.2", secondId, "/127.0.0.3"));
        }
    }

    /** As above for a KIP-848 group, whose members join with ConsumerGroupHeartbeat. */
    @ParameterizedTest(name = "policy={0}")
    @ValueSource(booleans = {false, true})
    void consumerGroupMembersShowTheirClientsHosts(boolean policy) throws Exception {
        GatewayFixture gateway = policy ? policed : ConsumerGroupIT.gateway;
        String topic = Clients.createTopic(gateway.admin(), 2);
        String group = readyGroup(gateway, topic);
        try (RawKafkaConnection first = connectFrom(gateway, "127.0.0.2"); RawKafkaConnection second = connectFrom(gateway, "127.0.0.3")) {
            String firstId = heartbeatToJoin(first, group, topic);
            String secondId = heartbeatToJoin(second, group, topic);

            assertThat(memberHosts(gateway, group)).isEqualTo(Map.of(firstId, "/127.0.0.2", secondId, "/127.0.0.3"));
        }
    }

    private static final short JOIN_VERSION = ApiKeys.JOIN_GROUP.latestVersion();

    private static JoinGroupResponseData join(RawKafkaConnection connection, String group, String topic, String memberId) throws Exception {
        return joined(connection, connection.send(ApiKeys.JOIN_GROUP, JOIN_VERSION, joinRequest(group, topic, memberId)));
    }

    private static JoinGroupResponseData joined(RawKafkaConnection connection, int correlationId) throws Exception {
        return connection.receive(ApiKeys.JOIN_GROUP, JOIN_VERSION, correlationId, in -> new JoinGroupResponseData(in, JOIN_VERSION));
    }

    private static JoinGroupRequestData joinRequest(String group, String topic, String memberId) {
        JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range").setMetadata(
                Utils.toArray(ConsumerProtocol.serializeSubscription(new ConsumerPartitionAssignor.Subscription(List.of(topic))))));
        return new JoinGroupRequestData().setGroupId(group).setMemberId(memberId).setSessionTimeoutMs(30_000)
                .setRebalanceTimeoutMs(30_000).setProtocolType(ConsumerProtocol.PROTOCOL_TYPE).setProtocols(protocols);
    }

    /** Joins a KIP-848 group with a member id of the client's own (v1); returns it once the coordinator accepted it. */
    private static String heartbeatToJoin(RawKafkaConnection connection, String group, String topic) throws Exception {
        short version = ApiKeys.CONSUMER_GROUP_HEARTBEAT.latestVersion();
        String memberId = Uuid.randomUuid().toString();
        int correlationId = connection.send(ApiKeys.CONSUMER_GROUP_HEARTBEAT, version, new ConsumerGroupHeartbeatRequestData()
                .setGroupId(group).setMemberId(memberId).setMemberEpoch(0).setRebalanceTimeoutMs(30_000)
                .setSubscribedTopicNames(List.of(topic)).setTopicPartitions(List.of()));
        ConsumerGroupHeartbeatResponseData response = connection.receive(ApiKeys.CONSUMER_GROUP_HEARTBEAT, version, correlationId,
                in -> new ConsumerGroupHeartbeatResponseData(in, version));
        assertThat(response.errorCode()).as(response.errorMessage()).isEqualTo(Errors.NONE.code());
        assertThat(response.memberId()).isEqualTo(memberId);
        return memberId;
    }

    /**
     * A new group of the topic's, once its coordinator is ready: the raw members do not wait for it (its first use
     * creates it), the Admin client does.
     */
    private static String readyGroup(GatewayFixture gateway, String topic) throws Exception {
        String group = "hosts-" + topic;
        gateway.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        return group;
    }

    /** A connection to the gateway from this loopback address, while the gateway connects to the broker from 127.0.0.1. */
    private static RawKafkaConnection connectFrom(GatewayFixture gateway, String localAddress) throws Exception {
        return new RawKafkaConnection("127.0.0.1", gateway.bootstrapPort(), localAddress);
    }

    private static void awaitState(GatewayFixture gateway, String group, GroupState state) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (describe(gateway, group).groupState() != state) {
            assertThat(System.currentTimeMillis()).as("group %s never reached %s", group, state).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Member id to host, as the Admin client describes the group through the gateway. */
    private static Map<String, String> memberHosts(GatewayFixture gateway, String group) throws Exception {
        return describe(gateway, group).members().stream().collect(Collectors.toMap(MemberDescription::consumerId, MemberDescription::host));
    }

    private static ConsumerGroupDescription describe(GatewayFixture gateway, String group) throws Exception {
        return gateway.admin().describeConsumerGroups(List.of(group)).describedGroups().get(group).get(30, TimeUnit.SECONDS);
    }

    private static void produce(String topic, int from, int count) {
        try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), Map.of())) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v-" + i));
            }
            producer.flush();
        }
    }

    /**
     * Polls every member in turn, committing what each got, until the condition holds (60 s at most). A commit the
     * group refuses mid-rebalance (a stale member epoch) may, as in Kafka, lead to those records being delivered
     * again; only they may be seen twice.
     */
    private static void pollUntil(List<KafkaConsumer<String, String>> members, Set<String> values, BooleanSupplier done) {
        Set<String> uncommitted = new java.util.HashSet<>();
        long deadline = System.currentTimeMillis() + 60_000;
        while (!done.getAsBoolean() && System.currentTimeMillis() < deadline) {
            for (KafkaConsumer<String, String> m : members) {
                var records = m.poll(Duration.ofMillis(100));
                for (ConsumerRecord<String, String> r : records) {
                    assertThat(values.add(r.value()) || uncommitted.contains(r.value())).as("delivered twice: %s", r.value()).isTrue();
                }
                if (!records.isEmpty()) {
                    try {
                        m.commitSync();
                    } catch (org.apache.kafka.clients.consumer.CommitFailedException rebalancing) {
                        records.forEach(r -> uncommitted.add(r.value()));
                    }
                }
            }
        }
    }
}
