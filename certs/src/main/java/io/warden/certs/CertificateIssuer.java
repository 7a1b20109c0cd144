package io.warden.certs;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * Creates a root CA and issues server and client certificates from it, with BouncyCastle. Server certificates
 * carry their DNS names and IP addresses as subject alternative names and the serverAuth usage; client
 * certificates carry clientAuth, and their subject reads {@code CN=<cn>,OU=<ou>} the way Kafka prints an mTLS
 * principal ({@code User:CN=alice,OU=payments}). An issued certificate is valid for the validity asked, or until
 * the CA certificate ends if that comes first.
 */
public final class CertificateIssuer {

    /** Certificates start a little in the past, so a peer whose clock runs behind accepts them at once. */
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final java.util.regex.Pattern DNS_LABEL =
            java.util.regex.Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?");

    private CertificateIssuer() {
    }

    public static IssuedCertificate createCa(String commonName, Duration validity, KeyType keyType) {
        KeyPair keys = keyType.generate();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
        try {
            JcaX509v3CertificateBuilder b = builder(subject, subject, validity, Instant.MAX, keys.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            X509Certificate cert = sign(b, keys, keyType.signatureAlgorithm());
            return new IssuedCertificate(cert, keys.getPrivate(), List.of());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new CertsException("cannot create the CA certificate: " + e.getMessage(), e);
        }
    }

    public static IssuedCertificate issueServer(IssuedCertificate ca, String commonName, List<String> dnsNames,
                                                List<String> ipAddresses, Duration validity, KeyType keyType) {
        if (dnsNames.isEmpty() && ipAddresses.isEmpty()) {
            throw new CertsException("a server certificate needs at least one DNS name or IP address (--dns, --ip)");
        }
        List<GeneralName> names = new ArrayList<>();
        dnsNames.forEach(d -> names.add(new GeneralName(GeneralName.dNSName, requireDnsName(d))));
        for (String ip : ipAddresses) {
            names.add(new GeneralName(GeneralName.iPAddress, requireIpLiteral(ip)));
        }
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
        return issue(ca, subject, keyType, validity, KeyPurposeId.id_kp_serverAuth,
                new GeneralNames(names.toArray(GeneralName[]::new)));
    }

    public static IssuedCertificate issueClient(IssuedCertificate ca, String commonName, List<String> organizationalUnits,
                                                Duration validity, KeyType keyType) {
        X500NameBuilder name = new X500NameBuilder(BCStyle.INSTANCE);
        // RFC 2253 prints RDNs last-first: encode OUs before CN so the DN reads CN=...,OU=... as in Kafka's principal.
        for (int i = organizationalUnits.size() - 1; i >= 0; i--) {
            name.addRDN(BCStyle.OU, organizationalUnits.get(i));
        }
        name.addRDN(BCStyle.CN, commonName);
        return issue(ca, name.build(), keyType, validity, KeyPurposeId.id_kp_clientAuth, null);
    }

    private static IssuedCertificate issue(IssuedCertificate ca, X500Name subject, KeyType keyType, Duration validity,
                                           KeyPurposeId purpose, GeneralNames alternativeNames) {
        KeyPair keys = keyType.generate();
        try {
            X500Name issuer = X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
            // A certificate that outlived its CA would be refused by every peer from then on: it ends with the CA at the latest.
            JcaX509v3CertificateBuilder b = builder(issuer, subject, validity, ca.certificate().getNotAfter().toInstant(), keys.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            int usage = KeyUsage.digitalSignature | (keyType == KeyType.RSA_3072 ? KeyUsage.keyEncipherment : 0);
            b.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca.certificate()));
            if (alternativeNames != null) {
                b.addExtension(Extension.subjectAlternativeName, false, alternativeNames);
            }
            X509Certificate cert = sign(b, new KeyPair(ca.certificate().getPublicKey(), ca.privateKey()),
                    KeyType.signatureAlgorithmFor(ca.privateKey()));
            List<X509Certificate> issuers = new ArrayList<>();
            issuers.add(ca.certificate());
            issuers.addAll(ca.issuers());
            return new IssuedCertificate(cert, keys.getPrivate(), issuers);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new CertsException("cannot issue the certificate: " + e.getMessage(), e);
        }
    }

    private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, Duration validity, Instant latestEnd,
                                                       PublicKey key) {
        if (validity.isNegative() || validity.isZero()) {
            throw new CertsException("validity must be positive");
        }
        Instant now = Instant.now();
        Instant end = now.plus(validity).isAfter(latestEnd) ? latestEnd : now.plus(validity);
        BigInteger serial = new BigInteger(127, RANDOM).add(BigInteger.ONE);
        return new JcaX509v3CertificateBuilder(issuer, serial, Date.from(now.minus(CLOCK_SKEW)), Date.from(end), subject, key);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer, String algorithm) throws GeneralSecurityException {
        try {
            var signerOp = new JcaContentSignerBuilder(algorithm).build(signer.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(b.build(signerOp));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    /**
     * A host name as a client compares it with the name it connects to: dot-separated labels of letters, digits,
     * hyphens (and underscores, which some internal names use), a leftmost {@code *} for a wildcard. Anything else
     * (a port, a URL, a space) would make a certificate that matches no host.
     */
    private static String requireDnsName(String name) {
        if (org.bouncycastle.util.IPAddress.isValid(name)) {
            throw new CertsException("'" + name + "' is an IP address; put IP addresses in --ip");
        }
        String[] labels = name.split("\\.", -1);
        boolean valid = !name.isEmpty() && name.length() <= 253;
        for (int i = 0; valid && i < labels.length; i++) {
            valid = DNS_LABEL.matcher(labels[i]).matches() || i == 0 && labels.length > 1 && labels[i].equals("*");
        }
        if (!valid) {
            throw new CertsException("'" + name + "' is not a DNS name: dot-separated labels of letters, digits and hyphens, "
                    + "optionally '*.' first for a wildcard (no port, no scheme)");
        }
        return name;
    }

    private static String requireIpLiteral(String ip) {
        // Only literals: resolving a host name here would silently put someone else's address in the certificate.
        if (!org.bouncycastle.util.IPAddress.isValid(ip)) {
            throw new CertsException("'" + ip + "' is not an IP address; put host names in --dns");
        }
        return ip;
    }
}
