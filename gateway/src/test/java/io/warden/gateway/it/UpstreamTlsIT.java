package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.common.Tls;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import io.warden.certs.CertificateFiles;
import io.warden.certs.CertificateIssuer;
import io.warden.certs.KeyType;
import io.warden.gateway.config.UpstreamTlsConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Brokers reached over TLS: the gateway verifies them (CA and host name) for proxied and its own connections. */
@ExtendWith(KafkaClusterExtension.class)
class UpstreamTlsIT {

    @Tls
    static KafkaCluster cluster;
    static Path brokerCa;

    @BeforeAll
    static void exportTheBrokersCa() throws Exception {
        Map<String, Object> c = cluster.getKafkaClientConfiguration();
        KeyStore trust = KeyStore.getInstance("JKS");
        try (InputStream in = Files.newInputStream(Path.of((String) c.get("ssl.truststore.location")))) {
            trust.load(in, ((String) c.get("ssl.truststore.password")).toCharArray());
        }
        List<X509Certificate> cas = new ArrayList<>();
        for (String alias : Collections.list(trust.aliases())) {
            cas.add((X509Certificate) trust.getCertificate(alias));
        }
        brokerCa = Files.createTempDirectory("warden-upstream-tls").resolve("broker-ca.crt");
        CertificateFiles.writeCertificates(brokerCa, cas, true);
    }

    @Test
    void clientsReachTlsBrokersThroughThePlaintextGatewayWithVerifiedBrokers() throws Exception {
        try (GatewayFixture gateway = GatewayFixture.startWithUpstreamTls(cluster.getBootstrapServers(),
                new UpstreamTlsConfig(brokerCa, null, null, true))) {
            String topic = Clients.createTopic(gateway.admin(), 1);
            try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), Map.of())) {
                producer.send(new ProducerRecord<>(topic, "to-a-tls-broker")).get(30, TimeUnit.SECONDS);
            }
            try (KafkaConsumer<String, String> consumer = Clients.consumer(gateway.bootstrap(), Map.of())) {
                assertThat(Clients.readFromStart(consumer, topic, 1)).extracting(ConsumerRecord::value).containsExactly("to-a-tls-broker");
            }
            // The gateway's own lookups (Admin client) speak TLS too: an id no client asked about resolves.
            Map<String, Object> direct = new HashMap<>(cluster.getKafkaClientConfiguration());
            Uuid id;
            try (Admin admin = Admin.create(direct)) {
                String other = Clients.createTopic(admin, 1);
                id = admin.describeTopics(List.of(other)).allTopicNames().get(30, TimeUnit.SECONDS).get(other).topicId();
                assertThat(gateway.server().topicNames().resolve(id).toCompletableFuture().get(30, TimeUnit.SECONDS)).contains(other);
            }
        }
    }

    @Test
    void brokersWithCertificatesFromAnUntrustedCaAreNotReached() throws Exception {
        Path wrongCa = brokerCa.resolveSibling("wrong-ca.crt");
        CertificateFiles.writeCertificates(wrongCa, List.of(CertificateIssuer.createCa("Not the brokers' CA",
                Duration.ofDays(1), KeyType.EC_P256).certificate()), true);
        try (GatewayFixture gateway = GatewayFixture.startWithUpstreamTls(cluster.getBootstrapServers(),
                new UpstreamTlsConfig(wrongCa, null, null, true));
             Admin admin = Admin.create(Map.of("bootstrap.servers", gateway.bootstrap(),
                     "request.timeout.ms", 3000, "default.api.timeout.ms", 6000))) {
            assertThat(admin.describeCluster().nodes().toCompletionStage().toCompletableFuture())
                    .failsWithin(Duration.ofSeconds(30));
            assertThat(gateway.server().stats().openUpstreamConnections()).isZero();
        }
    }
}
