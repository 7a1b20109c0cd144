package io.warden.certs;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/** A CA with an Ed25519 or Ed448 key, as another tool makes one (init-ca makes only EC and RSA CAs). */
final class EdwardsCurveCa {

    private EdwardsCurveCa() {
    }

    /** Writes {@code ca.crt} and {@code ca.key} for a new CA on {@code curve} into {@code dir}, valid for a year. */
    static void write(Path dir, String curve) throws Exception {
        KeyPair keys = KeyPairGenerator.getInstance(curve).generateKeyPair();
        X500Name name = new X500Name("CN=" + curve + " CA");
        Instant now = Instant.now();
        var builder = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(now.minusSeconds(60)),
                Date.from(now.plus(Duration.ofDays(365))), name, keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign));
        CertificateFiles.writeCertificates(dir.resolve("ca.crt"), List.of(new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder(curve).build(keys.getPrivate())))), true);
        CertificateFiles.writePrivateKey(dir.resolve("ca.key"), keys.getPrivate(), true);
    }
}
