package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import io.warden.certs.CertificateFiles;
import io.warden.certs.CertificateIssuer;
import io.warden.certs.IssuedCertificate;
import io.warden.certs.KeyType;
import io.warden.gateway.config.TlsConfig;
import io.warden.gateway.proxy.ConnectionInfo;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A TLS listener with required client certificates: real handshakes with the Java client and kcat, the client's
 * principal taken from its certificate, and every kind of client the listener must turn away.
 */
@ExtendWith(KafkaClusterExtension.class)
class TlsIT {

    static KafkaCluster cluster;
    static Path pki;
    static IssuedCertificate ca;
    static IssuedCertificate alice;
    static IssuedCertificate otherCa;
    static GatewayFixture gateway;

    @BeforeAll
    static void startTlsGateway() throws Exception {
        pki = Files.createTempDirectory("warden-tls-it");
        Duration year = Duration.ofDays(365);
        ca = CertificateIssuer.createCa("Test CA", year, KeyType.EC_P256);
        IssuedCertificate server = CertificateIssuer.issueServer(ca, "warden", List.of("localhost"), List.of("127.0.0.1"), year, KeyType.EC_P256);
        alice = CertificateIssuer.issueClient(ca, "alice", List.of("payments"), year, KeyType.EC_P256);
        write("ca", ca);
        write("server", server);
        write("alice", alice);
        otherCa = CertificateIssuer.createCa("Other CA", year, KeyType.EC_P256);
        write("mallory", CertificateIssuer.issueClient(otherCa, "mallory", List.of(), year, KeyType.EC_P256));
        gateway = GatewayFixture.startTls(cluster.getBootstrapServers(), new TlsConfig(
                pki.resolve("server-chain.crt"), pki.resolve("server.key"), null, null, null,
                TlsConfig.ClientAuth.REQUIRED, pki.resolve("ca.crt"), List.of("TLSv1.3", "TLSv1.2"), null));
    }

    @AfterAll
    static void stop() {
        gateway.close();
    }

    private static void write(String name, IssuedCertificate issued) {
        CertificateFiles.writeCertificates(pki.resolve(name + "-chain.crt"), issued.chain(), true);
        CertificateFiles.writeCertificates(pki.resolve(name + ".crt"), List.of(issued.certificate()), true);
        CertificateFiles.writePrivateKey(pki.resolve(name + ".key"), issued.privateKey(), true);
    }

    private static Map<String, Object> mtls(String who) throws IOException {
        Map<String, Object> c = new HashMap<>();
        c.put("security.protocol", "SSL");
        c.put("ssl.truststore.type", "PEM");
        c.put("ssl.truststore.certificates", Files.readString(pki.resolve("ca.crt")));
        c.put("ssl.keystore.type", "PEM");
        c.put("ssl.keystore.certificate.chain", Files.readString(pki.resolve(who + "-chain.crt")));
        c.put("ssl.keystore.key", Files.readString(pki.resolve(who + ".key")));
        return c;
    }

