package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An old Java client, kafka-clients 2.8.2 (the build copies it to {@code target/kafka-clients-2.8.2}), through a SCRAM
 * listener under a policy. It speaks older versions of most APIs than the current client (Produce 9, Fetch 12 with
 * topic names, Metadata 11, FindCoordinator 3 with one key and its address outside a list, JoinGroup 7, OffsetCommit 8,
 * OffsetFetch 7 for one group, the ACL APIs at 2, AddPartitionsToTxn 3): admin, ACLs, an idempotent producer with every
 * compression, a committed and an aborted transaction, and a consumer group that commits and resumes.
 */
@ExtendWith(KafkaClusterExtension.class)
class LegacyJavaClientIT {

    static final Path CLIENT_JARS = Path.of("target/kafka-clients-2.8.2");

    static final String POLICY = """
            acls:
              - principal: User:legacy
                operations: [all]
                topics: {prefix: legacy.}
              - principal: User:legacy
                operations: [all]
                groups: {prefix: legacy-}
              - principal: User:legacy
                operations: [all]
                transactionalIds: {prefix: legacy-}
              - principal: User:legacy
                operations: [describe, alter, idempotent_write]
                cluster: true
            """;

    static KafkaCluster cluster;
    static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        SaslPki pki = SaslPki.withUsersAndPolicy(POLICY, "legacy");
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            Clients.createTopic(direct, LegacyJavaClient.DENIED_TOPIC, 1, (short) 1);
        }
        gateway = GatewayFixture.fromYaml(SaslPki.SCRAM_WITH_POLICY, pki.dir, cluster.getBootstrapServers());
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void kafkaClients28AdministersProducesAndConsumesThroughTheGateway() throws Exception {
        ExternalProcess.Result run = ExternalProcess.run(command(), null, null, 240);
        String out = run.output();
        assertThat(run.exit()).as(out).isZero();
        assertThat(value(out, "version")).isEqualTo("2.8.2");

        assertThat(values(out, "node")).isNotEmpty().allMatch(gateway::isGatewayAddress);
        assertThat(value(out, "topics")).isEqualTo("[" + LegacyJavaClient.TOPIC + "]");
        assertThat(value(out, "acls")).contains("User:reader", "operation=READ", "permissionType=ALLOW");
        assertThat(value(out, "aclsDeleted")).isEqualTo("1");

        int produced = LegacyJavaClient.COMPRESSION.size() * LegacyJavaClient.PER_COMPRESSION;
        assertThat(value(out, "produced")).isEqualTo(String.valueOf(produced));
        assertThat(value(out, "denied")).isEqualTo("TopicAuthorizationException");
        assertThat(value(out, "transactions")).isEqualTo("done");
        assertThat(value(out, "consumed")).isEqualTo(String.valueOf(produced + LegacyJavaClient.COMMITTED));
        assertThat(value(out, "abortedSeen")).isEqualTo("0");
        assertThat(value(out, "assignedAfterCommit")).isEqualTo("3");
        assertThat(value(out, "readAfterCommit")).isEqualTo("0");

        // the broker holds the group's offsets: every partition committed to its end
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            Map<TopicPartition, OffsetAndMetadata> committed = direct.listConsumerGroupOffsets("legacy-group")
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            assertThat(committed).hasSize(3);
            Map<TopicPartition, ListOffsetsResultInfo> ends = direct.listOffsets(committed.keySet().stream()
                    .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()))).all().get(30, TimeUnit.SECONDS);
            committed.forEach((p, o) -> assertThat(o.offset()).as(p.toString()).isEqualTo(ends.get(p).offset()));
        }
    }

    /** java, with the old client's jars and this module's test classes (for {@link LegacyJavaClient}) only. */
    static List<String> command() throws Exception {
        List<String> classpath = new ArrayList<>();
        try (Stream<Path> jars = Files.list(CLIENT_JARS)) {
            jars.filter(p -> p.toString().endsWith(".jar")).forEach(p -> classpath.add(p.toAbsolutePath().toString()));
        }
        assertThat(classpath).as("jars in " + CLIENT_JARS).anyMatch(j -> j.endsWith("kafka-clients-2.8.2.jar"));
        classpath.add(Path.of(LegacyJavaClient.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", String.join(File.pathSeparator, classpath), LegacyJavaClient.class.getName(),
                gateway.bootstrap(), "legacy", "legacy-secret");
    }

    static String value(String output, String key) {
        List<String> all = values(output, key);
        assertThat(all).as(key + " in\n" + output).hasSize(1);
        return all.get(0);
    }

    static List<String> values(String output, String key) {
        return output.lines().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1)).toList();
    }
}
