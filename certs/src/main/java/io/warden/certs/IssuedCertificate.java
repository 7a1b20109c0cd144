package io.warden.certs;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * A certificate with its private key and the certificates of its issuers (empty for a self-signed CA).
 */
public record IssuedCertificate(X509Certificate certificate, PrivateKey privateKey, List<X509Certificate> issuers) {

    public IssuedCertificate {
        issuers = List.copyOf(issuers);
    }

    /** The certificate followed by its issuers, as a TLS peer presents it. */
    public List<X509Certificate> chain() {
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(certificate);
        chain.addAll(issuers);
        return chain;
    }
}