    @Test
    void javaClientsProduceAndConsumeOverMutualTlsAsTheirCertificatesPrincipal() throws Exception {
        String topic;
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            topic = Clients.createTopic(direct, 1);
        }
        Map<String, Object> tls = mtls("alice");
        try (KafkaProducer<String, String> producer = Clients.producer(gateway.bootstrap(), tls)) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(topic, "secret-" + i)).get(30, TimeUnit.SECONDS);
            }
            assertThat(gateway.server().stats().connections()).extracting(ConnectionInfo::principal)
                    .contains("User:CN=alice,OU=payments")
                    .doesNotContain("User:ANONYMOUS");
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(gateway.bootstrap(), tls)) {
            assertThat(Clients.readFromStart(consumer, topic, 20)).extracting(ConsumerRecord::value)
                    .hasSize(20).contains("secret-0", "secret-19");
        }
    }

    @Test
    void principalMappingRulesShapeThePrincipalAndUnmatchedCertificatesAreRefused() throws Exception {
        TlsConfig mapped = new TlsConfig(pki.resolve("server-chain.crt"), pki.resolve("server.key"), null, null, null,
                TlsConfig.ClientAuth.REQUIRED, pki.resolve("ca.crt"), List.of("TLSv1.3"),
                io.warden.authn.CertificatePrincipals.fromRules("RULE:^CN=(.*?),OU=payments$/$1@payments/"));
        try (GatewayFixture withRules = GatewayFixture.startTls(cluster.getBootstrapServers(), mapped)) {
            Map<String, Object> aliceTls = mtls("alice");
            aliceTls.put("bootstrap.servers", withRules.bootstrap());
            try (Admin admin = Admin.create(aliceTls)) {
                assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).isNotEmpty();
                assertThat(withRules.server().stats().connections()).extracting(ConnectionInfo::principal)
                        .isNotEmpty().allMatch("User:alice@payments"::equals);
            }
            // A certificate from the right CA that no rule maps is refused, as Kafka refuses it.
            IssuedCertificate bob = CertificateIssuer.issueClient(ca, "bob", List.of("marketing"), Duration.ofDays(1), KeyType.EC_P256);
            write("bob", bob);
            long refusedBefore = withRules.server().stats().refusedConnections();
            assertRefused(withRules, "bob");
            assertThat(withRules.server().stats().refusedConnections()).isGreaterThan(refusedBefore);
        }
    }

    /** A client with {@code who}'s certificate gets no answer from {@code gateway}: its connections are refused. */
    private static void assertRefused(GatewayFixture gateway, String who) throws IOException {
        Map<String, Object> tls = mtls(who);
        tls.put("bootstrap.servers", gateway.bootstrap());
        tls.put("request.timeout.ms", 3000);
        tls.put("default.api.timeout.ms", 6000);
        try (Admin admin = Admin.create(tls)) {
            assertThat(admin.describeCluster().nodes().toCompletionStage().toCompletableFuture())
                    .failsWithin(Duration.ofSeconds(30));
        }
    }

    /** A certificate no mapping rule matches is a failed login, and audited as one. */
    @Test
    void anUnmappedCertificateIsAuditedAsAFailedLogin() throws Exception {
        java.security.KeyPair keys = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Files.writeString(pki.resolve("audit-key.pem"), "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(keys.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n");
        write("carol", CertificateIssuer.issueClient(ca, "carol", List.of("marketing"), Duration.ofDays(1), KeyType.EC_P256));
        Path dir = pki.resolve("audit-unmapped");
        try (GatewayFixture withRules = GatewayFixture.fromYaml("""
                listeners:
                  - name: mtls
                    bootstrapPort: ${BOOTSTRAP_PORT}
                    brokerPorts: ${BROKER_PORTS}
                    tls:
                      certificate: server-chain.crt
                      key: server.key
                      clientAuth: required
                      trustedCertificates: ca.crt
                      principalMappingRules: "RULE:^CN=(.*?),OU=payments$/$1@payments/"
                upstream:
                  bootstrapServers: ["${UPSTREAM}"]
                audit:
                  file: {directory: audit-unmapped, signingKey: audit-key.pem}
                """, pki, cluster.getBootstrapServers())) {
            assertRefused(withRules, "carol");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(io.warden.audit.AuditQuery
                    .find(dir, io.warden.audit.AuditQuery.Filter.all()))
                    .filteredOn(e -> e.path("unmapped").path("event_type").asText().equals("authentication_failure"))
                    .isNotEmpty()
                    .allSatisfy(e -> {
                        assertThat(e.path("unmapped").path("details").path("mechanism").asText()).isEqualTo("SSL");
                        assertThat(e.path("status_detail").asText()).isEqualTo("client certificate matches no principal mapping rule");
                    }));
        }
    }

    @Test
    void kcatSpeaksTlsWithItsClientCertificate() throws Exception {
        String topic;
        try (Admin direct = Clients.admin(cluster.getBootstrapServers())) {
            topic = Clients.createTopic(direct, 1);
        }
        List<String> tls = List.of("-X", "security.protocol=ssl", "-X", "ssl.ca.location=" + pki.resolve("ca.crt"),
                "-X", "ssl.certificate.location=" + pki.resolve("alice-chain.crt"), "-X", "ssl.key.location=" + pki.resolve("alice.key"));
        String metadata = kcat(tls, null, "-L");
        assertThat(metadata).contains("broker 0 at 127.0.0.1:" + gateway.listener().portForNode(0).getAsInt());
        kcat(tls, "over-tls\n", "-t", topic, "-P");
        assertThat(kcat(tls, null, "-t", topic, "-C", "-o", "beginning", "-e", "-q")).contains("over-tls");
    }

    @Test
    void plaintextClientOnTheTlsPortIsRefused() throws Exception {
        try (RawKafkaConnection c = new RawKafkaConnection("127.0.0.1", gateway.bootstrapPort())) {
            c.send(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData().setClientSoftwareName("raw").setClientSoftwareVersion("1"));
            assertThat(c.isClosedByPeer()).isTrue();
        }
        assertStillServing();
    }

    @Test
    void clientWithoutACertificateIsRefused() throws Exception {
        assertHandshakeRefused(sslContext(null));
        assertStillServing();
    }

    @Test
    void clientWithAnExpiredCertificateIsRefused() throws Exception {
        IssuedCertificate expired = CertificateIssuer.issueClient(ca, "expired", List.of(), Duration.ofSeconds(1), KeyType.EC_P256);
        write("expired", expired);
        await().atMost(Duration.ofSeconds(10)).until(() -> expired.certificate().getNotAfter().toInstant().isBefore(java.time.Instant.now()));
        assertHandshakeRefused(sslContext("expired"));
        assertStillServing();
    }

    @Test
    void clientOfferingOnlyTls11IsRefusedByTheServer() throws Exception {
        // OpenSSL can still offer TLS 1.1 (at security level 0); the JDK client cannot, so it would prove nothing.
        Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + gateway.bootstrapPort(),
                "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", "-CAfile", pki.resolve("ca.crt").toString(),
                "-cert", pki.resolve("alice.crt").toString(), "-key", pki.resolve("alice.key").toString())
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isNotZero();
        // The refusal came from the server, as a TLS alert, not from the client giving up locally.
        assertThat(out).as(out).containsIgnoringCase("alert protocol version");
        assertStillServing();
    }

    @Test
    void clientWithACertificateFromAnotherCaIsRefused() throws Exception {
        assertHandshakeRefused(sslContext("mallory"));
        assertStillServing();
    }

    @Test
    void clientPresentingACertificateIssuedForServersIsRefused() throws Exception {
        // Signed by the trusted CA, but its extended key usage is serverAuth only: not for a TLS client.
        write("server-as-client", CertificateIssuer.issueServer(ca, "impostor", List.of("localhost"), List.of(),
                Duration.ofDays(1), KeyType.EC_P256));
        assertHandshakeRefused(sslContext("server-as-client"));
        assertStillServing();
    }

    @Test
    void replacedCertificateAndCaFilesApplyToNewConnectionsWithoutARestart() throws Exception {
        Path live = Files.createTempDirectory(pki, "live");
        try (GatewayFixture g = GatewayFixture.startTls(cluster.getBootstrapServers(), reloadingEverySecond(live))) {
            Map<String, Object> aliceTls = mtls("alice");
            aliceTls.put("bootstrap.servers", g.bootstrap());
            try (Admin open = Admin.create(aliceTls)) {
                assertThat(open.describeCluster().nodes().get(30, TimeUnit.SECONDS)).isNotEmpty();
                assertThat(serverSubject(g, "alice")).isEqualTo("CN=warden");
                assertHandshakeRefused(sslContext("mallory"), g.bootstrapPort());

                // Rotate: a new server certificate, and a CA bundle that now also trusts the other CA.
                IssuedCertificate rotated = CertificateIssuer.issueServer(ca, "warden-rotated", List.of("localhost"),
                        List.of("127.0.0.1"), Duration.ofDays(30), KeyType.EC_P256);
                replace(live.resolve("server.key"), f -> CertificateFiles.writePrivateKey(f, rotated.privateKey(), true));
                replace(live.resolve("server-chain.crt"), f -> CertificateFiles.writeCertificates(f, rotated.chain(), true));
                replace(live.resolve("ca.crt"), f -> CertificateFiles.writeCertificates(f, List.of(ca.certificate(), otherCa.certificate()), true));

                await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                        .until(() -> serverSubject(g, "alice").equals("CN=warden-rotated"));
                assertThat(serverSubject(g, "mallory")).isEqualTo("CN=warden-rotated");
                // The connection opened before the swap is still served.
                assertThat(open.describeCluster().nodes().get(30, TimeUnit.SECONDS)).isNotEmpty();

                // A broken edit (a key that is not the certificate's) is rejected; the last good files stay in use.
                replace(live.resolve("server.key"), f -> CertificateFiles.writePrivateKey(f, alice.privateKey(), true));
                Thread.sleep(3_000);
                assertThat(serverSubject(g, "alice")).isEqualTo("CN=warden-rotated");
            }
        }
    }

    @Test
    void aReplacementCertificateOutsideItsValidityIsRejected() throws Exception {
        Path live = Files.createTempDirectory(pki, "live");
        try (GatewayFixture g = GatewayFixture.startTls(cluster.getBootstrapServers(), reloadingEverySecond(live))) {
            IssuedCertificate expired = CertificateIssuer.issueServer(ca, "warden-expired", List.of("localhost"),
                    List.of("127.0.0.1"), Duration.ofSeconds(1), KeyType.EC_P256);
            await().atMost(Duration.ofSeconds(10)).until(() -> expired.certificate().getNotAfter().toInstant().isBefore(java.time.Instant.now()));
            replace(live.resolve("server.key"), f -> CertificateFiles.writePrivateKey(f, expired.privateKey(), true));
            replace(live.resolve("server-chain.crt"), f -> CertificateFiles.writeCertificates(f, expired.chain(), true));
            Thread.sleep(3_000);
            assertThat(serverSubject(g, "alice")).isEqualTo("CN=warden");
        }
    }

    @Test
    void theAdminApisReplacedCertificateIsServedWithoutARestart() throws Exception {
        Path live = Files.createTempDirectory(pki, "admin-live");
        reloadingEverySecond(live);
        int adminPort = GatewayFixture.freeRange(1);
        try (GatewayFixture g = GatewayFixture.fromYaml("""
                listeners:
                  - bootstrapPort: ${BOOTSTRAP_PORT}
                    brokerPorts: ${BROKER_PORTS}
                admin:
                  port: %d
                  tls: {certificate: server-chain.crt, key: server.key, reloadCheckSeconds: 1}
                upstream:
                  bootstrapServers: ["${UPSTREAM}"]
                """.formatted(adminPort), live, cluster.getBootstrapServers())) {
            assertThat(serverSubject(g.server().adminPort(), "alice")).isEqualTo("CN=warden");
            IssuedCertificate rotated = CertificateIssuer.issueServer(ca, "warden-admin-rotated", List.of("localhost"),
                    List.of("127.0.0.1"), Duration.ofDays(30), KeyType.EC_P256);
            replace(live.resolve("server.key"), f -> CertificateFiles.writePrivateKey(f, rotated.privateKey(), true));
            replace(live.resolve("server-chain.crt"), f -> CertificateFiles.writeCertificates(f, rotated.chain(), true));
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> serverSubject(g.server().adminPort(), "alice").equals("CN=warden-admin-rotated"));
        }
    }

    @Test
    void aListenerOffersOnlyTheCipherSuitesItIsGiven() throws Exception {
        try (GatewayFixture g = withTls("protocols: [TLSv1.3], cipherSuites: [TLS_AES_256_GCM_SHA384], engine: jdk")) {
            assertThat(negotiated(g, "TLSv1.3", "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384")).isEqualTo("TLS_AES_256_GCM_SHA384");
            assertThatThrownBy(() -> negotiated(g, "TLSv1.3", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"))
                    .as("a client offering only other suites").isInstanceOf(IOException.class);
        }
    }

    @Test
    void theOpenSslEngineOffersOnlyTheTls12SuitesItIsGiven() throws Exception {
        try (GatewayFixture g = withTls("protocols: [TLSv1.2], engine: openssl, cipherSuites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]")) {
            assertThat(negotiated(g, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"))
                    .isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
            assertThatThrownBy(() -> negotiated(g, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"))
                    .as("a client offering only other suites").isInstanceOf(IOException.class);
        }
    }

    /**
     * A CA with an Ed25519 key: the JDK engine accepts the client certificates it signed, the OpenSSL engine fails
     * every such handshake with a bare internal_error alert, so on OpenSSL the listener is refused at load.
     */
    @Test
    void aCaWithAnEd25519KeyIsTrustedOnTheJdkEngineAndRefusedAtLoadOnOpenSsl() throws Exception {
        java.security.KeyPair keys = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        org.bouncycastle.asn1.x500.X500Name name = new org.bouncycastle.asn1.x500.X500Name("CN=Ed25519 CA");
        java.time.Instant now = java.time.Instant.now();
        var builder = new org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder(name, java.math.BigInteger.ONE,
                java.util.Date.from(now.minusSeconds(60)), java.util.Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic());
        builder.addExtension(org.bouncycastle.asn1.x509.Extension.basicConstraints, true, new org.bouncycastle.asn1.x509.BasicConstraints(true));
        IssuedCertificate edCa = new IssuedCertificate(new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(
                builder.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("Ed25519").build(keys.getPrivate()))),
                keys.getPrivate(), List.of());
        write("edna", CertificateIssuer.issueClient(edCa, "edna", List.of(), Duration.ofDays(1), KeyType.EC_P256));
        Path trusted = pki.resolve("ed25519-ca.crt");
        CertificateFiles.writeCertificates(trusted, List.of(edCa.certificate()), true);

        try (GatewayFixture jdk = withTls("clientAuth: required, trustedCertificates: " + trusted + ", engine: jdk")) {
            assertThat(requestAfterHandshake(jdk.bootstrapPort(), "edna")).isEqualTo("handshake completed");
        }
        assertThatThrownBy(() -> withTls("clientAuth: required, trustedCertificates: " + trusted + ", engine: openssl"))
                .hasMessageContaining("tls.trustedCertificates: " + trusted + ": the certificate 'CN=Ed25519 CA' has an Ed25519 key");
        // Why: the same files on OpenSSL, started without the configuration's checks.
        TlsConfig openSsl = new TlsConfig(pki.resolve("server-chain.crt"), pki.resolve("server.key"), null, null, null,
                TlsConfig.ClientAuth.REQUIRED, trusted, List.of("TLSv1.3"), null, null, null, TlsConfig.Engine.OPENSSL);
        try (GatewayFixture g = GatewayFixture.startTls(cluster.getBootstrapServers(), openSsl)) {
            assertThat(requestAfterHandshake(g.bootstrapPort(), "edna")).contains("internal_error");
        }
    }

    /** What a client with {@code who}'s certificate sees: "handshake completed", or the TLS failure it got. */
    private static String requestAfterHandshake(int port, String who) throws Exception {
        try (SSLSocket s = (SSLSocket) sslContext(who).getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            // TLS 1.3 reports a rejected client certificate after the client's side of the handshake: a read gets it.
            s.getOutputStream().write(new byte[] {0, 0, 0, 1, 0});
            s.getOutputStream().flush();
            s.getInputStream().read();
            return "handshake completed";
        } catch (javax.net.ssl.SSLException e) {
            return e.getMessage();
        }
    }

    /** A gateway whose one listener serves the test PKI's server files with these further TLS settings. */
    private GatewayFixture withTls(String settings) throws Exception {
        Path dir = Files.createTempDirectory(pki, "tls-settings");
        reloadingEverySecond(dir);
        return GatewayFixture.fromYaml("""
                listeners:
                  - bootstrapPort: ${BOOTSTRAP_PORT}
                    brokerPorts: ${BROKER_PORTS}
                    tls: {certificate: server-chain.crt, key: server.key, %s}
                upstream:
                  bootstrapServers: ["${UPSTREAM}"]
                """.formatted(settings), dir, cluster.getBootstrapServers());
    }

    /** The cipher suite a client offering only {@code suites} over {@code protocol} gets; an IOException if none. */
    private static String negotiated(GatewayFixture g, String protocol, String... suites) throws Exception {
        try (SSLSocket s = (SSLSocket) sslContext("alice").getSocketFactory().createSocket("127.0.0.1", g.bootstrapPort())) {
            s.setSoTimeout(10_000);
            s.setEnabledProtocols(new String[] {protocol});
            s.setEnabledCipherSuites(suites);
            s.startHandshake();
            return s.getSession().getCipherSuite();
        }
    }

    /** The test PKI's server files copied to {@code live}, checked for changes every second. */
    private static TlsConfig reloadingEverySecond(Path live) throws IOException {
        Files.copy(pki.resolve("server-chain.crt"), live.resolve("server-chain.crt"));
        Files.copy(pki.resolve("server.key"), live.resolve("server.key"));
        Files.copy(pki.resolve("ca.crt"), live.resolve("ca.crt"));
        return new TlsConfig(live.resolve("server-chain.crt"), live.resolve("server.key"), null, null, null,
                TlsConfig.ClientAuth.REQUIRED, live.resolve("ca.crt"), List.of("TLSv1.3"), null,
                Duration.ofSeconds(1), Duration.ofDays(30));
    }

    /** Writes the new content beside the file, then moves it into place in one step, as deployment tools do. */
    private static void replace(Path file, java.util.function.Consumer<Path> writer) throws IOException {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        writer.accept(next);
        Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The subject of the certificate the gateway presents to a new connection. */
    private static String serverSubject(GatewayFixture g, String client) throws Exception {
        return serverSubject(g.bootstrapPort(), client);
    }

    private static String serverSubject(int port, String client) throws Exception {
        try (SSLSocket s = (SSLSocket) sslContext(client).getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            return ((java.security.cert.X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
        }
    }

    /** The refused attempts left nothing open, and a proper client still gets in. */
    private static void assertStillServing() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> gateway.server().stats().openClientConnections() == 0);
        try (Admin admin = Admin.create(withBootstrap(mtls("alice")))) {
            assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).isNotEmpty();
        }
    }

    private static Map<String, Object> withBootstrap(Map<String, Object> c) {
        c.put("bootstrap.servers", gateway.bootstrap());
        return c;
    }

    private static void assertHandshakeRefused(SSLContext context) throws Exception {
        assertHandshakeRefused(context, gateway.bootstrapPort());
    }

    private static void assertHandshakeRefused(SSLContext context, int port) throws Exception {
        try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            boolean refused;
            try {
                s.startHandshake();
                // TLS 1.3 reports a rejected client certificate after the client's side of the handshake.
                s.getOutputStream().write(new byte[] {0, 0, 0, 1, 0});
                s.getOutputStream().flush();
                refused = s.getInputStream().read() < 0;
            } catch (IOException e) {
                refused = true;
            }
            assertThat(refused).as("handshake refused").isTrue();
        }
    }

    private static SSLContext sslContext(String clientName) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        javax.net.ssl.KeyManager[] keyManagers = null;
        if (clientName != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            char[] pw = "test-only".toCharArray();
            keys.setKeyEntry("k", CertificateFiles.readPrivateKey(pki.resolve(clientName + ".key")), pw,
                    CertificateFiles.readCertificates(pki.resolve(clientName + "-chain.crt")).toArray(java.security.cert.Certificate[]::new));
            javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, pw);
            keyManagers = kmf.getKeyManagers();
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(keyManagers, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static String kcat(List<String> tls, String stdin, String... args) throws Exception {
        List<String> all = new ArrayList<>(tls);
        all.addAll(List.of(args));
        ExternalProcess.Result r = Kcat.run(gateway.bootstrap(), stdin, all);
        assertThat(r.exit()).as(r.output()).isZero();
        return r.output();
    }

}
