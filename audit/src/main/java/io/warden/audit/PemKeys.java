package io.warden.audit;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;

/**
 * Reads the digest signing key and its public half from PEM files, as operators produce them with
 * {@code openssl genpkey -algorithm ed25519} or {@code openssl ecparam -genkey -name prime256v1}, and names the
 * signature algorithm each key type signs with.
 */
public final class PemKeys {

    private static final String ED25519_OID = "1.3.101.112";
    private static final String EC_OID = "1.2.840.10045.2.1";
    private static final String RSA_OID = "1.2.840.113549.1.1.1";

    private PemKeys() {
    }

    /**
     * Creates a new Ed25519 signing key: the private key as PKCS#8 PEM, created owner-only (0600) where the file
     * system supports it, and its public half as a {@code PUBLIC KEY} PEM. Refuses to overwrite either file.
     */
    public static void generateEd25519(Path privatePem, Path publicPem) throws IOException, GeneralSecurityException {
        if (Files.exists(privatePem) || Files.exists(publicPem)) {
            throw new IOException("refusing to overwrite " + (Files.exists(privatePem) ? privatePem : publicPem));
        }
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Path parent = privatePem.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            Files.createFile(privatePem, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(privatePem);
        }
        Files.writeString(privatePem, pem("PRIVATE KEY", pair.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
        Files.writeString(publicPem, pem("PUBLIC KEY", pair.getPublic().getEncoded()), StandardCharsets.US_ASCII,
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** A private key from a PKCS#8 ({@code PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}) PEM file. */
    public static PrivateKey readPrivateKey(Path pem) throws IOException, GeneralSecurityException {
        Object o = readObject(pem);
        PrivateKeyInfo info;
        if (o instanceof PrivateKeyInfo p) {
            info = p;
        } else if (o instanceof PEMKeyPair kp) {
            return new JcaPEMKeyConverter().getPrivateKey(kp.getPrivateKeyInfo());
        } else {
            throw new GeneralSecurityException("no unencrypted private key in " + pem);
        }
        String alg = keyFactoryAlgorithm(info.getPrivateKeyAlgorithm().getAlgorithm().getId());
        return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
    }

    /** A public key from a {@code PUBLIC KEY} PEM file, a certificate, or the public half of a key pair file. */
    public static PublicKey readPublicKey(Path pem) throws IOException, GeneralSecurityException {
        Object o = readObject(pem);
        SubjectPublicKeyInfo info;
        if (o instanceof SubjectPublicKeyInfo s) {
            info = s;
        } else if (o instanceof X509CertificateHolder c) {
            info = c.getSubjectPublicKeyInfo();
        } else if (o instanceof PEMKeyPair kp) {
            return new JcaPEMKeyConverter().getKeyPair(kp).getPublic();
        } else {
            throw new GeneralSecurityException("no public key in " + pem);
        }
        String alg = keyFactoryAlgorithm(info.getAlgorithm().getAlgorithm().getId());
        return KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(info.getEncoded()));
    }

    /** The JCA signature algorithm used with a key: Ed25519, SHA256withECDSA or SHA256withRSA. */
    public static String signatureAlgorithm(Key key) throws GeneralSecurityException {
        return switch (key.getAlgorithm()) {
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> throw new GeneralSecurityException("unsupported signing key algorithm " + key.getAlgorithm());
        };
    }

    private static String keyFactoryAlgorithm(String oid) throws GeneralSecurityException {
        return switch (oid) {
            case ED25519_OID -> "Ed25519";
            case EC_OID -> "EC";
            case RSA_OID -> "RSA";
            default -> throw new GeneralSecurityException("unsupported key algorithm " + oid);
        };
    }

    private static Object readObject(Path pem) throws IOException, GeneralSecurityException {
        try (Reader r = Files.newBufferedReader(pem, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            Object o = p.readObject();
            if (o == null) {
                throw new GeneralSecurityException("no PEM object in " + pem);
            }
            return o;
        }
    }
}
