package io.warden.gateway.config;

import io.warden.certs.CertificateFiles;
import io.warden.certs.CertificateKeys;
import io.warden.certs.CertsException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;

/**
 * Checks of TLS files at configuration load, so a wrong file stops startup with a clear message instead of
 * failing the first handshake. Messages name the file and the problem, never key material.
 */
final class TlsMaterial {

    private TlsMaterial() {
    }

    /** The certificate file holds a chain and the key file a private key that belongs to its first certificate. */
    static void checkKeyPair(Path certificateFile, Path keyFile) {
        List<X509Certificate> chain = certificates(certificateFile);
        PrivateKey key;
        try {
            key = CertificateFiles.readPrivateKey(keyFile);
        } catch (CertsException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        if (CertificateKeys.isEdwardsCurve(key)) {
            // Vert.x reads only RSA and EC keys from PEM files ("Unsupported algorithm identifier" at bind).
            throw new IllegalArgumentException(keyFile + ": an EdDSA (Ed25519 or Ed448) key cannot serve TLS from PEM files here;"
                    + " use an EC P-256 or RSA key and certificate (warden certs issues EC P-256)");
        }
        if (!CertificateKeys.belongTogether(key, chain.get(0))) {
            throw new IllegalArgumentException("the key in " + keyFile + " does not belong to the certificate in " + certificateFile);
        }
    }

    static void checkCertificates(Path file) {
        certificates(file);
    }

    /**
     * The file holds certificates; with {@code openSslChecksClients} (a listener on the OpenSSL engine that asks for
     * client certificates), none has an Ed25519 or Ed448 key: the OpenSSL engine fails the handshake of every client
     * certificate such a CA signed with a bare internal_error alert, where the JDK's TLS accepts it.
     */
    static void checkTrustedCertificates(Path file, boolean openSslChecksClients) {
        for (X509Certificate certificate : certificates(file)) {
            if (openSslChecksClients && CertificateKeys.isEdwardsCurve(certificate.getPublicKey())) {
                throw new IllegalArgumentException(file + ": the certificate '" + certificate.getSubjectX500Principal().getName()
                        + "' has an " + CertificateKeys.edwardsCurve(certificate.getPublicKey()) + " key, and the OpenSSL TLS engine"
                        + " fails the handshake of every client certificate it signed; trust an EC or RSA CA instead"
                        + " (warden certs init-ca makes an EC P-256 one), or set engine: jdk");
            }
        }
    }

    /**
     * The keystore opens with the password and holds a private key; with {@code openSsl}, none of its keys is an
     * EdDSA key, which the JDK's TLS serves but the OpenSSL engine fails every handshake with (internal_error).
     */
    static void checkKeyStore(Path file, String type, char[] password, boolean openSsl) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance(type.toUpperCase(java.util.Locale.ROOT));
            ks.load(in, password);
            boolean hasKey = false;
            for (String alias : Collections.list(ks.aliases())) {
                hasKey |= ks.isKeyEntry(alias);
                java.security.cert.Certificate certificate = ks.getCertificate(alias);
                if (openSsl && ks.isKeyEntry(alias) && certificate != null && CertificateKeys.isEdwardsCurve(certificate.getPublicKey())) {
                    throw new IllegalArgumentException(file + ": the key of alias '" + alias + "' is "
                            + CertificateKeys.edwardsCurve(certificate.getPublicKey()) + ", which the OpenSSL TLS engine cannot serve;"
                            + " use an EC P-256 or RSA key and certificate (warden certs issues EC P-256), or set engine: jdk");
                }
            }
            if (!hasKey) {
                throw new IllegalArgumentException(file + ": the keystore holds no private key");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot open the " + type + " keystore: wrong password or not a " + type + " file");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + ": cannot read the " + type + " keystore: " + e.getClass().getSimpleName());
        }
    }

    static List<X509Certificate> certificatesOf(Path file) {
        return certificates(file);
    }

    static List<X509Certificate> keyStoreCertificates(Path file, String type, char[] password) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance(type.toUpperCase(java.util.Locale.ROOT));
            ks.load(in, password);
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    return java.util.Arrays.stream(ks.getCertificateChain(alias)).map(c -> (X509Certificate) c).toList();
                }
            }
            return List.of();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(file + ": cannot read the " + type + " keystore");
        }
    }

    private static List<X509Certificate> certificates(Path file) {
        try {
            return CertificateFiles.readCertificates(file);
        } catch (CertsException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }
}
