package io.warden.certs;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CertificateKeysTest {

    @TempDir
    Path dir;

    @Test
    void edwardsCurveKeysAreCheckedAgainstTheirCertificate() throws Exception {
        for (String curve : List.of("Ed25519", "Ed448")) {
            KeyPair keys = KeyPairGenerator.getInstance(curve).generateKeyPair();
            KeyPair other = KeyPairGenerator.getInstance(curve).generateKeyPair();
            X509Certificate certificate = selfSigned(keys, curve);
            // As a listener's files are read: through PEM.
            CertificateFiles.writeCertificates(dir.resolve(curve + ".crt"), List.of(certificate), true);
            CertificateFiles.writePrivateKey(dir.resolve(curve + ".key"), keys.getPrivate(), true);
            CertificateFiles.writePrivateKey(dir.resolve(curve + "-other.key"), other.getPrivate(), true);
            X509Certificate read = CertificateFiles.readCertificates(dir.resolve(curve + ".crt")).get(0);

            assertThat(CertificateKeys.belongTogether(CertificateFiles.readPrivateKey(dir.resolve(curve + ".key")), read))
                    .as(curve).isTrue();
            assertThat(CertificateKeys.belongTogether(CertificateFiles.readPrivateKey(dir.resolve(curve + "-other.key")), read))
                    .as(curve).isFalse();
            assertThat(CertificateKeys.isEdwardsCurve(keys.getPrivate())).isTrue();
        }
    }

    @Test
    void aKeyOfAnotherAlgorithmThanTheCertificatesDoesNotBelong() throws Exception {
        KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        IssuedCertificate ec = CertificateIssuer.createCa("CA", Duration.ofDays(1), KeyType.EC_P256);
        assertThat(CertificateKeys.belongTogether(ed.getPrivate(), ec.certificate())).isFalse();
        assertThat(CertificateKeys.belongTogether(ec.privateKey(), selfSigned(ed, "Ed25519"))).isFalse();
        assertThat(CertificateKeys.belongTogether(ec.privateKey(), ec.certificate())).isTrue();
    }

    private static X509Certificate selfSigned(KeyPair keys, String algorithm) throws Exception {
        X500Name name = new X500Name("CN=" + algorithm);
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(now),
                Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic());
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder(algorithm).build(keys.getPrivate())));
    }
}
