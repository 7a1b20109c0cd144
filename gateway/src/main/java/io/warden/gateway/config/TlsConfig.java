package io.warden.gateway.config;

import io.warden.authn.CertificatePrincipals;

import java.nio.file.Path;
import java.util.List;

/**
 * TLS on a listener: the server's certificate (PEM certificate chain and PKCS#8 key, or a PKCS#12/JKS keystore),
 * whether clients must present a certificate, and the CA certificates their certificates must chain to.
 * Validated at load: files readable, key matching certificate, keystore password right.
 *
 * @param certificate          PEM certificate chain (server first), or null when a keystore is used
 * @param key                  PEM PKCS#8 private key, or null when a keystore is used
 * @param keyStore             PKCS#12 or JKS keystore, or null when PEM files are used
 * @param keyStoreType         {@code pkcs12} or {@code jks}
 * @param keyStorePasswordEnv  the environment variable holding the keystore password (never the password itself)
 * @param clientAuth           whether clients present certificates
 * @param trustedCertificates  PEM CA certificates client certificates must chain to (required unless clientAuth is none)
 * @param protocols            enabled TLS versions, a subset of TLSv1.3 and TLSv1.2
 * @param principals           Kafka's {@code ssl.principal.mapping.rules}, compiled
 */
public record TlsConfig(Path certificate, Path key, Path keyStore, String keyStoreType, String keyStorePasswordEnv,
                        ClientAuth clientAuth, Path trustedCertificates, List<String> protocols,
                        CertificatePrincipals principals) {

    /** Kafka's {@code ssl.client.auth}: none, requested, required. */
    public enum ClientAuth { NONE, REQUESTED, REQUIRED }

    public TlsConfig {
        protocols = List.copyOf(protocols);
        principals = principals == null ? CertificatePrincipals.defaults() : principals;
    }

    /** The keystore password, read from its environment variable when the listener starts. */
    public String keyStorePassword() {
        return keyStorePasswordEnv == null ? null : System.getenv(keyStorePasswordEnv);
    }
}
