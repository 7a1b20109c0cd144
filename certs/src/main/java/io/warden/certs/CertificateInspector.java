package io.warden.certs;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/** A human-readable summary of a certificate: who, for what names, by whom, how long, and its fingerprint. */
public final class CertificateInspector {

    private CertificateInspector() {
    }

    public static String describe(X509Certificate c) {
        StringBuilder out = new StringBuilder();
        out.append("subject:      ").append(c.getSubjectX500Principal().getName()).append('\n');
        out.append("issuer:       ").append(c.getIssuerX500Principal().getName()).append('\n');
        List<String> sans = subjectAlternativeNames(c);
        out.append("names (SAN):  ").append(sans.isEmpty() ? "none" : String.join(", ", sans)).append('\n');
        out.append("valid from:   ").append(c.getNotBefore().toInstant()).append('\n');
        out.append("valid until:  ").append(c.getNotAfter().toInstant()).append('\n');
        out.append("key:          ").append(keyDescription(c)).append('\n');
        out.append("CA:           ").append(c.getBasicConstraints() >= 0 ? "yes" : "no").append('\n');
        out.append("SHA-256:      ").append(sha256Fingerprint(c)).append('\n');
        return out.toString();
    }

    /** Colon-separated upper-case hex of SHA-256 over the DER encoding, as {@code openssl x509 -fingerprint} prints. */
    public static String sha256Fingerprint(X509Certificate c) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(c.getEncoded());
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new CertsException("cannot fingerprint the certificate: " + e.getMessage(), e);
        }
    }

    private static List<String> subjectAlternativeNames(X509Certificate c) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> names = c.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> n : names) {
                    int type = (Integer) n.get(0);
                    out.add((type == 2 ? "DNS:" : type == 7 ? "IP:" : "type" + type + ":") + n.get(1));
                }
            }
        } catch (CertificateParsingException e) {
            out.add("(unreadable: " + e.getMessage() + ")");
        }
        return out;
    }

    private static String keyDescription(X509Certificate c) {
        if (c.getPublicKey() instanceof RSAKey rsa) {
            return "RSA " + rsa.getModulus().bitLength() + " bits";
        }
        if (c.getPublicKey() instanceof ECKey ec) {
            return "EC " + ec.getParams().getCurve().getField().getFieldSize() + " bits";
        }
        return c.getPublicKey().getAlgorithm().toUpperCase(Locale.ROOT);
    }
}
