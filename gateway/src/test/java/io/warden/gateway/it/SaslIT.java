package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import io.warden.authn.scram.ScramClient;
import io.warden.certs.CertificateFiles;
import io.warden.certs.CertificateIssuer;
import io.warden.certs.IssuedCertificate;
import io.warden.certs.KeyType;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * SASL at the gateway, with real Java clients over SASL_SSL for every mechanism, and hand-written exchanges on a
 * SASL_PLAINTEXT listener for what a real client never sends.
 */
@ExtendWith(KafkaClusterExtension.class)
class SaslIT {

    static final String YAML = """
            listeners:
              - name: sasl-ssl
                bootstrapPort: ${BOOTSTRAP_PORT}
                brokerPorts: ${BROKER_PORTS}
                tls: {certificate: server-chain.crt, key: server.key}
                sasl: {mechanisms: [SCRAM-SHA-512, SCRAM-SHA-256, PLAIN, OAUTHBEARER]}
              - name: sasl-plaintext
                bootstrapPort: ${BOOTSTRAP_PORT_2}
                brokerPorts: ${BROKER_PORTS_2}
                sasl: {mechanisms: [SCRAM-SHA-512, SCRAM-SHA-256], allowPlaintext: true}
            authentication:
              users: {file: users.txt}
              oauthBearer: {jwksFile: jwks.json, issuer: "https://issuer.warden.test", audience: kafka}
              failureDelayMs: 100
            upstream:
              bootstrapServers: ["${UPSTREAM}"]
            """;

    static KafkaCluster cluster;
    static SaslPki pki;
    static GatewayFixture gateway;
    static String topic;

    @BeforeAll
    static void start() throws Exception {
        pki = new SaslPki();
        pki.addUser("alice", "alice-secret");
        pki.addUser("bob", "bob-secret");
        gateway = GatewayFixture.fromYaml(YAML, pki.dir, cluster.getBootstrapServers());
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            topic = Clients.createTopic(direct, 1);
        }
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    String plaintextHost() {
        return gateway.bootstrap("sasl-plaintext").split(":")[0];
    }

    int plaintextPort() {
        return Integer.parseInt(gateway.bootstrap("sasl-plaintext").split(":")[1]);
    }

