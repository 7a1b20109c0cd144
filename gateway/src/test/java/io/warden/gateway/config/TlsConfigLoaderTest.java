package io.warden.gateway.config;

import io.warden.certs.CertificateFiles;
import io.warden.certs.CertificateIssuer;
import io.warden.certs.IssuedCertificate;
import io.warden.certs.KeyType;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Date;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TLS settings are checked when the configuration loads: a bad file stops startup with its name and the problem. */
class TlsConfigLoaderTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void files() throws Exception {
        Duration d = Duration.ofDays(30);
        IssuedCertificate ca = CertificateIssuer.createCa("CA", d, KeyType.EC_P256);
        IssuedCertificate server = CertificateIssuer.issueServer(ca, "s", List.of("localhost"), List.of(), d, KeyType.EC_P256);
        IssuedCertificate other = CertificateIssuer.issueServer(ca, "o", List.of("localhost"), List.of(), d, KeyType.EC_P256);
        CertificateFiles.writeCertificates(dir.resolve("ca.crt"), List.of(ca.certificate()), true);
        CertificateFiles.writeCertificates(dir.resolve("server.crt"), server.chain(), true);
        CertificateFiles.writePrivateKey(dir.resolve("server.key"), server.privateKey(), true);
        CertificateFiles.writePrivateKey(dir.resolve("other.key"), other.privateKey(), true);
        CertificateFiles.writePkcs12(dir.resolve("server.p12"), "server", server, System.getenv("PATH").toCharArray(), true);
        KeyPair ed25519 = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        X500Name name = new X500Name("CN=ed25519");
        X509CertificateHolder edCertificate = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, new Date(),
                new Date(System.currentTimeMillis() + d.toMillis()), name, ed25519.getPublic())
                .build(new JcaContentSignerBuilder("Ed25519").build(ed25519.getPrivate()));
        CertificateFiles.writeCertificates(dir.resolve("ed25519.crt"), List.of(new JcaX509CertificateConverter().getCertificate(edCertificate)), true);
        CertificateFiles.writePrivateKey(dir.resolve("ed25519.key"), ed25519.getPrivate(), true);
        KeyStore edKeyStore = KeyStore.getInstance("PKCS12");
        edKeyStore.load(null, null);
        edKeyStore.setKeyEntry("edge", ed25519.getPrivate(), System.getenv("PATH").toCharArray(),
                new Certificate[] {new JcaX509CertificateConverter().getCertificate(edCertificate)});
        try (OutputStream out = Files.newOutputStream(dir.resolve("ed25519.p12"))) {
            edKeyStore.store(out, System.getenv("PATH").toCharArray());
        }
        CertificateFiles.writePkcs12(dir.resolve("other-password.p12"), "server", server, ("not " + System.getenv("PATH")).toCharArray(), true);
        KeyPair ed448 = KeyPairGenerator.getInstance("Ed448").generateKeyPair();
        X500Name ed448Name = new X500Name("O=elsewhere,CN=Ed448 CA"); // read back last RDN first: CN=Ed448 CA,O=elsewhere
        X509CertificateHolder ed448Ca = new JcaX509v3CertificateBuilder(ed448Name, BigInteger.TWO, new Date(),
                new Date(System.currentTimeMillis() + d.toMillis()), ed448Name, ed448.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .build(new JcaContentSignerBuilder("Ed448").build(ed448.getPrivate()));
        CertificateFiles.writeCertificates(dir.resolve("ca-and-ed448-ca.crt"),
                List.of(ca.certificate(), new JcaX509CertificateConverter().getCertificate(ed448Ca)), true);
    }

    private static WardenConfig load(String tls) {
        return ConfigLoader.parse("w.yaml", """
                upstream: {bootstrapServers: [k:9092]}
                listeners:
                  - brokerPorts: 9100-9109
                    tls: %s
                """.formatted(tls), dir);
    }

    @Test
    void readsPemAndKeystoreSettingsWithPathsRelativeToTheFile() {
        TlsConfig pem = load("{certificate: server.crt, key: server.key, clientAuth: required, trustedCertificates: ca.crt}")
                .listeners().get(0).tls();
        assertThat(pem.certificate()).isEqualTo(dir.resolve("server.crt"));
        assertThat(pem.clientAuth()).isEqualTo(TlsConfig.ClientAuth.REQUIRED);
        assertThat(pem.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
        // PATH is always set; a real deployment names its own variable.
        TlsConfig p12 = load("{keyStore: server.p12, keyStorePasswordEnv: PATH}").listeners().get(0).tls();
        assertThat(p12.keyStoreType()).isEqualTo("pkcs12");
        assertThat(p12.clientAuth()).isEqualTo(TlsConfig.ClientAuth.NONE);
        assertThat(load("{certificate: server.crt, key: server.key}").listeners().get(0).securityProtocol()).isEqualTo("SSL");
    }

    @Test
    void upstreamTlsIsReadAndCheckedToo() {
        UpstreamTlsConfig tls = ConfigLoader.parse("w.yaml", "listeners: [{brokerPorts: 9100-9199}]\nupstream: {bootstrapServers: [k:9093], tls: {trustedCertificates: ca.crt}}", dir)
                .upstream().tls();
        assertThat(tls.trustedCertificates()).isEqualTo(dir.resolve("ca.crt"));
        assertThat(tls.hostnameVerification()).isTrue();
        assertThatThrownBy(() -> ConfigLoader.parse("w.yaml", "listeners: [{brokerPorts: 9100-9199}]\nupstream: {bootstrapServers: [k:9093], tls: {certificate: server.crt}}", dir))
                .hasMessageStartingWith("w.yaml: upstream.tls.trustedCertificates: is required");
        assertThatThrownBy(() -> ConfigLoader.parse("w.yaml",
                "listeners: [{brokerPorts: 9100-9199}]\nupstream: {bootstrapServers: [k:9093], tls: {trustedCertificates: ca.crt, certificate: server.crt}}", dir))
                .hasMessage("w.yaml: upstream.tls: certificate and key go together (for mTLS to the brokers)");
        assertThatThrownBy(() -> ConfigLoader.parse("w.yaml",
                "listeners: [{brokerPorts: 9100-9199}]\nupstream: {bootstrapServers: [k:9093], tls: {trustedCertificates: ca.crt, hostnameVerification: sometimes}}", dir))
                .hasMessage("w.yaml: upstream.tls.hostnameVerification: expected true or false, got 'sometimes'");
    }

    @Test
    void badTlsSettingsNameTheFieldTheFileAndTheProblem() {
        assertThatThrownBy(() -> load("{certificate: missing.crt, key: server.key}"))
                .hasMessage("w.yaml: listeners[0].tls.certificate: " + dir.resolve("missing.crt") + ": file not found");
        assertThatThrownBy(() -> load("{certificate: server.crt, key: other.key}"))
                .hasMessage("w.yaml: listeners[0].tls: the key in " + dir.resolve("other.key")
                        + " does not belong to the certificate in " + dir.resolve("server.crt"));
        // Vert.x cannot read an EdDSA PEM key: said at load, not as a mismatch nor at the first bind.
        assertThatThrownBy(() -> load("{certificate: ed25519.crt, key: ed25519.key}"))
                .hasMessage("w.yaml: listeners[0].tls: " + dir.resolve("ed25519.key") + ": an EdDSA (Ed25519 or Ed448) key cannot"
                        + " serve TLS from PEM files here; use an EC P-256 or RSA key and certificate (warden certs issues EC P-256)");
        assertThatThrownBy(() -> load("{certificate: server.crt, key: ca.crt}"))
                .hasMessageContaining("contains no PEM private key");
        assertThatThrownBy(() -> load("{keyStore: other-password.p12, keyStorePasswordEnv: PATH}"))
                .hasMessage("w.yaml: listeners[0].tls.keyStore: " + dir.resolve("other-password.p12")
                        + ": cannot open the pkcs12 keystore: wrong password or not a pkcs12 file");
        assertThatThrownBy(() -> load("{keyStore: server.p12, keyStorePasswordEnv: WARDEN_NO_SUCH_VARIABLE}"))
                .hasMessage("w.yaml: listeners[0].tls.keyStorePasswordEnv: environment variable WARDEN_NO_SUCH_VARIABLE is not set");
        assertThatThrownBy(() -> load("{certificate: server.crt, key: server.key, clientAuth: required}"))
                .hasMessageStartingWith("w.yaml: listeners[0].tls.trustedCertificates: is required when clientAuth is required");
        assertThatThrownBy(() -> load("{certificate: server.crt, key: server.key, protocols: [TLSv1.1]}"))
                .hasMessage("w.yaml: listeners[0].tls.protocols[0]: only TLSv1.3 and TLSv1.2 are allowed, got 'TLSv1.1'");
        assertThatThrownBy(() -> load("{certificate: server.crt, key: server.key, principalMappingRules: 'RULE:broken'}"))
                .hasMessageStartingWith("w.yaml: listeners[0].tls.principalMappingRules: not valid Kafka ssl.principal.mapping.rules:");
        assertThatThrownBy(() -> load("{certificate: server.crt}"))
                .hasMessage("w.yaml: listeners[0].tls: needs either certificate and key (PEM files) or keyStore");
        assertThatThrownBy(() -> load("{certificate: server.crt, key: server.key, clientAuth: maybe}"))
                .hasMessage("w.yaml: listeners[0].tls.clientAuth: expected none, requested or required, got 'maybe'");
    }

    @Test
    void cipherSuitesAreNamesThisJvmKnowsWithOneForEveryProtocolEnabled() {
        TlsConfig tls = load("{certificate: server.crt, key: server.key, engine: jdk, cipherSuites: [TLS_AES_256_GCM_SHA384,"
                + " TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]}").listeners().get(0).tls();
        assertThat(tls.cipherSuites()).containsExactly("TLS_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
        assertThat(tls.serverSslOptions().getEnabledCipherSuites())
                .containsExactly("TLS_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
        assertThat(load("{certificate: server.crt, key: server.key}").listeners().get(0).tls().cipherSuites()).isEmpty();
        assertThat(load("{certificate: server.crt, key: server.key, engine: jdk, protocols: [TLSv1.3], cipherSuites: [TLS_AES_128_GCM_SHA256]}")
                .listeners().get(0).tls().cipherSuites()).containsExactly("TLS_AES_128_GCM_SHA256");

        assertThatThrownBy(() -> load("{certificate: server.crt, key: server.key, engine: jdk, cipherSuites: [TLS_AES_256_GCM_SHA384, TLS_ROT13]}"))
                .hasMessage("w.yaml: listeners[0].tls.cipherSuites[1]: not a cipher suite this JVM's TLS supports: 'TLS_ROT13'");
        assertThatThrownBy(() -> load("{certificate: server.crt, key: server.key, engine: jdk, cipherSuites: [TLS_AES_256_GCM_SHA384]}"))
                .hasMessageStartingWith("w.yaml: listeners[0].tls.cipherSuites: names no cipher suite for TLSv1.2, which protocols"
                        + " enables: every TLSv1.2 handshake would fail");
        if (io.vertx.core.net.OpenSSLEngineOptions.isAvailable()) {
            assertThat(load("{certificate: server.crt, key: server.key, engine: openssl, cipherSuites:"
                    + " [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]}").listeners().get(0).tls().cipherSuites()).hasSize(1);
            assertThatThrownBy(() -> load("{certificate: server.crt, key: server.key, engine: openssl, cipherSuites:"
                    + " [TLS_AES_256_GCM_SHA384, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]}"))
                    .hasMessageStartingWith("w.yaml: listeners[0].tls.cipherSuites[0]: the OpenSSL engine offers its own TLS 1.3 suites");
        }
        assertThatThrownBy(() -> load("{certificate: server.crt, key: server.key, cipherSuites: []}"))
                .hasMessageStartingWith("w.yaml: listeners[0].tls.cipherSuites: expected a non-empty list of cipher suite names");
    }

    @Test
    void aPemFileWithCorruptBase64IsABadSettingNotACrash() throws Exception {
        Files.writeString(dir.resolve("corrupt.crt"), "-----BEGIN CERTIFICATE-----\nMIIB!!not*base64\n-----END CERTIFICATE-----\n");
        Files.writeString(dir.resolve("corrupt.key"), "-----BEGIN PRIVATE KEY-----\nMIIB!!not*base64\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> load("{certificate: corrupt.crt, key: server.key}"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("w.yaml: listeners[0].tls: " + dir.resolve("corrupt.crt") + ": not a readable PEM certificate file: invalid base64");
        assertThatThrownBy(() -> load("{certificate: server.crt, key: corrupt.key}"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("w.yaml: listeners[0].tls: " + dir.resolve("corrupt.key") + ": not a readable PEM private key: invalid base64");
        assertThatThrownBy(() -> load("{certificate: server.crt, key: server.key, clientAuth: required, trustedCertificates: corrupt.crt}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("w.yaml: listeners[0].tls.trustedCertificates: " + dir.resolve("corrupt.crt") + ": not a readable");
    }

    @Test
    void anEdDsaKeyInAKeystoreIsRefusedWhereOpenSslWouldServeIt() {
        // OpenSSL fails every handshake with such a key (internal_error); the JDK's TLS serves it.
        String refusal = dir.resolve("ed25519.p12") + ": the key of alias 'edge' is Ed25519, which the OpenSSL TLS engine"
                + " cannot serve; use an EC P-256 or RSA key and certificate (warden certs issues EC P-256), or set engine: jdk";
        assertThatThrownBy(() -> load("{keyStore: ed25519.p12, keyStorePasswordEnv: PATH, engine: openssl}"))
                .hasMessage("w.yaml: listeners[0].tls.keyStore: " + refusal);
        TlsConfig jdk = load("{keyStore: ed25519.p12, keyStorePasswordEnv: PATH, engine: jdk}").listeners().get(0).tls();
        assertThat(jdk.validate()).hasSize(1);
        // Checked again when the listener starts and whenever the files change.
        TlsConfig openSsl = new TlsConfig(null, null, jdk.keyStore(), "pkcs12", "PATH", TlsConfig.ClientAuth.NONE, null,
                jdk.protocols(), null, null, null, TlsConfig.Engine.OPENSSL);
        assertThatThrownBy(openSsl::validate).hasMessage(refusal);
    }

    @Test
    void anEdDsaTrustedCertificateIsRefusedWhereOpenSslChecksClientCertificates() {
        // OpenSSL fails the handshake of every client certificate such a CA signed (internal_error); the JDK's TLS accepts it.
        String ways = ", and the OpenSSL TLS engine fails the handshake of every client certificate it signed; trust an EC or"
                + " RSA CA instead (warden certs init-ca makes an EC P-256 one), or set engine: jdk";
        String pem = "certificate: server.crt, key: server.key, trustedCertificates: ";
        assertThatThrownBy(() -> load("{" + pem + "ed25519.crt, clientAuth: required, engine: openssl}"))
                .hasMessage("w.yaml: listeners[0].tls.trustedCertificates: " + dir.resolve("ed25519.crt")
                        + ": the certificate 'CN=ed25519' has an Ed25519 key" + ways);
        // In a bundle, the one certificate is named; auto means OpenSSL here (BoringSSL ships with the gateway).
        assertThatThrownBy(() -> load("{" + pem + "ca-and-ed448-ca.crt, clientAuth: requested}"))
                .hasMessage("w.yaml: listeners[0].tls.trustedCertificates: " + dir.resolve("ca-and-ed448-ca.crt")
                        + ": the certificate 'CN=Ed448 CA,O=elsewhere' has an Ed448 key" + ways);
        assertThatThrownBy(() -> ConfigLoader.parse("w.yaml", """
                upstream: {bootstrapServers: [k:9092]}
                listeners: [{brokerPorts: 9100-9109}]
                admin: {port: 9180, tls: {%s ed25519.crt, clientAuth: requested}}
                """.formatted(pem), dir))
                .hasMessage("w.yaml: admin.tls.trustedCertificates: " + dir.resolve("ed25519.crt")
                        + ": the certificate 'CN=ed25519' has an Ed25519 key" + ways);
        // The JDK engine accepts such clients; without client certificates the CAs are never used.
        TlsConfig jdk = load("{" + pem + "ca-and-ed448-ca.crt, clientAuth: required, engine: jdk}").listeners().get(0).tls();
        assertThat(jdk.validate()).isNotEmpty();
        assertThat(load("{" + pem + "ed25519.crt, engine: openssl}").listeners().get(0).tls().validate()).isNotEmpty();
        // Checked again when the listener starts and whenever the files change.
        TlsConfig openSsl = new TlsConfig(jdk.certificate(), jdk.key(), null, null, null, TlsConfig.ClientAuth.REQUIRED,
                jdk.trustedCertificates(), jdk.protocols(), null, null, null, TlsConfig.Engine.OPENSSL);
        assertThatThrownBy(openSsl::validate).hasMessage(dir.resolve("ca-and-ed448-ca.crt")
                + ": the certificate 'CN=Ed448 CA,O=elsewhere' has an Ed448 key" + ways);
    }

    @Test
    void theEngineIsOpenSslWhereItLoadsUnlessTheJdkIsAskedFor() {
        assertThat(io.vertx.core.net.OpenSSLEngineOptions.isAvailable()).as("BoringSSL ships with the gateway").isTrue();
        assertThat(load("{certificate: server.crt, key: server.key}").listeners().get(0).tls().usesOpenSsl()).isTrue();
        assertThat(load("{certificate: server.crt, key: server.key, engine: jdk}").listeners().get(0).tls().usesOpenSsl()).isFalse();
        assertThat(load("{certificate: server.crt, key: server.key, engine: openssl}").listeners().get(0).tls().engine())
                .isEqualTo(TlsConfig.Engine.OPENSSL);
        assertThatThrownBy(() -> load("{certificate: server.crt, key: server.key, engine: gnutls}"))
                .hasMessage("w.yaml: listeners[0].tls.engine: expected auto, jdk or openssl, got 'gnutls'");
    }
}
