package io.warden.certs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading PEM files: whatever is wrong with one, the error is a CertsException naming the file. */
class CertificateFilesTest {

    @TempDir
    Path dir;

    @Test
    void anOutputDirectoryThatIsAFileIsNamedAsSuch() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("pki"), "a file");
        java.security.KeyPair keys = java.security.KeyPairGenerator.getInstance("EC").generateKeyPair();
        for (boolean force : new boolean[] {false, true}) {
            assertThatThrownBy(() -> CertificateFiles.writePrivateKey(notADirectory.resolve("ca.key"), keys.getPrivate(), force))
                    .isInstanceOf(CertsException.class)
                    .hasMessage(notADirectory + ": not a directory, so " + notADirectory.resolve("ca.key") + " cannot be written there");
        }
        assertThatThrownBy(() -> CertificateFiles.writePrivateKey(notADirectory.resolve("sub").resolve("ca.key"), keys.getPrivate(), false))
                .hasMessage(notADirectory.resolve("sub") + ": cannot create the directory: Not a directory");
    }

    @Test
    void corruptBase64IsReportedWithTheFileName() throws Exception {
        Path certificate = Files.writeString(dir.resolve("c.crt"), "-----BEGIN CERTIFICATE-----\nMIIB!!not*base64\n-----END CERTIFICATE-----\n");
        Path key = Files.writeString(dir.resolve("k.key"), "-----BEGIN PRIVATE KEY-----\nMIIB!!not*base64\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> CertificateFiles.readCertificates(certificate))
                .isInstanceOf(CertsException.class).hasMessage(certificate + ": not a readable PEM certificate file: invalid base64");
        assertThatThrownBy(() -> CertificateFiles.readPrivateKey(key))
                .isInstanceOf(CertsException.class).hasMessage(key + ": not a readable PEM private key: invalid base64");
    }
}