    /** Produces and consumes one record with these client settings; the producer is seen as {@code principal}. */
    private void roundTrip(Map<String, Object> security, String principal) throws Exception {
        String value = "v-" + ThreadLocalRandom.current().nextLong();
        try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), security)) {
            producer.send(new ProducerRecord<>(topic, "k", value)).get();
            assertThat(gateway.server().stats().connections()).anyMatch(info -> info.principal().equals(principal));
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(gateway.bootstrap(), security)) {
            List<ConsumerRecord<String, String>> records = Clients.readFromStart(consumer, topic, 1);
            assertThat(records).extracting(ConsumerRecord::value).contains(value);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"SCRAM-SHA-512", "SCRAM-SHA-256"})
    void javaClientsAuthenticateWithScram(String mechanism) throws Exception {
        long before = gateway.server().stats().authentications();
        roundTrip(pki.scram(mechanism, "alice", "alice-secret"), "User:alice");
        assertThat(gateway.server().stats().authentications()).isGreaterThan(before);
    }

    @Test
    void javaClientsAuthenticateWithPlain() throws Exception {
        roundTrip(pki.plain("bob", "bob-secret"), "User:bob");
    }

    @Test
    void javaClientsAuthenticateWithOAuthBearer() throws Exception {
        StaticTokenLoginHandler.token = pki.token("svc-orders", Duration.ofMinutes(10));
        Map<String, Object> c = pki.client("OAUTHBEARER",
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;");
        c.put("sasl.login.callback.handler.class", StaticTokenLoginHandler.class.getName());
        roundTrip(c, "User:svc-orders");
    }

    /**
     * As Kafka's DefaultKafkaPrincipalBuilder: on a SASL_SSL listener with client certificates required, TLS checks the
     * certificate, but the principal comes from SASL, so a certificate the mapping rules do not map does not matter.
     */
    @Test
    void onASaslListenerTheCertificateMappingRulesDoNotDecideThePrincipal() throws Exception {
        String yaml = YAML.replace("tls: {certificate: server-chain.crt, key: server.key}",
                "tls: {certificate: server-chain.crt, key: server.key, clientAuth: required, trustedCertificates: ca.crt,"
                        + " principalMappingRules: \"RULE:^CN=(.*?),OU=payments$/$1/\"}");
        IssuedCertificate unmapped = CertificateIssuer.issueClient(pki.ca, "carol", List.of("marketing"), Duration.ofDays(1), KeyType.EC_P256);
        CertificateFiles.writeCertificates(pki.dir.resolve("carol-chain.crt"), unmapped.chain(), true);
        CertificateFiles.writePrivateKey(pki.dir.resolve("carol.key"), unmapped.privateKey(), true);
        try (GatewayFixture mtls = GatewayFixture.fromYaml(yaml, pki.dir, cluster.getBootstrapServers())) {
            Map<String, Object> c = new java.util.HashMap<>(pki.scram("SCRAM-SHA-512", "alice", "alice-secret"));
            c.put("bootstrap.servers", mtls.bootstrap());
            c.put("ssl.keystore.type", "PEM");
            c.put("ssl.keystore.certificate.chain", java.nio.file.Files.readString(pki.dir.resolve("carol-chain.crt")));
            c.put("ssl.keystore.key", java.nio.file.Files.readString(pki.dir.resolve("carol.key")));
            try (Admin admin = Admin.create(c)) {
                assertThat(admin.describeCluster().nodes().get(30, java.util.concurrent.TimeUnit.SECONDS)).isNotEmpty();
                assertThat(mtls.server().stats().connections()).extracting(info -> info.principal())
                        .isNotEmpty().allMatch("User:alice"::equals);
            }
            // The certificate is still required.
            Map<String, Object> without = new java.util.HashMap<>(pki.scram("SCRAM-SHA-512", "alice", "alice-secret"));
            without.put("bootstrap.servers", mtls.bootstrap());
            without.put("request.timeout.ms", 5_000);
            without.put("default.api.timeout.ms", 10_000);
            try (Admin admin = Admin.create(without)) {
                assertThatThrownBy(() -> admin.describeCluster().nodes().get())
                        .cause().isInstanceOf(org.apache.kafka.common.errors.SslAuthenticationException.class);
            }
        }
    }

    @Test
    void anExpiredTokenIsRefused() throws Exception {
        StaticTokenLoginHandler.token = pki.token("svc-orders", Duration.ofMinutes(-10));
        Map<String, Object> c = pki.client("OAUTHBEARER",
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;");
        c.put("sasl.login.callback.handler.class", StaticTokenLoginHandler.class.getName());
        assertRefused(c, "token expired");
    }

    @Test
    void aWrongPasswordIsRefusedWithoutSayingWhy() throws Exception {
        assertRefused(pki.scram("SCRAM-SHA-512", "alice", "not-her-password"),
                "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512");
        assertRefused(pki.plain("alice", "not-her-password"), "Authentication failed: Invalid username or password");
    }

    @Test
    void anUnknownUserGetsTheSameAnswerAsAWrongPassword() throws Exception {
        assertRefused(pki.scram("SCRAM-SHA-512", "nobody", "whatever"),
                "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512");
        assertRefused(pki.plain("nobody", "whatever"), "Authentication failed: Invalid username or password");
    }

    private void assertRefused(Map<String, Object> security, String message) {
        Map<String, Object> c = new java.util.HashMap<>(security);
        c.put("bootstrap.servers", gateway.bootstrap());
        c.put("default.api.timeout.ms", 10_000);
        c.put("request.timeout.ms", 5_000);
        try (Admin admin = Admin.create(c)) {
            assertThatThrownBy(() -> admin.describeCluster().nodes().get())
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(SaslAuthenticationException.class)
                    .hasMessageContaining(message);
        }
    }

    @Test
    void wrongPasswordAndUnknownUserTakeComparableTimeAfterTheFailureDelay() throws Exception {
        long[] wrong = new long[7];
        long[] unknown = new long[7];
        for (int i = 0; i < wrong.length; i++) {
            wrong[i] = timedFailure("alice", "wrong-" + i);
            unknown[i] = timedFailure("ghost-" + i, "wrong-" + i);
        }
        Arrays.sort(wrong);
        Arrays.sort(unknown);
        assertThat(wrong[0]).isGreaterThanOrEqualTo(100);
        assertThat(unknown[0]).isGreaterThanOrEqualTo(100);
        assertThat(Math.abs(wrong[3] - unknown[3])).as("median ms wrong=%d unknown=%d", wrong[3], unknown[3]).isLessThan(60);
    }

    private long timedFailure(String user, String password) throws Exception {
        try (RawKafkaConnection c = new RawKafkaConnection(plaintextHost(), plaintextPort())) {
            RawSasl sasl = new RawSasl(c);
            assertThat(sasl.handshake("SCRAM-SHA-512").errorCode()).isEqualTo(Errors.NONE.code());
            ScramClient client = new ScramClient(ScramMechanism.SCRAM_SHA_512, user, password.toCharArray());
            SaslAuthenticateResponseData first = sasl.authenticate(client.firstMessage());
            assertThat(first.errorCode()).isEqualTo(Errors.NONE.code());
            byte[] clientFinal = client.finalMessage(first.authBytes());
            long start = System.nanoTime();
            SaslAuthenticateResponseData last = sasl.authenticate(clientFinal);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(last.errorCode()).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
            assertThat(last.errorMessage())
                    .isEqualTo("Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512");
            assertThat(c.isClosedByPeer()).isTrue();
            return ms;
        }
    }

    @Test
    void apiVersionsBeforeAuthenticationIsAnsweredWithTheSaslApis() throws Exception {
        try (RawKafkaConnection c = new RawKafkaConnection(plaintextHost(), plaintextPort())) {
            int id = c.send(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData()
                    .setClientSoftwareName("raw").setClientSoftwareVersion("1"));
            ApiVersionsResponseData versions = c.receive(ApiKeys.API_VERSIONS, (short) 3, id, a -> new ApiVersionsResponseData(a, (short) 3));
            assertThat(versions.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(versions.apiKeys().find(ApiKeys.SASL_HANDSHAKE.id).maxVersion()).isEqualTo((short) 1);
            assertThat(versions.apiKeys().find(ApiKeys.SASL_AUTHENTICATE.id).maxVersion()).isEqualTo((short) 2);
            assertThat(versions.apiKeys().find(ApiKeys.PRODUCE.id)).isNotNull();
            SaslAuthenticateResponseData done = new RawSasl(c).scramLogin("alice", "alice-secret");
            assertThat(done.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(done.sessionLifetimeMs()).isBetween(3_500_000L, 3_600_000L);
            int metadata = c.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(null));
            ByteBuffer body = c.receive(ApiKeys.METADATA.responseHeaderVersion((short) 12), metadata);
            assertThat(body.remaining()).isPositive();
        }
    }

    /**
     * ApiVersions before authentication is answered from what the gateway has learned of the cluster, at whatever
     * version it learned that. As Kafka answers, v0-v3 leave out the supported features whose minimum version is 0,
     * which clients before v4 cannot read (KAFKA-17011: "Expected minValue >= 1"); v4 lists them.
     */
    @Test
    void apiVersionsBeforeAuthenticationLeavesOutFeaturesFromVersionZeroBeforeV4() throws Exception {
        short v3 = 3;
        short v4 = 4;
        List<String> fromZero;
        try (RawKafkaConnection c = new RawKafkaConnection(plaintextHost(), plaintextPort())) {
            new RawSasl(c).scramLogin("alice", "alice-secret");
            // once authenticated, ApiVersions goes to the broker: the gateway learns the cluster's v4 answer from it
            int id = c.send(ApiKeys.API_VERSIONS, v4, new ApiVersionsRequestData().setClientSoftwareName("raw").setClientSoftwareVersion("1"));
            ApiVersionsResponseData answer = c.receive(ApiKeys.API_VERSIONS, v4, id, a -> new ApiVersionsResponseData(a, v4));
            fromZero = answer.supportedFeatures().stream().filter(f -> f.minVersion() == 0)
                    .map(ApiVersionsResponseData.SupportedFeatureKey::name).toList();
        }
        assertThat(fromZero).as("features the broker supports from version 0").isNotEmpty();
        for (short version : new short[] {v3, v4}) {
            try (RawKafkaConnection c = new RawKafkaConnection(plaintextHost(), plaintextPort())) {
                int id = c.send(ApiKeys.API_VERSIONS, version, new ApiVersionsRequestData().setClientSoftwareName("raw").setClientSoftwareVersion("1"));
                ApiVersionsResponseData answer = c.receive(ApiKeys.API_VERSIONS, version, id, a -> new ApiVersionsResponseData(a, version));
                List<String> listed = answer.supportedFeatures().stream().map(ApiVersionsResponseData.SupportedFeatureKey::name).toList();
                if (version < v4) {
                    assertThat(answer.supportedFeatures()).as("v" + version).allMatch(f -> f.minVersion() >= 1).isNotEmpty();
                } else {
                    assertThat(listed).as("v" + version).containsAll(fromZero);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"METADATA", "PRODUCE"})
    void requestsBeforeAuthenticationCloseTheConnectionAndReachNoBroker(String apiName) throws Exception {
        long upstreamBefore = gateway.server().stats().upstreamConnectionsOpened();
        ApiKeys refused = ApiKeys.valueOf(apiName);
        long forwardedBefore = gateway.server().stats().requests(refused, io.warden.gateway.proxy.GatewayStats.Outcome.FORWARDED);
        try (RawKafkaConnection c = new RawKafkaConnection(plaintextHost(), plaintextPort())) {
            ApiKeys api = ApiKeys.valueOf(apiName);
            if (api == ApiKeys.METADATA) {
                c.send(api, (short) 12, new MetadataRequestData().setTopics(null));
            } else {
                c.send(api, (short) 9, new org.apache.kafka.common.message.ProduceRequestData().setAcks((short) 1).setTimeoutMs(1000));
            }
            assertThat(c.isClosedByPeer()).isTrue();
        }
        assertThat(gateway.server().stats().upstreamConnectionsOpened()).as("broker connections opened for it").isEqualTo(upstreamBefore);
        assertThat(gateway.server().stats().requests(refused, io.warden.gateway.proxy.GatewayStats.Outcome.FORWARDED))
                .as("requests forwarded").isEqualTo(forwardedBefore);
    }

    @Test
    void randomBytesInASaslMessageAreRefused() throws Exception {
        byte[] junk = new byte[300];
        ThreadLocalRandom.current().nextBytes(junk);
        try (RawKafkaConnection c = new RawKafkaConnection(plaintextHost(), plaintextPort())) {
            RawSasl sasl = new RawSasl(c);
            sasl.handshake("SCRAM-SHA-512");
            SaslAuthenticateResponseData r = sasl.authenticate(junk);
            assertThat(r.errorCode()).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
            assertThat(c.isClosedByPeer()).isTrue();
        }
        assertGatewayStillServes();
    }

    @Test
    void anOversizedFrameBeforeAuthenticationIsRefused() throws Exception {
        try (RawKafkaConnection c = new RawKafkaConnection(plaintextHost(), plaintextPort())) {
            c.writeRaw(ByteBuffer.allocate(4).putInt(600 * 1024).array());
            assertThat(c.isClosedByPeer()).isTrue();
        }
        assertGatewayStillServes();
    }

    /** As Kafka: during a re-authentication, frames are held to the 512 KiB of a first login's, and after it no longer. */
    @Test
    void anOversizedFrameDuringReauthenticationIsRefused() throws Exception {
        try (RawKafkaConnection c = new RawKafkaConnection(plaintextHost(), plaintextPort())) {
            RawSasl sasl = new RawSasl(c);
            assertThat(sasl.scramLogin("alice", "alice-secret").errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(sasl.handshake("SCRAM-SHA-512").errorCode()).isEqualTo(Errors.NONE.code());
            c.writeRaw(ByteBuffer.allocate(4).putInt(600 * 1024).array());
            assertThat(c.isClosedByPeer()).isTrue();
        }
        try (RawKafkaConnection c = new RawKafkaConnection(plaintextHost(), plaintextPort())) {
            RawSasl sasl = new RawSasl(c);
            assertThat(sasl.scramLogin("alice", "alice-secret").errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(sasl.scramLogin("alice", "alice-secret").errorCode()).as("re-authenticated").isEqualTo(Errors.NONE.code());
            c.writeRaw(ByteBuffer.allocate(4).putInt(600 * 1024).array());
            assertThat(c.isClosedByPeer()).as("the frame is awaited, not refused").isFalse();
        }
        assertGatewayStillServes();
    }

    @Test
    void anUnknownMechanismIsAnsweredWithTheEnabledOnes() throws Exception {
        try (RawKafkaConnection c = new RawKafkaConnection(plaintextHost(), plaintextPort())) {
            SaslHandshakeResponseData r = new RawSasl(c).handshake("PLAIN");
            assertThat(r.errorCode()).isEqualTo(Errors.UNSUPPORTED_SASL_MECHANISM.code());
            assertThat(r.mechanisms()).containsExactly("SCRAM-SHA-512", "SCRAM-SHA-256");
            assertThat(c.isClosedByPeer()).isTrue();
        }
    }

    @Test
    void aReplayedClientFinalMessageIsRefused() throws Exception {
        byte[] clientFirst;
        byte[] captured;
        try (RawKafkaConnection c = new RawKafkaConnection(plaintextHost(), plaintextPort())) {
            RawSasl sasl = new RawSasl(c);
            sasl.handshake("SCRAM-SHA-512");
            ScramClient client = new ScramClient(ScramMechanism.SCRAM_SHA_512, "alice", "alice-secret".toCharArray());
            clientFirst = client.firstMessage();
            SaslAuthenticateResponseData first = sasl.authenticate(clientFirst);
            captured = client.finalMessage(first.authBytes());
            assertThat(sasl.authenticate(captured).errorCode()).isEqualTo(Errors.NONE.code());
        }
        try (RawKafkaConnection c = new RawKafkaConnection(plaintextHost(), plaintextPort())) {
            RawSasl sasl = new RawSasl(c);
            sasl.handshake("SCRAM-SHA-512");
            SaslAuthenticateResponseData serverFirst = sasl.authenticate(clientFirst);
            assertThat(serverFirst.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(new String(serverFirst.authBytes(), StandardCharsets.US_ASCII))
                    .as("a fresh server nonce each session").doesNotContain(new String(captured, StandardCharsets.US_ASCII).split(",")[1]);
            SaslAuthenticateResponseData replayed = sasl.authenticate(captured);
            assertThat(replayed.errorCode()).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
            assertThat(c.isClosedByPeer()).isTrue();
        }
    }

    @Test
    void reauthenticationCannotChangeThePrincipal() throws Exception {
        try (RawKafkaConnection c = new RawKafkaConnection(plaintextHost(), plaintextPort())) {
            RawSasl sasl = new RawSasl(c);
            assertThat(sasl.scramLogin("alice", "alice-secret").errorCode()).isEqualTo(Errors.NONE.code());
            SaslAuthenticateResponseData again = sasl.scramLogin("bob", "bob-secret");
            assertThat(again.errorCode()).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
            assertThat(again.errorMessage()).contains("may not change the principal");
            assertThat(c.isClosedByPeer()).isTrue();
        }
    }

    @Test
    void aFailedReauthenticationIsAnsweredInKafkasWords() throws Exception {
        try (RawKafkaConnection c = new RawKafkaConnection(plaintextHost(), plaintextPort())) {
            RawSasl sasl = new RawSasl(c);
            assertThat(sasl.scramLogin("alice", "alice-secret").errorCode()).isEqualTo(Errors.NONE.code());
            SaslAuthenticateResponseData again = sasl.scramLogin("alice", "not-her-password");
            assertThat(again.errorCode()).isEqualTo(Errors.SASL_AUTHENTICATION_FAILED.code());
            assertThat(again.errorMessage())
                    .isEqualTo("Authentication failed during re-authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512");
            assertThat(c.isClosedByPeer()).isTrue();
        }
    }

    @Test
    void reauthenticationCannotChangeTheMechanism() throws Exception {
        try (RawKafkaConnection c = new RawKafkaConnection(plaintextHost(), plaintextPort())) {
            RawSasl sasl = new RawSasl(c);
            assertThat(sasl.scramLogin("alice", "alice-secret").errorCode()).isEqualTo(Errors.NONE.code());
            SaslHandshakeResponseData again = sasl.handshake("SCRAM-SHA-256");
            assertThat(again.errorCode()).isEqualTo(Errors.ILLEGAL_SASL_STATE.code());
            assertThat(c.isClosedByPeer()).isTrue();
        }
    }

    @Test
    void saslHandshakeV0IsFollowedByRawTokens() throws Exception {
        try (RawKafkaConnection c = new RawKafkaConnection(plaintextHost(), plaintextPort())) {
            int id = c.send(ApiKeys.SASL_HANDSHAKE, (short) 0, new org.apache.kafka.common.message.SaslHandshakeRequestData().setMechanism("SCRAM-SHA-512"));
            SaslHandshakeResponseData handshake = c.receive(ApiKeys.SASL_HANDSHAKE, (short) 0, id, a -> new SaslHandshakeResponseData(a, (short) 0));
            assertThat(handshake.errorCode()).isEqualTo(Errors.NONE.code());
            ScramClient client = new ScramClient(ScramMechanism.SCRAM_SHA_512, "bob", "bob-secret".toCharArray());
            c.sendRawFrame(client.firstMessage());
            c.sendRawFrame(client.finalMessage(c.receiveRawFrame()));
            client.verifyServerFinal(c.receiveRawFrame());
            int metadata = c.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(null));
            assertThat(c.receive(ApiKeys.METADATA.responseHeaderVersion((short) 12), metadata).remaining()).isPositive();
        }
    }

    /**
     * A client that sends requests the gateway answers itself (here ApiVersions, before logging in) and never reads
     * the answers: the gateway stops reading once the answers back up, as Kafka mutes such a channel, instead of
     * queueing answers without end; once the client reads, every answer comes, in order.
     */
    @Test
    void aClientThatDoesNotReadItsAnswersIsReadNoFurther() throws Exception {
        int requests = 100_000;
        long answeredBefore = gateway.server().stats().requests(ApiKeys.API_VERSIONS, io.warden.gateway.proxy.GatewayStats.Outcome.ANSWERED);
        ApiVersionsRequestData request = new ApiVersionsRequestData().setClientSoftwareName("raw").setClientSoftwareVersion("1");
        try (RawKafkaConnection c = new RawKafkaConnection(plaintextHost(), plaintextPort())) {
            java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < requests; i++) {
                        c.send(ApiKeys.API_VERSIONS, (short) 3, request);
                        sent.incrementAndGet();
                    }
                } catch (IOException e) {
                    // the test fails below on the missing answers
                }
            }, "unread-requests");
            writer.start();
            int last = -1;
            while (writer.isAlive() && sent.get() != last) {
                last = sent.get();
                Thread.sleep(2_000);
            }
            long answeredUnread = gateway.server().stats().requests(ApiKeys.API_VERSIONS, io.warden.gateway.proxy.GatewayStats.Outcome.ANSWERED)
                    - answeredBefore;
            assertThat(answeredUnread).as("requests answered while the client read nothing (of %d sent)", sent.get())
                    .isLessThan(requests / 4);
            for (int id = 1; id <= requests; id++) {
                ApiVersionsResponseData answer = c.receive(ApiKeys.API_VERSIONS, (short) 3, id, a -> new ApiVersionsResponseData(a, (short) 3));
                assertThat(answer.errorCode()).isEqualTo(Errors.NONE.code());
            }
            writer.join(10_000);
            assertThat(sent.get()).isEqualTo(requests);
        }
        assertGatewayStillServes();
    }

    /**
     * A broker that accepts the gateway's connection and never answers: the gateway's own request (here the
     * ApiVersions probe a client's first ApiVersions needs) gives up after {@code upstream.metadataTimeoutMs}, and
     * the client's connection is closed then, not left waiting until the idle timeout.
     */
    @Test
    void aBrokerThatNeverAnswersTheGatewaysOwnRequestIsGivenUpOn() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            List<java.net.Socket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            }, "silent-broker");
            acceptor.setDaemon(true);
            acceptor.start();
            String yaml = YAML.replace("upstream:\n", "upstream:\n  metadataTimeoutMs: 1000\n");
            try (GatewayFixture silentGateway = GatewayFixture.fromYaml(yaml, pki.dir, "127.0.0.1:" + silent.getLocalPort())) {
                String[] hostPort = silentGateway.bootstrap("sasl-plaintext").split(":");
                try (RawKafkaConnection c = new RawKafkaConnection(hostPort[0], Integer.parseInt(hostPort[1]))) {
                    c.send(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData()
                            .setClientSoftwareName("raw").setClientSoftwareVersion("1"));
                    assertThat(c.isClosedByPeer()).as("closed once the probe timed out").isTrue();
                }
            } finally {
                for (java.net.Socket s : accepted) {
                    s.close();
                }
            }
        }
    }

    /**
     * An unknown user's server-first message announces the iteration count the real users' credentials use, also
     * after the user file is replaced with credentials of another count (otherwise one message tells them apart).
     */
    @Test
    void unknownUsersFollowTheIterationCountOfAReloadedUserFile() throws Exception {
        SaslPki own = new SaslPki();
        own.addUser("carol", "carol-secret", 8192);
        try (GatewayFixture g = GatewayFixture.fromYaml(YAML, own.dir, cluster.getBootstrapServers())) {
            assertThat(serverFirstIterations(g, "carol")).isEqualTo(8192);
            assertThat(serverFirstIterations(g, "nobody")).isEqualTo(8192);
            own.addUser("carol", "carol-secret", 4096);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(serverFirstIterations(g, "carol")).isEqualTo(4096));
            assertThat(serverFirstIterations(g, "nobody")).isEqualTo(4096);
        }
    }

    /** The iteration count ({@code i=}) of the server-first message the gateway answers a client-first for this user with. */
    private static int serverFirstIterations(GatewayFixture g, String user) throws Exception {
        String[] hostPort = g.bootstrap("sasl-plaintext").split(":");
        try (RawKafkaConnection c = new RawKafkaConnection(hostPort[0], Integer.parseInt(hostPort[1]))) {
            RawSasl sasl = new RawSasl(c);
            sasl.handshake("SCRAM-SHA-512");
            SaslAuthenticateResponseData first = sasl.authenticate(("n,,n=" + user + ",r=clientnonce12345").getBytes(StandardCharsets.US_ASCII));
            assertThat(first.errorCode()).isEqualTo(Errors.NONE.code());
            for (String attribute : new String(first.authBytes(), StandardCharsets.US_ASCII).split(",")) {
                if (attribute.startsWith("i=")) {
                    return Integer.parseInt(attribute.substring(2));
                }
            }
            throw new AssertionError("no iteration count in the server-first message");
        }
    }

    /** A re-authentication begun and never finished must not keep the old session going past its lifetime. */
    @Test
    void onlySaslAuthenticateMayFollowAReauthenticationHandshake() throws Exception {
        long forwardedBefore = gateway.server().stats().requests(ApiKeys.METADATA, io.warden.gateway.proxy.GatewayStats.Outcome.FORWARDED);
        try (RawKafkaConnection c = new RawKafkaConnection(plaintextHost(), plaintextPort())) {
            RawSasl sasl = new RawSasl(c);
            assertThat(sasl.scramLogin("alice", "alice-secret").errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(sasl.handshake("SCRAM-SHA-512").errorCode()).isEqualTo(Errors.NONE.code());
            c.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(null));
            assertThat(c.isClosedByPeer()).isTrue();
        }
        assertThat(gateway.server().stats().requests(ApiKeys.METADATA, io.warden.gateway.proxy.GatewayStats.Outcome.FORWARDED))
                .as("Metadata requests forwarded").isEqualTo(forwardedBefore);
        assertGatewayStillServes();
    }

    /**
     * As Kafka's broker: the same user may re-authenticate on an open connection, but a re-authentication begun within
     * a second of the one before it is answered ILLEGAL_SASL_STATE, and the connection goes on with its session.
     */
    @Test
    void reauthenticationsAreAtLeastASecondApart() throws Exception {
        long before = gateway.server().stats().reauthentications();
        try (RawKafkaConnection c = new RawKafkaConnection(plaintextHost(), plaintextPort())) {
            RawSasl sasl = new RawSasl(c);
            assertThat(sasl.scramLogin("alice", "alice-secret").errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(sasl.scramLogin("alice", "alice-secret").errorCode()).as("first re-authentication").isEqualTo(Errors.NONE.code());
            long reauthenticated = System.nanoTime();
            assertThat(sasl.handshake("SCRAM-SHA-512").errorCode()).as("a second one at once")
                    .isEqualTo(Errors.ILLEGAL_SASL_STATE.code());
            SaslAuthenticateResponseData stray = sasl.authenticate(new byte[0]);
            assertThat(stray.errorCode()).isEqualTo(Errors.ILLEGAL_SASL_STATE.code());
            assertThat(stray.errorMessage()).isEqualTo("SaslAuthenticate request received after successful authentication");
            assertThat(gateway.server().stats().reauthentications()).isEqualTo(before + 1);
            assertMetadataServed(c);
            Thread.sleep(Math.max(0, 1_100 - (System.nanoTime() - reauthenticated) / 1_000_000));
            assertThat(sasl.scramLogin("alice", "alice-secret").errorCode()).as("one a second later").isEqualTo(Errors.NONE.code());
            assertMetadataServed(c);
        }
        assertThat(gateway.server().stats().reauthentications()).isEqualTo(before + 2);
    }

    private static void assertMetadataServed(RawKafkaConnection c) throws IOException {
        int metadata = c.send(ApiKeys.METADATA, (short) 12, new MetadataRequestData().setTopics(null));
        assertThat(c.receive(ApiKeys.METADATA.responseHeaderVersion((short) 12), metadata).remaining()).isPositive();
    }

    private void assertGatewayStillServes() {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            try (RawKafkaConnection c = new RawKafkaConnection(plaintextHost(), plaintextPort())) {
                assertThat(new RawSasl(c).scramLogin("bob", "bob-secret").errorCode()).isEqualTo(Errors.NONE.code());
            }
        });
    }
}
