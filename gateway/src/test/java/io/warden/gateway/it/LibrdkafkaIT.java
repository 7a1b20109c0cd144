package io.warden.gateway.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import io.warden.certs.CertificateFiles;
import io.warden.certs.CertificateIssuer;
import io.warden.certs.IssuedCertificate;
import io.warden.certs.KeyType;
import io.kroxylicious.testing.kafka.api.TerminationStyle;
import io.kroxylicious.testing.kafka.common.BrokerCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A current librdkafka (2.12, built by node-rdkafka from the source it ships), the C client under kcat and the
 * Python, Go, .NET and Node.js bindings, where Debian's kcat links 2.0.2. Over SASL_SSL with SCRAM-SHA-512 (the
 * client-final nonce as Kafka 4 expects it, so the gateway's allowance for older librdkafka is switched off), PLAIN
 * and OAUTHBEARER, and with a client certificate (the principal mapped from its CN), under a policy: metadata,
 * produce with every codec, a refused topic, a committed and an aborted transaction, and consumer groups of both
 * protocols, the classic one and KIP-848's; KIP-368 re-authentication on an open connection; and a broker restart
 * under a producer and a consumer. The script is {@code src/test/node/librdkafka.js};
 * {@code .ci/install-test-tools} installs what its build needs.
 */
@ExtendWith(KafkaClusterExtension.class)
class LibrdkafkaIT {

    static final String POLICY = """
            acls:
              - principal: User:rd
                operations: [read, write, describe]
                topics: {prefix: rd.}
              - principal: User:rd
                operations: [describe]
                topics: [rd-denied]
              - principal: User:rd
                operations: [read, describe]
                groups: {prefix: rd-}
              - principal: User:rd
                operations: [write, describe]
                transactionalIds: {prefix: rd-}
            """;

    /** A SASL_SSL listener, and an mTLS one whose principal is the certificate's CN ({@code User:rd}). */
    static final String YAML = SaslPki.SCRAM_SHA_512_LISTENER.replace("[SCRAM-SHA-512]", "[SCRAM-SHA-512, PLAIN, OAUTHBEARER]") + """
              - name: mtls
                bootstrapPort: ${BOOTSTRAP_PORT_2}
                brokerPorts: ${BROKER_PORTS_2}
                tls:
                  certificate: server-chain.crt
                  key: server.key
                  clientAuth: required
                  trustedCertificates: ca.crt
                  principalMappingRules: "RULE:^CN=([^,]+),OU=librdkafka$/$1/"
            authentication:
              users: {file: users.txt}
              oauthBearer: {jwksFile: jwks.json, issuer: "https://issuer.warden.test", audience: kafka}
              allowLegacyScramNonce: false
            authorization:
              policyFile: policy.yaml
            upstream:
              bootstrapServers: ["${UPSTREAM}"]
            """;

    static final int PARTITIONS = 3;
    /** The topics rd may use: one per way of logging in, and one per mechanism for the re-authentication test. */
    static final List<String> TOPICS = List.of("rd.scram-sha-512", "rd.plain", "rd.oauthbearer", "rd.mtls",
            "rd.steady-scram-sha-512", "rd.steady-oauthbearer");

    static KafkaCluster cluster;
    static SaslPki pki;

