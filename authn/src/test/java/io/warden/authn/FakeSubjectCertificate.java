package io.warden.authn;

import javax.security.auth.x500.X500Principal;
import java.math.BigInteger;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.Set;

/** Only a subject: the mapping tests need no key, signature or validity. */
final class FakeSubjectCertificate extends X509Certificate {

    private final X500Principal subject;

    FakeSubjectCertificate(X500Principal subject) {
        this.subject = subject;
    }

    @Override
    public X500Principal getSubjectX500Principal() {
        return subject;
    }

    @Override public void checkValidity() { }
    @Override public void checkValidity(Date date) { }
    @Override public int getVersion() { return 3; }
    @Override public BigInteger getSerialNumber() { return BigInteger.ONE; }
    @Override public java.security.Principal getIssuerDN() { return subject; }
    @Override public java.security.Principal getSubjectDN() { return subject; }
    @Override public Date getNotBefore() { return new Date(0); }
    @Override public Date getNotAfter() { return new Date(0); }
    @Override public byte[] getTBSCertificate() { return new byte[0]; }
    @Override public byte[] getSignature() { return new byte[0]; }
    @Override public String getSigAlgName() { return "none"; }
    @Override public String getSigAlgOID() { return "0"; }
    @Override public byte[] getSigAlgParams() { return null; }
    @Override public boolean[] getIssuerUniqueID() { return null; }
    @Override public boolean[] getSubjectUniqueID() { return null; }
    @Override public boolean[] getKeyUsage() { return null; }
    @Override public int getBasicConstraints() { return -1; }
    @Override public byte[] getEncoded() { return new byte[0]; }
    @Override public void verify(PublicKey key) { }
    @Override public void verify(PublicKey key, String sigProvider) { }
    @Override public String toString() { return subject.getName(); }
    @Override public PublicKey getPublicKey() { return null; }
    @Override public boolean hasUnsupportedCriticalExtension() { return false; }
    @Override public Set<String> getCriticalExtensionOIDs() { return null; }
    @Override public Set<String> getNonCriticalExtensionOIDs() { return null; }
    @Override public byte[] getExtensionValue(String oid) { return null; }
}
