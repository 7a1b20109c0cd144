package io.warden.certs;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;

/** Key algorithms Warden issues certificates for: EC P-256 (the default) or RSA 3072. */
public enum KeyType {
    EC_P256("EC", "SHA256withECDSA"),
    RSA_3072("RSA", "SHA256withRSA");

    private final String algorithm;
    private final String signatureAlgorithm;

    KeyType(String algorithm, String signatureAlgorithm) {
        this.algorithm = algorithm;
        this.signatureAlgorithm = signatureAlgorithm;
    }

    /** Parses the command-line spelling: {@code ec} or {@code rsa}. */
    public static KeyType parse(String text) {
        return switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "ec", "ec-p256", "p256" -> EC_P256;
            case "rsa", "rsa-3072" -> RSA_3072;
            default -> throw new CertsException("unknown key type '" + text + "': expected ec (P-256) or rsa (3072 bits)");
        };
    }

    KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
            if (this == EC_P256) {
                g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            } else {
                g.initialize(3072, new SecureRandom());
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new CertsException("cannot generate a " + this + " key: " + e.getMessage(), e);
        }
    }

    String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    /**
     * The signature algorithm for certificates signed by this key: SHA-256 with RSA or ECDSA, or the key's own
     * curve for an Ed25519 or Ed448 key (a CA made by another tool), which the JDK verifies in TLS since Java 15.
     */
    static String signatureAlgorithmFor(java.security.PrivateKey signer) {
        if (CertificateKeys.isEdwardsCurve(signer)) {
            return CertificateKeys.edwardsCurve(signer);
        }
        return signer.getAlgorithm().equals("RSA") ? RSA_3072.signatureAlgorithm : EC_P256.signatureAlgorithm;
    }
}
