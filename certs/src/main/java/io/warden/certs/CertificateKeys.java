package io.warden.certs;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.EdECKey;

/** Whether a private key is the one a certificate was issued for. Stateless and thread-safe. */
public final class CertificateKeys {

    private static final SecureRandom RANDOM = new SecureRandom();

    private CertificateKeys() {
    }

    /**
     * Signs a random challenge with the key and verifies it with the certificate's public key. RSA, EC and EdDSA
     * (Ed25519, Ed448) keys are checked; a key of another algorithm, or of another algorithm than the certificate's,
     * does not belong.
     */
    public static boolean belongTogether(PrivateKey key, X509Certificate certificate) {
        // EdDSA signs the message itself, no digest first; the key says which curve.
        String algorithm = isEdwardsCurve(key) ? "EdDSA" : switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            default -> null;
        };
        if (algorithm == null) {
            return false;
        }
        try {
            byte[] challenge = new byte[32];
            RANDOM.nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** True for an Ed25519 or Ed448 key, private or public, whichever provider read it. */
    public static boolean isEdwardsCurve(Key key) {
        return switch (key.getAlgorithm()) {
            case "EdDSA", "Ed25519", "Ed448" -> true;
            default -> false;
        };
    }

    /** The curve of an Ed25519 or Ed448 key, "Ed25519" or "Ed448", which is also the name of its signature algorithm. */
    public static String edwardsCurve(Key key) {
        // The JDK's keys are named "EdDSA" and carry the curve; BouncyCastle's are named after the curve.
        return key instanceof EdECKey ed ? ed.getParams().getName() : key.getAlgorithm();
    }
}
