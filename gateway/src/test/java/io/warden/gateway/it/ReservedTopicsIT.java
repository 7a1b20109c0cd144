package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.common.BrokerConfig;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Warden's own topics — the policy topic of {@code authorization.kafkaStore} and the audit topic of
 * {@code audit.kafka} — are out of reach of every client through the gateway: neither a super user nor a principal
 * granted ALL on the cluster (which Kafka lets stand for CREATE and DELETE on every topic) may create or delete them,
 * explicitly or by Metadata's auto-creation, or move their replicas.
 */
@ExtendWith(KafkaClusterExtension.class)
class ReservedTopicsIT {

    static final String POLICY_TOPIC = "warden-policy-reserved";
    static final String AUDIT_TOPIC = "warden-audit-reserved";

    static final String POLICY = """
            superUsers: [User:admin]
            acls:
              - principal: User:ops
                operations: [all]
                cluster: true
            """;

    static final String YAML = SaslPki.SCRAM_PLAINTEXT_USERS + """
              failureDelayMs: 0
            authorization:
              policyFile: policy.yaml
              kafkaStore: {bootstrapServers: ["${UPSTREAM}"], topic: %s}
            upstream:
              bootstrapServers: ["${UPSTREAM}"]
            audit:
              kafka:
                bootstrapServers: ["127.0.0.1:%d"]
                topic: %s
                properties: {max.block.ms: "300", delivery.timeout.ms: "1000", request.timeout.ms: "500"}
            """;

    @BrokerConfig(name = "auto.create.topics.enable", value = "true")
    static KafkaCluster cluster;
    static SaslPki pki;
    static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        pki = SaslPki.withUsersAndPolicy(POLICY, "admin", "ops");
        int unreachable;
        try (ServerSocket s = new ServerSocket(0)) {
            unreachable = s.getLocalPort();
        }
        // The audit trail goes to a cluster that is not there, so the audit topic stays missing on this one.
        gateway = GatewayFixture.fromYaml(YAML.formatted(POLICY_TOPIC, unreachable, AUDIT_TOPIC), pki.dir, cluster.getBootstrapServers());
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    static Map<String, Object> as(String user) {
        Map<String, Object> config = new HashMap<>(Clients.scramPlaintext(user, user + "-secret"));
        config.put("bootstrap.servers", gateway.bootstrap());
        return config;
    }

    @Test
    void noClientMayDeleteWardensTopicsByNameOrId() throws Exception {
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            Clients.createTopic(direct, AUDIT_TOPIC, 1, (short) 1);
            try {
                Uuid policyTopicId = direct.describeTopics(List.of(POLICY_TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(POLICY_TOPIC).topicId();
                for (String user : List.of("admin", "ops")) {
                    try (Admin admin = Admin.create(as(user))) {
                        var byName = admin.deleteTopics(List.of(POLICY_TOPIC, AUDIT_TOPIC)).topicNameValues();
                        for (String topic : List.of(POLICY_TOPIC, AUDIT_TOPIC)) {
                            assertThatThrownBy(() -> byName.get(topic).get(30, TimeUnit.SECONDS)).as("%s deleting %s", user, topic)
                                    .cause().isInstanceOf(TopicAuthorizationException.class);
                        }
                        assertThatThrownBy(() -> admin.deleteTopics(TopicCollection.ofTopicIds(List.of(policyTopicId))).all()
                                .get(30, TimeUnit.SECONDS)).as("%s deleting the policy topic by id", user)
                                .cause().isInstanceOf(TopicAuthorizationException.class);
                    }
                }
                assertThat(direct.listTopics().names().get(30, TimeUnit.SECONDS)).contains(POLICY_TOPIC, AUDIT_TOPIC);
            } finally {
                direct.deleteTopics(List.of(AUDIT_TOPIC)).all().get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void noClientMayMoveTheReplicasOfWardensTopics() throws Exception {
        int broker;
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            broker = direct.describeCluster().nodes().get(30, TimeUnit.SECONDS).iterator().next().id();
        }
        for (String user : List.of("admin", "ops")) {
            try (Admin admin = Admin.create(as(user))) {
                assertThatThrownBy(() -> admin.alterPartitionReassignments(Map.of(new TopicPartition(POLICY_TOPIC, 0),
                        Optional.of(new NewPartitionReassignment(List.of(broker))))).all().get(30, TimeUnit.SECONDS))
                        .as("%s moving the policy topic's replicas", user).cause().isInstanceOf(TopicAuthorizationException.class);
            }
        }
    }

    @Test
    void noClientMayCreateAMissingWardenTopicExplicitlyOrByAutoCreation() throws Exception {
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> !direct.listTopics().names().get(30, TimeUnit.SECONDS).contains(AUDIT_TOPIC));
            for (String user : List.of("admin", "ops")) {
                try (Admin admin = Admin.create(as(user))) {
                    assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic(AUDIT_TOPIC, 1, (short) 1))).all()
                            .get(30, TimeUnit.SECONDS)).as("%s creating the audit topic", user)
                            .cause().isInstanceOf(TopicAuthorizationException.class);
                }
                Map<String, Object> producerConfig = as(user);
                producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
                // The producer asks for the topic's metadata with auto-creation on.
                try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), producerConfig)) {
                    assertThatThrownBy(() -> producer.partitionsFor(AUDIT_TOPIC)).as("%s auto-creating the audit topic", user)
                            .isInstanceOf(TopicAuthorizationException.class);
                }
            }
            assertThat(direct.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain(AUDIT_TOPIC);
        }
    }
}
