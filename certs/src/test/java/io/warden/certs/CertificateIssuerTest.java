package io.warden.certs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CertificateIssuerTest {

    private static final Duration YEAR = Duration.ofDays(365);

    @Test
    void serverAndClientCertificatesChainToTheCa() throws Exception {
        IssuedCertificate ca = CertificateIssuer.createCa("Test CA", YEAR, KeyType.EC_P256);
        IssuedCertificate server = CertificateIssuer.issueServer(ca, "warden", List.of("localhost", "warden.example.com"),
                List.of("127.0.0.1", "::1"), YEAR, KeyType.EC_P256);
        IssuedCertificate client = CertificateIssuer.issueClient(ca, "alice", List.of("payments"), YEAR, KeyType.EC_P256);

        assertThat(ca.certificate().getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(server.certificate().getBasicConstraints()).isEqualTo(-1);
        validate(server, ca);
        validate(client, ca);
        assertThat(server.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(client.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(server.certificate().getSubjectAlternativeNames().stream().map(n -> String.valueOf(n.get(1))).toList())
                .containsExactlyInAnyOrder("localhost", "warden.example.com", "127.0.0.1", "0:0:0:0:0:0:0:1");
        // The principal Kafka derives from this certificate by default: User: + RFC 2253 subject.
        assertThat(client.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=alice,OU=payments");
        assertThat(server.chain()).containsExactly(server.certificate(), ca.certificate());
    }

    @Test
    void rsaKeysAreThreeThousandSeventyTwoBits() {
        IssuedCertificate ca = CertificateIssuer.createCa("RSA CA", YEAR, KeyType.RSA_3072);
        IssuedCertificate client = CertificateIssuer.issueClient(ca, "bob", List.of(), YEAR, KeyType.RSA_3072);
        assertThat(((RSAKey) client.certificate().getPublicKey()).getModulus().bitLength()).isEqualTo(3072);
        assertThat(client.certificate().getSigAlgName()).isEqualTo("SHA256withRSA");
    }

    @Test
    void refusesServerCertificatesWithoutNamesAndHostNamesAsIps() {
        IssuedCertificate ca = CertificateIssuer.createCa("CA", YEAR, KeyType.EC_P256);
        assertThatThrownBy(() -> CertificateIssuer.issueServer(ca, "s", List.of(), List.of(), YEAR, KeyType.EC_P256))
                .hasMessageContaining("at least one DNS name or IP address");
        assertThatThrownBy(() -> CertificateIssuer.issueServer(ca, "s", List.of(), List.of("warden.local"), YEAR, KeyType.EC_P256))
                .hasMessage("'warden.local' is not an IP address; put host names in --dns");
        assertThatThrownBy(() -> KeyType.parse("dsa")).hasMessageContaining("unknown key type 'dsa'");
    }

    @Test
    void refusesDnsNamesNoClientCouldMatch() throws Exception {
        IssuedCertificate ca = CertificateIssuer.createCa("CA", YEAR, KeyType.EC_P256);
        for (String name : List.of("warden.example.com:9094", "https://warden.example.com", "warden example", "warden..com",
                "-warden.com", "", "*", "warden.*.com", "wärden.com")) {
            assertThatThrownBy(() -> CertificateIssuer.issueServer(ca, "s", List.of(name), List.of(), YEAR, KeyType.EC_P256))
                    .as(name).isInstanceOf(CertsException.class)
                    .hasMessage("'" + name + "' is not a DNS name: dot-separated labels of letters, digits and hyphens, "
                            + "optionally '*.' first for a wildcard (no port, no scheme)");
        }
        assertThatThrownBy(() -> CertificateIssuer.issueServer(ca, "s", List.of("127.0.0.1"), List.of(), YEAR, KeyType.EC_P256))
                .hasMessage("'127.0.0.1' is an IP address; put IP addresses in --ip");
        IssuedCertificate server = CertificateIssuer.issueServer(ca, "s", List.of("localhost", "*.brokers.example.com",
                "kafka-0.kafka_headless.svc", "a.b-c.d9"), List.of(), YEAR, KeyType.EC_P256);
        assertThat(server.certificate().getSubjectAlternativeNames()).hasSize(4);
    }

    @Test
    void certificatesCompleteARealMutualTlsHandshake() throws Exception {
        IssuedCertificate ca = CertificateIssuer.createCa("TLS CA", YEAR, KeyType.EC_P256);
        IssuedCertificate server = CertificateIssuer.issueServer(ca, "server", List.of("localhost"), List.of("127.0.0.1"), YEAR, KeyType.EC_P256);
        IssuedCertificate client = CertificateIssuer.issueClient(ca, "alice", List.of("payments"), YEAR, KeyType.RSA_3072);
        assertThat(mutualTlsHandshake(ca, server, client, "TLSv1.3")).isEqualTo("CN=alice,OU=payments");
    }

    @Test
    void anEdwardsCurveCaIssuesCertificatesTheJdkVerifiesInTls(@TempDir Path dir) throws Exception {
        for (String curve : List.of("Ed25519", "Ed448")) {
            // A CA made by another tool, read from its files (warden certs itself refuses it: see CertsCommandTest).
            EdwardsCurveCa.write(dir, curve);
            IssuedCertificate ca = new IssuedCertificate(CertificateFiles.readCertificates(dir.resolve("ca.crt")).get(0),
                    CertificateFiles.readPrivateKey(dir.resolve("ca.key")), List.of());

            IssuedCertificate server = CertificateIssuer.issueServer(ca, "server", List.of("localhost"), List.of(), YEAR, KeyType.EC_P256);
            IssuedCertificate client = CertificateIssuer.issueClient(ca, "alice", List.of(), YEAR, KeyType.EC_P256);
            assertThat(client.certificate().getSigAlgName()).as(curve).isEqualTo(curve);
            validate(client, ca);
            for (String protocol : List.of("TLSv1.3", "TLSv1.2")) {
                assertThat(mutualTlsHandshake(ca, server, client, protocol)).as(curve + " " + protocol).isEqualTo("CN=alice");
            }
        }
    }

    /** A mutual TLS handshake on the JDK's TLS stack, each side trusting only the CA; returns the client's subject as the server saw it. */
    private static String mutualTlsHandshake(IssuedCertificate ca, IssuedCertificate server, IssuedCertificate client,
                                             String protocol) throws Exception {
        SSLContext serverContext = context(server, ca);
        SSLContext clientContext = context(client, ca);
        try (SSLServerSocket listener = (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket(0)) {
            listener.setNeedClientAuth(true);
            listener.setEnabledProtocols(new String[] {protocol});
            CompletableFuture<String> peer = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    new DataOutputStream(s.getOutputStream()).writeInt(new DataInputStream(s.getInputStream()).readInt() + 1);
                    return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SSLSocket s = (SSLSocket) clientContext.getSocketFactory().createSocket("localhost", listener.getLocalPort())) {
                var params = s.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS"); // hostname verification against the SANs
                s.setSSLParameters(params);
                new DataOutputStream(s.getOutputStream()).writeInt(41);
                assertThat(new DataInputStream(s.getInputStream()).readInt()).isEqualTo(42);
            }
            return peer.get(10, TimeUnit.SECONDS);
        }
    }

    private static SSLContext context(IssuedCertificate own, IssuedCertificate ca) throws Exception {
        char[] password = "test-only".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("own", own.privateKey(), password, own.chain().toArray(java.security.cert.Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    private static void validate(IssuedCertificate leaf, IssuedCertificate ca) throws Exception {
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca.certificate(), null)));
        params.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX").validate(
                CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf.certificate())), params);
    }
}
