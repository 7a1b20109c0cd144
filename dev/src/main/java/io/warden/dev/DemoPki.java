package io.warden.dev;

import io.warden.certs.CertificateFiles;
import io.warden.certs.CertificateIssuer;
import io.warden.certs.IssuedCertificate;
import io.warden.certs.KeyType;
import io.warden.gateway.config.TlsConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The demo's certificates, made fresh at every start with {@code warden certs} code: a dev CA, a server
 * certificate for 127.0.0.1/localhost, and one client certificate ({@code CN=demo-client,OU=demo}). Also writes
 * the client settings files printed at start: Java client {@code .properties} and librdkafka {@code .conf}.
 */
final class DemoPki {

    private static final Duration VALIDITY = Duration.ofDays(30);

    private final Path dir;

    private DemoPki(Path dir) {
        this.dir = dir;
    }

    static DemoPki create(Path dir) {
        IssuedCertificate ca = CertificateIssuer.createCa("Warden demo CA", VALIDITY, KeyType.EC_P256);
        IssuedCertificate server = CertificateIssuer.issueServer(ca, "warden-demo", List.of("localhost"),
                List.of("127.0.0.1"), VALIDITY, KeyType.EC_P256);
        IssuedCertificate client = CertificateIssuer.issueClient(ca, "demo-client", List.of("demo"), VALIDITY, KeyType.EC_P256);
        CertificateFiles.writeCertificates(dir.resolve("ca.crt"), List.of(ca.certificate()), true);
        CertificateFiles.writePrivateKey(dir.resolve("ca.key"), ca.privateKey(), true);
        write(dir, "server", server);
        write(dir, "demo-client", client);
        return new DemoPki(dir);
    }

    private static void write(Path dir, String name, IssuedCertificate issued) {
        CertificateFiles.writeCertificates(dir.resolve(name + "-chain.crt"), issued.chain(), true);
        CertificateFiles.writePrivateKey(dir.resolve(name + ".key"), issued.privateKey(), true);
    }

    TlsConfig serverTls(TlsConfig.ClientAuth clientAuth) {
        return new TlsConfig(dir.resolve("server-chain.crt"), dir.resolve("server.key"), null, null, null, clientAuth,
                clientAuth == TlsConfig.ClientAuth.NONE ? null : dir.resolve("ca.crt"), List.of("TLSv1.3", "TLSv1.2"), null);
    }

    /** Writes client settings into {@code workDir}; returns the files, in the order they are printed. */
    List<Path> writeClientSettings(Path workDir, String tlsBootstrap, String mtlsBootstrap) throws IOException {
        Path ca = dir.resolve("ca.crt").toAbsolutePath();
        Path chain = dir.resolve("demo-client-chain.crt").toAbsolutePath();
        Path key = dir.resolve("demo-client.key").toAbsolutePath();
        // Kafka's PEM keystore is one file: the private key, then the certificate chain.
        Path keystore = dir.resolve("demo-client-keystore.pem").toAbsolutePath();
        Files.writeString(keystore, Files.readString(key) + Files.readString(chain));
        Files.setPosixFilePermissions(keystore, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

        Path kcatTls = workDir.resolve("kcat-tls.conf").toAbsolutePath();
        Files.writeString(kcatTls, String.join("\n",
                "bootstrap.servers=" + tlsBootstrap,
                "security.protocol=ssl",
                "ssl.ca.location=" + ca, ""));
        Path kcatMtls = workDir.resolve("kcat-mtls.conf").toAbsolutePath();
        Files.writeString(kcatMtls, String.join("\n",
                "bootstrap.servers=" + mtlsBootstrap,
                "security.protocol=ssl",
                "ssl.ca.location=" + ca,
                "ssl.certificate.location=" + chain,
                "ssl.key.location=" + key, ""));
        Path javaTls = workDir.resolve("client-tls.properties").toAbsolutePath();
        Files.writeString(javaTls, String.join("\n",
                "bootstrap.servers=" + tlsBootstrap,
                "security.protocol=SSL",
                "ssl.truststore.type=PEM",
                "ssl.truststore.location=" + ca, ""));
        Path javaMtls = workDir.resolve("client-mtls.properties").toAbsolutePath();
        Files.writeString(javaMtls, String.join("\n",
                "bootstrap.servers=" + mtlsBootstrap,
                "security.protocol=SSL",
                "ssl.truststore.type=PEM",
                "ssl.truststore.location=" + ca,
                "ssl.keystore.type=PEM",
                "ssl.keystore.location=" + keystore, ""));
        return List.of(kcatTls, kcatMtls, javaTls, javaMtls);
    }

    /**
     * Writes SASL_SSL settings for one SCRAM user: a librdkafka {@code .conf} that works as {@code kcat -F FILE}
     * alone, and a Java client {@code .properties}. Both hold the password, so both are readable by the owner only.
     */
    List<Path> writeSaslSettings(Path workDir, String saslBootstrap, String user, String password) throws IOException {
        Path ca = dir.resolve("ca.crt").toAbsolutePath();
        Path kcat = workDir.resolve("kcat-sasl-" + user + ".conf").toAbsolutePath();
        writeOwnerOnly(kcat, String.join("\n",
                "bootstrap.servers=" + saslBootstrap,
                "security.protocol=sasl_ssl",
                "sasl.mechanisms=SCRAM-SHA-512",
                "sasl.username=" + user,
                "sasl.password=" + password,
                "ssl.ca.location=" + ca, ""));
        Path java = workDir.resolve("client-sasl-" + user + ".properties").toAbsolutePath();
        writeOwnerOnly(java, String.join("\n",
                "bootstrap.servers=" + saslBootstrap,
                "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                        + "\" password=\"" + password + "\";",
                "ssl.truststore.type=PEM",
                "ssl.truststore.location=" + ca, ""));
        return List.of(kcat, java);
    }

    private static void writeOwnerOnly(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, text);
    }
}