    @BeforeAll
    static void start() throws Exception {
        pki = SaslPki.withUsersAndPolicy(POLICY, "rd");
        IssuedCertificate client = CertificateIssuer.issueClient(pki.ca, "rd", List.of("librdkafka"), Duration.ofDays(1), KeyType.EC_P256);
        CertificateFiles.writeCertificates(pki.dir.resolve("rd.crt"), client.chain(), true);
        CertificateFiles.writePrivateKey(pki.dir.resolve("rd.key"), client.privateKey(), true);
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            for (String name : TOPICS) {
                Clients.createTopic(direct, name, name.startsWith("rd.steady-") ? 1 : PARTITIONS, (short) 1);
            }
            Clients.createTopic(direct, "rd-denied", 1, (short) 1);
            Clients.createTopic(direct, "hidden", 1, (short) 1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"SCRAM-SHA-512", "PLAIN", "OAUTHBEARER", "mTLS"})
    void producesWithEveryCodecAndInTransactionsAndConsumesWithBothGroupProtocols(String mechanism) throws Exception {
        String name = mechanism.toLowerCase(Locale.ROOT);
        int count = 100;
        try (GatewayFixture gateway = GatewayFixture.fromYaml(YAML, pki.dir, cluster.getBootstrapServers())) {
            Map<String, Object> settings = settings(gateway, mechanism);
            settings.putAll(Map.of("topic", "rd." + name, "deniedTopic", "rd-denied", "count", count,
                    "transactionalId", "rd-tx-" + name,
                    "groups", List.of(Map.of("id", "rd-" + name + "-kip848", "protocol", "consumer"),
                            Map.of("id", "rd-" + name + "-classic", "protocol", "classic"))));
            JsonNode out = run(settings);

            assertThat(out.get("librdkafka").asText()).isEqualTo("2.12.0");
            String listener = mechanism.equals("mTLS") ? "mtls" : "sasl-ssl";
            assertThat(ExternalProcess.texts(out.get("brokers"))).isNotEmpty()
                    .allMatch(address -> gateway.isGatewayAddress(listener, address));
            // "hidden" is not described to rd; rd-denied is, and writing to it is refused
            List<String> described = new ArrayList<>(TOPICS);
            described.add("rd-denied");
            assertThat(ExternalProcess.texts(out.get("topics"))).containsExactlyInAnyOrderElementsOf(described);
            assertThat(out.get("denied").asText()).isEqualToIgnoringCase("topic authorization failed");
            assertThat(ExternalProcess.texts(out.get("deliveryErrors"))).isEmpty();
            List<String> produced = new ArrayList<>();
            for (String codec : List.of("none", "gzip", "snappy", "lz4", "zstd")) {
                for (int i = 0; i < count; i++) {
                    produced.add(codec + "-" + i);
                }
            }
            assertThat(out.get("produced").asInt()).isEqualTo(produced.size());
            assertThat(out.get("transactions").asText()).isEqualTo("done");
            // the committed transaction's records and none of the aborted one's (librdkafka reads committed records)
            for (int i = 0; i < 5; i++) {
                produced.add("committed-" + i);
            }
            for (String protocol : List.of("consumer", "classic")) {
                JsonNode consumer = out.get("consumed").get(protocol);
                assertThat(ExternalProcess.texts(consumer.get("values"))).as(protocol)
                        .containsExactlyInAnyOrderElementsOf(produced);
                assertThat(consumer.get("assignment")).as(protocol).hasSize(PARTITIONS);
                assertThat(ExternalProcess.texts(consumer.get("errors"))).as(protocol).isEmpty();
            }
            assertThat(gateway.server().stats().legacyScramNonces()).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"SCRAM-SHA-512", "OAUTHBEARER"})
    void reauthenticatesOnItsOpenConnectionBeforeTheSessionLapses(String mechanism) throws Exception {
        String yaml = YAML.replace("  allowLegacyScramNonce: false\n", "  allowLegacyScramNonce: false\n  sessionLifetimeSeconds: 3\n");
        try (GatewayFixture gateway = GatewayFixture.fromYaml(yaml, pki.dir, cluster.getBootstrapServers())) {
            Map<String, Object> settings = settings(gateway, mechanism);
            settings.putAll(Map.of("topic", "rd.steady-" + mechanism.toLowerCase(Locale.ROOT), "steadySeconds", 8));
            JsonNode out = run(settings);

            // a record every 200 ms for 8 s, each acknowledged, across two or more lapses of a 3 s session
            assertThat(out.get("sent").asInt()).isGreaterThan(20);
            assertThat(out.get("delivered").asInt()).isEqualTo(out.get("sent").asInt());
            assertThat(ExternalProcess.texts(out.get("failures"))).isEmpty();
            assertThat(ExternalProcess.texts(out.get("clientErrors"))).isEmpty();
            assertThat(gateway.server().stats().reauthentications()).isGreaterThanOrEqualTo(2);
        }
    }

