package io.warden.gateway.config;

import io.vertx.core.net.KeyStoreOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.warden.authn.CertificatePrincipals;
import io.warden.certs.SecretVariableNames;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
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
 * @param reloadCheck          how often the files are checked for changes (replaced files apply to new connections)
 * @param expiryWarning        certificates expiring within this long are warned about, at start and daily
 * @param engine               the TLS implementation: OpenSSL (BoringSSL, native) when available, else the JDK's
 * @param cipherSuites         the cipher suites offered, by their IANA/JDK names, as Kafka's {@code ssl.cipher.suites};
 *                             empty: the engine's defaults
 */
public record TlsConfig(Path certificate, Path key, Path keyStore, String keyStoreType, String keyStorePasswordEnv,
                        ClientAuth clientAuth, Path trustedCertificates, List<String> protocols,
                        CertificatePrincipals principals, Duration reloadCheck, Duration expiryWarning, Engine engine,
                        List<String> cipherSuites) {

    /** With the engine's default cipher suites. */
    public TlsConfig(Path certificate, Path key, Path keyStore, String keyStoreType, String keyStorePasswordEnv,
                     ClientAuth clientAuth, Path trustedCertificates, List<String> protocols,
                     CertificatePrincipals principals, Duration reloadCheck, Duration expiryWarning, Engine engine) {
        this(certificate, key, keyStore, keyStoreType, keyStorePasswordEnv, clientAuth, trustedCertificates, protocols,
                principals, reloadCheck, expiryWarning, engine, List.of());
    }

    /** Which TLS implementation terminates the listener's connections. */
    public enum Engine {
        /** OpenSSL when its native library loads on this machine, else the JDK's. */
        AUTO,
        JDK,
        OPENSSL;

        /** Whether this choice means OpenSSL on this machine. */
        public boolean usesOpenSsl() {
            return this == OPENSSL || this == AUTO && io.vertx.core.net.OpenSSLEngineOptions.isAvailable();
        }
    }

    /** With the engine chosen automatically. */
    public TlsConfig(Path certificate, Path key, Path keyStore, String keyStoreType, String keyStorePasswordEnv,
                     ClientAuth clientAuth, Path trustedCertificates, List<String> protocols,
                     CertificatePrincipals principals, Duration reloadCheck, Duration expiryWarning) {
        this(certificate, key, keyStore, keyStoreType, keyStorePasswordEnv, clientAuth, trustedCertificates, protocols,
                principals, reloadCheck, expiryWarning, Engine.AUTO);
    }

    public static final Duration DEFAULT_RELOAD_CHECK = Duration.ofSeconds(30);
    public static final Duration DEFAULT_EXPIRY_WARNING = Duration.ofDays(30);

    /** With the default reload check and expiry warning. */
    public TlsConfig(Path certificate, Path key, Path keyStore, String keyStoreType, String keyStorePasswordEnv,
                     ClientAuth clientAuth, Path trustedCertificates, List<String> protocols, CertificatePrincipals principals) {
        this(certificate, key, keyStore, keyStoreType, keyStorePasswordEnv, clientAuth, trustedCertificates, protocols,
                principals, DEFAULT_RELOAD_CHECK, DEFAULT_EXPIRY_WARNING);
    }

    /** The files this listener reads, for change detection. */
    public List<Path> files() {
        return java.util.stream.Stream.of(certificate, key, keyStore, trustedCertificates)
                .filter(java.util.Objects::nonNull).toList();
    }

    /**
     * Checks the files again (readable, key matches certificate, keystore opens, keys and trusted CAs the engine can
     * use); returns the server's certificate chain. Blocking: call off the event loop.
     *
     * @throws IllegalArgumentException naming the file and the problem
     */
    public List<java.security.cert.X509Certificate> validate() {
        if (keyStore != null) {
            String password = keyStorePassword();
            if (password == null) {
                throw new IllegalArgumentException(SecretVariableNames.describe(keyStorePasswordEnv) + " is not set");
            }
            TlsMaterial.checkKeyStore(keyStore, keyStoreType, password.toCharArray(), usesOpenSsl());
        } else {
            TlsMaterial.checkKeyPair(certificate, key);
        }
        if (trustedCertificates != null) {
            TlsMaterial.checkTrustedCertificates(trustedCertificates, usesOpenSsl() && clientAuth != ClientAuth.NONE);
        }
        return keyStore != null ? TlsMaterial.keyStoreCertificates(keyStore, keyStoreType, keyStorePassword().toCharArray())
                : TlsMaterial.certificatesOf(certificate);
    }

    /** Kafka's {@code ssl.client.auth}: none, requested, required. */
    public enum ClientAuth { NONE, REQUESTED, REQUIRED }

    /** True when this listener's connections are terminated by OpenSSL rather than the JDK. */
    public boolean usesOpenSsl() {
        return engine.usesOpenSsl();
    }

    public TlsConfig {
        engine = engine == null ? Engine.AUTO : engine;
        protocols = List.copyOf(protocols);
        cipherSuites = cipherSuites == null ? List.of() : List.copyOf(cipherSuites);
        principals = principals == null ? CertificatePrincipals.defaults() : principals;
        reloadCheck = reloadCheck == null ? DEFAULT_RELOAD_CHECK : reloadCheck;
        expiryWarning = expiryWarning == null ? DEFAULT_EXPIRY_WARNING : expiryWarning;
    }

    /** The keystore password, read from its environment variable when the listener starts. */
    public String keyStorePassword() {
        return keyStorePasswordEnv == null ? null : System.getenv(keyStorePasswordEnv);
    }

    /** Vert.x server TLS options for these files and settings (engine aside). */
    public ServerSSLOptions serverSslOptions() {
        TlsConfig tls = this;
        ServerSSLOptions ssl = new ServerSSLOptions().setEnabledSecureTransportProtocols(new LinkedHashSet<>(tls.protocols()));
        if (tls.keyStore() != null) {
            ssl.setKeyCertOptions(new KeyStoreOptions().setType(tls.keyStoreType())
                    .setPath(tls.keyStore().toString()).setPassword(tls.keyStorePassword()));
        } else {
            ssl.setKeyCertOptions(new PemKeyCertOptions()
                    .setCertPath(tls.certificate().toString()).setKeyPath(tls.key().toString()));
        }
        if (tls.trustedCertificates() != null) {
            ssl.setTrustOptions(new PemTrustOptions().addCertPath(tls.trustedCertificates().toString()));
        }
        tls.cipherSuites().forEach(ssl::addEnabledCipherSuite);
        ssl.setClientAuth(switch (tls.clientAuth()) {
            case NONE -> io.vertx.core.http.ClientAuth.NONE;
            case REQUESTED -> io.vertx.core.http.ClientAuth.REQUEST;
            case REQUIRED -> io.vertx.core.http.ClientAuth.REQUIRED;
        });
        return ssl;
    }

    /** The Vert.x options of the TLS engine this chooses. */
    public io.vertx.core.net.SSLEngineOptions engineOptions() {
        return usesOpenSsl() ? new io.vertx.core.net.OpenSSLEngineOptions() : new io.vertx.core.net.JdkSSLEngineOptions();
    }

    /**
     * Sets these TLS settings, engine included, on a server's own options (Vert.x takes a server's first TLS
     * settings from them; {@link #serverSslOptions()} is what a reload swaps in).
     */
    public void applyTo(io.vertx.core.net.NetServerOptions options) {
        ServerSSLOptions ssl = serverSslOptions();
        options.setSslEngineOptions(engineOptions());
        options.setSsl(true)
                .setEnabledSecureTransportProtocols(ssl.getEnabledSecureTransportProtocols())
                .setKeyCertOptions(ssl.getKeyCertOptions())
                .setClientAuth(ssl.getClientAuth());
        ssl.getEnabledCipherSuites().forEach(options::addEnabledCipherSuite);
        if (ssl.getTrustOptions() != null) {
            options.setTrustOptions(ssl.getTrustOptions());
        }
    }
}
