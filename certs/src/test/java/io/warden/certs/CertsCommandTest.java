package io.warden.certs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code warden certs} end to end on files, as an operator runs it. */
class CertsCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return CertsCommand.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void createsACaIssuesCertificatesAndInspectsThem(@TempDir Path dir) throws Exception {
        Path ca = dir.resolve("ca");
        assertThat(run("init-ca", "--out", ca.toString(), "--cn", "Demo CA", "--days", "30")).as(stderr()).isZero();
        assertThat(stdout()).contains("subject:      CN=Demo CA").contains("CA:           yes");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ca.resolve("ca.key")))).isEqualTo("rw-------");
        assertThat(Files.readString(ca.resolve("ca.key"))).startsWith("-----BEGIN PRIVATE KEY-----"); // PKCS#8

        Path server = dir.resolve("server");
        assertThat(run("issue-server", "--ca", ca.toString(), "--out", server.toString(), "--name", "warden",
                "--dns", "localhost", "--dns", "warden.internal", "--ip", "127.0.0.1")).as(stderr()).isZero();
        assertThat(stdout()).contains("names (SAN):  DNS:localhost, DNS:warden.internal, IP:127.0.0.1");
        List<X509Certificate> chain = CertificateFiles.readCertificates(server.resolve("warden-chain.crt"));
        assertThat(chain).hasSize(2);
        assertThat(chain.get(1)).isEqualTo(CertificateFiles.readCertificates(ca.resolve("ca.crt")).get(0));
        PrivateKey key = CertificateFiles.readPrivateKey(server.resolve("warden.key"));
        assertThat(key.getAlgorithm()).isEqualTo("EC");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(server.resolve("warden.key")))).isEqualTo("rw-------");

        assertThat(run("inspect", server.resolve("warden-chain.crt").toString())).isZero();
        assertThat(stdout()).contains("certificate 1 of 2:").contains("subject:      CN=warden")
                .contains("SHA-256:      " + CertificateInspector.sha256Fingerprint(chain.get(0)));
        assertThat(stdout()).doesNotContain("PRIVATE KEY");
    }

    @Test
    void clientCertificateWithPkcs12(@TempDir Path dir) throws Exception {
        Path ca = dir.resolve("ca");
        assertThat(run("init-ca", "--out", ca.toString(), "--key", "rsa")).isZero();
        // The keystore password comes from an environment variable, never the command line; PATH is always set.
        String password = System.getenv("PATH");
        assertThat(run("issue-client", "--ca", ca.toString(), "--out", dir.resolve("clients").toString(),
                "--cn", "alice", "--ou", "payments", "--p12-password-env", "PATH")).as(stderr()).isZero();
        assertThat(stdout()).contains("subject:      CN=alice,OU=payments");
        Path p12 = dir.resolve("clients").resolve("alice.p12");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p12))).isEqualTo("rw-------");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, password.toCharArray());
        }
        assertThat(ks.isKeyEntry("alice")).isTrue();
        assertThat(ks.getCertificateChain("alice")).hasSize(2);
    }

    @Test
    void nothingIsOverwrittenWithoutForce(@TempDir Path dir) throws Exception {
        assertThat(run("init-ca", "--out", dir.toString())).isZero();
        byte[] before = Files.readAllBytes(dir.resolve("ca.key"));
        assertThat(run("init-ca", "--out", dir.toString())).isEqualTo(2);
        assertThat(stderr()).contains(dir.resolve("ca.key") + ": already exists; use --force to replace it");
        assertThat(Files.readAllBytes(dir.resolve("ca.key"))).isEqualTo(before);
        assertThat(run("init-ca", "--out", dir.toString(), "--force")).isZero();
        assertThat(Files.readAllBytes(dir.resolve("ca.key"))).isNotEqualTo(before);
    }

    @Test
    void anyExistingFileStopsTheCommandBeforeItWritesOne(@TempDir Path dir) throws Exception {
        Path ca = dir.resolve("ca");
        Path out = dir.resolve("clients");
        assertThat(run("init-ca", "--out", ca.toString())).isZero();
        Files.createDirectories(out);
        Files.writeString(out.resolve("alice.crt"), "an older certificate");
        assertThat(run("issue-client", "--ca", ca.toString(), "--out", out.toString(), "--cn", "alice")).isEqualTo(2);
        assertThat(stderr()).contains(out.resolve("alice.crt") + ": already exists; use --force to replace it");
        // No new key beside the old certificate.
        assertThat(out.resolve("alice.key")).doesNotExist();
        assertThat(out.resolve("alice-chain.crt")).doesNotExist();

        Files.delete(out.resolve("alice.crt"));
        Files.writeString(out.resolve("alice.p12"), "an older keystore");
        assertThat(run("issue-client", "--ca", ca.toString(), "--out", out.toString(), "--cn", "alice",
                "--p12-password-env", "PATH")).isEqualTo(2);
        assertThat(stderr()).contains(out.resolve("alice.p12") + ": already exists; use --force to replace it");
        assertThat(out.resolve("alice.key")).doesNotExist();

        Path other = dir.resolve("other");
        Files.createDirectories(other);
        Files.writeString(other.resolve("ca.crt"), "an older CA certificate");
        assertThat(run("init-ca", "--out", other.toString())).isEqualTo(2);
        assertThat(other.resolve("ca.key")).doesNotExist();
    }

    @Test
    void aCaThatCannotIssueIsRefusedBeforeAnythingIsWritten(@TempDir Path dir) throws Exception {
        Path ca = dir.resolve("ca");
        Path other = dir.resolve("other");
        Path out = dir.resolve("out");
        assertThat(run("init-ca", "--out", ca.toString())).isZero();
        assertThat(run("init-ca", "--out", other.toString())).isZero();

        // Another CA's key: it would sign certificates that do not verify against ca.crt.
        Files.copy(other.resolve("ca.key"), ca.resolve("ca.key"), StandardCopyOption.REPLACE_EXISTING);
        assertThat(run("issue-client", "--ca", ca.toString(), "--out", out.toString(), "--cn", "alice")).isEqualTo(2);
        assertThat(stderr()).contains("error: " + ca.resolve("ca.key") + ": not the key of the CA certificate in " + ca.resolve("ca.crt"));

        // A leaf certificate with its own key is no CA.
        assertThat(run("issue-client", "--ca", other.toString(), "--out", ca.toString(), "--cn", "leaf", "--name", "ca", "--force")).isZero();
        assertThat(run("issue-server", "--ca", ca.toString(), "--out", out.toString(), "--name", "warden", "--dns", "localhost")).isEqualTo(2);
        assertThat(stderr()).contains("error: " + ca.resolve("ca.crt") + ": 'CN=leaf' is not a CA certificate");

        // A CA made by another tool with an Edwards-curve key: what it signs, the gateway's OpenSSL engine refuses.
        for (String curve : List.of("Ed25519", "Ed448")) {
            EdwardsCurveCa.write(ca, curve);
            assertThat(run("issue-client", "--ca", ca.toString(), "--out", out.toString(), "--cn", "alice")).isEqualTo(2);
            assertThat(stderr()).isEqualTo("error: " + ca.resolve("ca.key") + ": the CA's key is " + curve + ", and client"
                    + " certificates it signs fail the handshake on a listener's OpenSSL TLS engine (the default);"
                    + " create an EC P-256 or RSA CA with init-ca\n");
        }

        // An expired CA.
        IssuedCertificate expired = CertificateIssuer.createCa("Expired CA", Duration.ofSeconds(1), KeyType.EC_P256);
        CertificateFiles.writeCertificates(ca.resolve("ca.crt"), List.of(expired.certificate()), true);
        CertificateFiles.writePrivateKey(ca.resolve("ca.key"), expired.privateKey(), true);
        Thread.sleep(Duration.between(Instant.now(), expired.certificate().getNotAfter().toInstant()).toMillis() + 1_000);
        assertThat(run("issue-client", "--ca", ca.toString(), "--out", out.toString(), "--cn", "alice")).isEqualTo(2);
        assertThat(stderr()).contains("error: " + ca.resolve("ca.crt") + ": the CA certificate is valid from ")
                .contains(", not now; create a new CA with init-ca");

        assertThat(out).doesNotExist();
    }

    @Test
    void aCertificateEndsWithItsCaAtTheLatest(@TempDir Path dir) throws Exception {
        Path ca = dir.resolve("ca");
        Path out = dir.resolve("out");
        assertThat(run("init-ca", "--out", ca.toString(), "--days", "30")).isZero();
        Instant caEnd = CertificateFiles.readCertificates(ca.resolve("ca.crt")).get(0).getNotAfter().toInstant();

        // The default 825 days is cut short at the CA's end, and the user is told.
        assertThat(run("issue-server", "--ca", ca.toString(), "--out", out.toString(), "--name", "warden", "--dns", "localhost"))
                .as(stderr()).isZero();
        assertThat(CertificateFiles.readCertificates(out.resolve("warden.crt")).get(0).getNotAfter().toInstant()).isEqualTo(caEnd);
        assertThat(stdout()).contains("note: valid until " + caEnd + ", when the CA certificate ends, rather than 825 days;");
        assertThat(run("issue-client", "--ca", ca.toString(), "--out", out.toString(), "--cn", "alice")).as(stderr()).isZero();
        assertThat(CertificateFiles.readCertificates(out.resolve("alice.crt")).get(0).getNotAfter().toInstant()).isEqualTo(caEnd);

        // Days asked for explicitly beyond the CA's end are refused, nothing written.
        assertThat(run("issue-client", "--ca", ca.toString(), "--out", out.toString(), "--cn", "bob", "--days", "31")).isEqualTo(2);
        assertThat(stderr()).isEqualTo("error: --days 31: the CA certificate ends at " + caEnd + ", in 29 days, and a certificate"
                + " cannot outlive its CA; give --days 29 or fewer, or create a new CA with init-ca\n");
        assertThat(out.resolve("bob.crt")).doesNotExist();

        // Within the CA's time: as asked, without a note.
        assertThat(run("issue-client", "--ca", ca.toString(), "--out", out.toString(), "--cn", "carol", "--days", "29")).isZero();
        assertThat(CertificateFiles.readCertificates(out.resolve("carol.crt")).get(0).getNotAfter().toInstant()).isBefore(caEnd);
        assertThat(stdout()).doesNotContain("note:");
    }

    @Test
    void badInputGetsAPreciseMessage(@TempDir Path dir) {
        assertThat(run("issue-server", "--out", dir.toString(), "--name", "x", "--dns", "a")).isEqualTo(2);
        assertThat(stderr()).contains("error: --ca is required");
        assertThat(run("issue-server", "--ca", dir.resolve("none").toString(), "--out", dir.toString(), "--name", "x", "--dns", "a")).isEqualTo(2);
        assertThat(stderr()).contains("ca.crt: file not found");
        assertThat(run("init-ca", "--out", dir.toString(), "--days", "-3")).isEqualTo(2);
        assertThat(stderr()).contains("--days: expected a number of days between 1 and 36500, got '-3'");
        assertThat(run("init-ca", "--out", dir.toString(), "--colour", "blue")).isEqualTo(2);
        assertThat(stderr()).contains("unknown option --colour");
        // A stray word may be a keystore password given as an argument by mistake: its position is named, not the word.
        assertThat(run("issue-client", "--ca", dir.toString(), "--out", dir.toString(), "--cn", "a", "s3cret-Passw0rd")).isEqualTo(2);
        assertThat(stderr()).startsWith("error: unexpected argument at position 8 ").doesNotContain("s3cret-Passw0rd");
        assertThat(run("init-ca", "s3cret-Passw0rd", "--out", dir.toString())).isEqualTo(2);
        assertThat(stderr()).startsWith("error: unexpected argument at position 2 ").doesNotContain("s3cret-Passw0rd");
        assertThat(run("issue-client", "--ca", dir.toString(), "--out", dir.toString(), "--cn", "a", "--p12-password-env", "NO_SUCH_VARIABLE_X")).isEqualTo(2);
        Path ca = dir.resolve("ca");
        assertThat(run("init-ca", "--out", ca.toString())).isZero();
        assertThat(run("issue-client", "--ca", ca.toString(), "--out", ca.toString(), "--cn", "a", "--p12-password-env", "NO_SUCH_VARIABLE_X")).isEqualTo(2);
        assertThat(stderr()).isEqualTo("error: --p12-password-env: environment variable NO_SUCH_VARIABLE_X is not set\n");
        // The password itself, given where its variable's name belongs, is not shown.
        assertThat(run("issue-client", "--ca", ca.toString(), "--out", ca.toString(), "--cn", "a", "--p12-password-env", "hunter2")).isEqualTo(2);
        assertThat(stderr()).startsWith("error: --p12-password-env: the environment variable named").doesNotContain("hunter2");
        assertThat(run("issue-client", "--ca", dir.toString(), "--out", dir.toString(), "--cn", "")).isEqualTo(2);
        assertThat(stderr()).contains("error: --cn must not be empty");
        assertThat(run("init-ca", "--out", dir.resolve("blank").toString(), "--cn", " ")).isEqualTo(2);
        assertThat(stderr()).contains("error: --cn must not be empty");
        assertThat(dir.resolve("blank")).doesNotExist();
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(stderr()).contains("unknown subcommand 'frobnicate'");
        assertThat(run("inspect", dir.resolve("missing.pem").toString())).isEqualTo(2);
        assertThat(stderr()).contains("missing.pem: file not found");
    }
}