    /**
     * A broker stopped and restarted under a running producer and consumer group member, as {@link BrokerRestartIT}
     * does with the Java clients: librdkafka rides through on its own retries, loses no acknowledged record, and
     * reaches the restarted broker through its gateway port once it leads again.
     */
    @Test
    void ridesThroughABrokerRestart(@BrokerCluster(numBrokers = 3) KafkaCluster three) throws Exception {
        try (GatewayFixture gateway = GatewayFixture.start(three.getBootstrapServers());
             Admin admin = Clients.admin(gateway.bootstrap())) {
            String topic = "rd.restart";
            // node 2 is a broker only (node 0 hosts the controller), and leads partition 2
            Clients.createTopicLedByEachNode(admin, topic);
            Path dir = Files.createTempDirectory("warden-librdkafka");
            Path progress = dir.resolve("progress.json");
            Map<String, Object> settings = Map.of("brokers", gateway.bootstrap(), "topic", topic, "groupId", "rd-restart",
                    "progressFile", progress.toString(), "stopFile", dir.resolve("stop").toString());
            CompletableFuture<JsonNode> client = CompletableFuture.supplyAsync(() -> {
                try {
                    return run(settings);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> progress(progress, "consumed") > 100);

            three.stopNodes(id -> id == 2, TerminationStyle.ABRUPT);
            int ackedAtStop = progress(progress, "acked");
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> progress(progress, "acked") > ackedAtStop + 200);
            three.startNodes(id -> id == 2);
            Clients.awaitPreferredLeader(admin, new TopicPartition(topic, 2), 2);
            int ackedAtRestart = progress(progress, "acked");
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> progress(progress, "acked") > ackedAtRestart + 200);
            Files.writeString(dir.resolve("stop"), "");

            JsonNode out = client.get(180, TimeUnit.SECONDS);
            assertThat(ExternalProcess.texts(out.get("failures"))).as(out.toString()).isEmpty();
            assertThat(out.get("acked").asInt()).as(out.toString()).isEqualTo(out.get("sent").asInt());
            assertThat(ExternalProcess.texts(out.get("missing"))).as(out.toString()).isEmpty();
            try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), Map.of())) {
                assertThat(producer.send(new ProducerRecord<>(topic, 2, null, "to-node-2")).get(30, TimeUnit.SECONDS).offset())
                        .isNotNegative();
            }
        }
    }

    /** A count from the progress file the script writes while it produces and consumes. */
    static int progress(Path file, String count) throws Exception {
        return new ObjectMapper().readTree(Files.readString(file)).get(count).asInt();
    }

    /**
     * The gateway's address and librdkafka's TLS and login settings for user rd with this SASL mechanism, or with its
     * client certificate on the mTLS listener.
     */
    static Map<String, Object> settings(GatewayFixture gateway, String mechanism) throws Exception {
        Map<String, Object> security = new HashMap<>(Map.of("ssl.ca.location", path("ca.crt")));
        Map<String, Object> settings = new HashMap<>(Map.of("brokers", gateway.bootstrap(), "security", security));
        switch (mechanism) {
            case "mTLS" -> {
                settings.put("brokers", gateway.bootstrap("mtls"));
                security.putAll(Map.of("security.protocol", "ssl", "ssl.certificate.location", path("rd.crt"),
                        "ssl.key.location", path("rd.key")));
            }
            case "OAUTHBEARER" -> {
                security.putAll(Map.of("security.protocol", "sasl_ssl", "sasl.mechanisms", mechanism));
                settings.put("token", pki.token("rd", Duration.ofMinutes(10)));
            }
            default -> security.putAll(Map.of("security.protocol", "sasl_ssl", "sasl.mechanisms", mechanism,
                    "sasl.username", "rd", "sasl.password", "rd-secret"));
        }
        return settings;
    }

    static String path(String file) {
        return pki.dir.resolve(file).toAbsolutePath().toString();
    }

    /** Runs the librdkafka script with these settings and returns what it printed. */
    static JsonNode run(Map<String, Object> settings) throws Exception {
        return ExternalProcess.script("node", "librdkafka.js", KafkajsIT.NODE_DIR, settings, 180);
    }
}
