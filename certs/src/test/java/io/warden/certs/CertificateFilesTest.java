package io.warden.certs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading PEM files: whatever is wrong with one, the error is a CertsException naming the file. Writing them: never through a symlink. */
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
    void aSymlinkAtTheKeyPathIsReplacedNotFollowed() throws Exception {
        Path elsewhere = Files.writeString(dir.resolve("elsewhere"), "");
        Path key = dir.resolve("server.key");
        java.security.PrivateKey privateKey = java.security.KeyPairGenerator.getInstance("EC").generateKeyPair().getPrivate();
        Files.createSymbolicLink(key, elsewhere);
        assertThatThrownBy(() -> CertificateFiles.writePrivateKey(key, privateKey, false))
                .hasMessage(key + ": already exists; use --force to replace it");

        CertificateFiles.writePrivateKey(key, privateKey, true);
        assertThat(Files.isSymbolicLink(key)).isFalse();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(Files.readString(elsewhere)).isEmpty();
    }

    @Test
    void aSymlinkSwappedInWhileTheKeyIsWrittenIsNotFollowed() throws Exception {
        Path elsewhere = Files.writeString(dir.resolve("elsewhere"), "");
        Path key = dir.resolve("server.key");
        java.security.PrivateKey privateKey = java.security.KeyPairGenerator.getInstance("EC").generateKeyPair().getPrivate();
        // As soon as the key file appears, another process puts a symlink in its place; the bytes must go to the
        // file that was created, or nowhere, never through the symlink.
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 300 && failures.isEmpty(); i++) {
            Files.deleteIfExists(key);
            Thread swapper = new Thread(() -> {
                long until = System.nanoTime() + 50_000_000;
                while (System.nanoTime() < until) {
                    if (Files.isRegularFile(key, LinkOption.NOFOLLOW_LINKS)) {
                        try {
                            Files.delete(key);
                            Files.createSymbolicLink(key, elsewhere);
                        } catch (java.io.IOException e) {
                            // the writer was quicker this time
                        }
                        return;
                    }
                }
            });
            swapper.start();
            try {
                CertificateFiles.writePrivateKey(key, privateKey, true);
            } catch (CertsException e) {
                failures.add(e.getMessage());
            }
            swapper.join();
            if (Files.size(elsewhere) > 0) {
                failures.add("the key was written through the symlink to " + elsewhere);
            }
        }
        assertThat(failures).isEmpty();
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
