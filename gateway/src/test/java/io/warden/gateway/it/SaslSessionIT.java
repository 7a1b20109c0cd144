package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** KIP-368 session lifetimes: clients that re-authenticate in time keep their connection; others lose it. */
@ExtendWith(KafkaClusterExtension.class)
class SaslSessionIT {

    static final String YAML = """
            listeners:
              - name: sasl-plaintext
                bootstrapPort: ${BOOTSTRAP_PORT}
                brokerPorts: ${BROKER_PORTS}
                sasl: {mechanisms: [SCRAM-SHA-512], allowPlaintext: true}
            authentication:
              users: {file: users.txt}
              sessionLifetimeSeconds: 3
            upstream:
              bootstrapServers: ["${UPSTREAM}"]
            """;

    static KafkaCluster cluster;
    static SaslPki pki;
    static GatewayFixture gateway;

    @BeforeAll
    static void start() throws Exception {
        pki = new SaslPki();
        pki.addUser("dave", "dave-secret");
        gateway = GatewayFixture.fromYaml(YAML, pki.dir, cluster.getBootstrapServers());
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    @Test
    void aJavaProducerReauthenticatesAndKeepsProducingPastTheLifetime() throws Exception {
        String topic;
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            topic = Clients.createTopic(direct, 1);
        }
        Map<String, Object> security = Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"dave\" password=\"dave-secret\";");
        long before = gateway.server().stats().reauthentications();
        try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), security)) {
            long end = System.currentTimeMillis() + 8_000;
            int i = 0;
            while (System.currentTimeMillis() < end) {
                producer.send(new ProducerRecord<>(topic, "k", "v" + i++)).get();
                Thread.sleep(200);
            }
        }
        // Every send succeeded on the producing connection, which re-authenticated; its idle bootstrap connection
        // may have been closed at expiry, which the client shrugs off.
        assertThat(gateway.server().stats().reauthentications()).isGreaterThanOrEqualTo(before + 2);
    }

    @Test
    void aConnectionThatDoesNotReauthenticateIsClosedWhenTheSessionLapses() throws Exception {
        String[] hostPort = gateway.bootstrap().split(":");
        long expiredBefore = gateway.server().stats().expiredSessions();
        try (RawKafkaConnection c = new RawKafkaConnection(hostPort[0], Integer.parseInt(hostPort[1]))) {
            SaslAuthenticateResponseData done = new RawSasl(c).scramLogin("dave", "dave-secret");
            assertThat(done.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(done.sessionLifetimeMs()).isBetween(2_000L, 3_000L);
            long start = System.currentTimeMillis();
            assertThat(c.isClosedByPeer()).isTrue();
            assertThat(System.currentTimeMillis() - start).isBetween(1_500L, 6_000L);
        }
        assertThat(gateway.server().stats().expiredSessions()).isGreaterThan(expiredBefore);
    }

    /** As Kafka's broker: a session without an expiry is never re-authenticated; the connection goes on with it. */
    @Test
    void aSessionWithoutExpiryIsNotReauthenticated() throws Exception {
        try (GatewayFixture lifelong = GatewayFixture.fromYaml(YAML.replace("  sessionLifetimeSeconds: 3\n", "  sessionLifetimeSeconds: 0\n"),
                pki.dir, cluster.getBootstrapServers())) {
            String[] hostPort = lifelong.bootstrap().split(":");
            try (RawKafkaConnection c = new RawKafkaConnection(hostPort[0], Integer.parseInt(hostPort[1]))) {
                RawSasl sasl = new RawSasl(c);
                SaslAuthenticateResponseData done = sasl.scramLogin("dave", "dave-secret");
                assertThat(done.errorCode()).isEqualTo(Errors.NONE.code());
                assertThat(done.sessionLifetimeMs()).isZero();
                assertThat(sasl.handshake("SCRAM-SHA-512").errorCode()).isEqualTo(Errors.ILLEGAL_SASL_STATE.code());
                int md = c.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(null));
                assertThat(c.receive(ApiKeys.METADATA, (short) 12, md, in -> new MetadataResponseData(in, (short) 12))
                        .brokers()).isNotEmpty();
            }
            assertThat(lifelong.server().stats().reauthentications()).isZero();
        }
    }

    /**
     * A connection that never logs in is closed after {@code limits.loginTimeoutSeconds}, so that such connections
     * cannot hold the connection limits for the idle timeout; one that logged in in time stays.
     */
    @Test
    void aConnectionThatDoesNotLogInIsClosedAfterTheLoginTimeout() throws Exception {
        try (GatewayFixture strict = GatewayFixture.fromYaml(YAML.replace("  sessionLifetimeSeconds: 3\n", "")
                + "limits: {loginTimeoutSeconds: 1}\n", pki.dir, cluster.getBootstrapServers())) {
            String[] hostPort = strict.bootstrap().split(":");
            try (RawKafkaConnection silent = new RawKafkaConnection(hostPort[0], Integer.parseInt(hostPort[1]));
                 RawKafkaConnection loggedIn = new RawKafkaConnection(hostPort[0], Integer.parseInt(hostPort[1]))) {
                assertThat(new RawSasl(loggedIn).scramLogin("dave", "dave-secret").errorCode()).isEqualTo(Errors.NONE.code());
                int id = silent.send(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData()
                        .setClientSoftwareName("raw").setClientSoftwareVersion("1"));
                assertThat(silent.receive(ApiKeys.API_VERSIONS, (short) 3, id, in -> new ApiVersionsResponseData(in, (short) 3))
                        .errorCode()).isZero();
                long start = System.currentTimeMillis();
                assertThat(silent.isClosedByPeer()).as("closed without a login").isTrue();
                assertThat(System.currentTimeMillis() - start).isBetween(300L, 6_000L);
                assertThat(strict.server().stats().loginTimeouts()).isEqualTo(1);
                // The connection that logged in at once is still served after the timeout.
                int md = loggedIn.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(null));
                assertThat(loggedIn.receive(ApiKeys.METADATA, (short) 12, md, in -> new MetadataResponseData(in, (short) 12))
                        .brokers()).isNotEmpty();
            }
            assertThat(strict.server().stats().loginTimeouts()).isEqualTo(1);
        }
    }
}
