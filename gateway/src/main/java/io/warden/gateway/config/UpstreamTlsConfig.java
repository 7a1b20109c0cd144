package io.warden.gateway.config;

import java.nio.file.Path;

/**
 * TLS from the gateway to the brokers, for the proxied connections and the gateway's own metadata lookups.
 *
 * @param trustedCertificates  PEM CA certificates the brokers' certificates must chain to
 * @param certificate          PEM certificate chain the gateway presents to brokers (mTLS), or null
 * @param key                  its PEM PKCS#8 key, or null
 * @param hostnameVerification check that each broker's certificate names the host it is reached at (on by default)
 */
public record UpstreamTlsConfig(Path trustedCertificates, Path certificate, Path key, boolean hostnameVerification) {
}
