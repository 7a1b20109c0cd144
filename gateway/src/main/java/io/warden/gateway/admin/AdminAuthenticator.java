package io.warden.gateway.admin;

import io.vertx.core.http.HttpServerRequest;
import io.warden.authn.sasl.AuthenticationFailure;
import io.warden.authn.oauth.JwtValidator;
import io.warden.authn.oauth.ValidatedToken;
import io.warden.gateway.config.AdminConfig;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Who is calling the admin API: a client certificate mapped to a role ({@code admin.certificateRoles}), else a JWT
 * bearer token verified with nimbus-jose-jwt (signature with the configured keys, algorithm allow-list — never
 * {@code none} —, issuer, audience and expiry) whose roles claim names the caller's roles. May block (JWKS fetch).
 */
final class AdminAuthenticator {

    /** An authenticated admin caller. */
    record Identity(String principal, Set<String> roles, String mechanism) {
    }

    /**
     * Why a caller is not let in: the HTTP status (401) and a message that names the problem, never the token; the
     * caller hears only the message, the audit trail gets the detail too (which claim, which key, which issuer).
     */
    static final class Refusal extends Exception {
        private final int status;
        private final String mechanism;
        private final String detail;

        Refusal(int status, String message, String mechanism) {
            this(status, message, mechanism, message);
        }

        Refusal(int status, String message, String mechanism, String detail) {
            super(message, null, false, false);
            this.status = status;
            this.mechanism = mechanism;
            this.detail = detail;
        }

        int status() {
            return status;
        }

        /** The reason in full, for the audit trail and the log. */
        String detail() {
            return detail;
        }

        String mechanism() {
            return mechanism;
        }
    }

    private final AdminConfig config;
    private final JwtValidator jwt;

    AdminAuthenticator(AdminConfig config, JwtValidator jwt) {
        this.config = config;
        this.jwt = jwt;
    }

    Identity authenticate(HttpServerRequest request) throws Refusal {
        if (jwt == null && config.certificateRoles().isEmpty()) {
            throw new Refusal(401, "no admin authentication is configured (admin.jwt or admin.certificateRoles), "
                    + "so this gateway serves only /health and /metrics", "-");
        }
        String certificatePrincipal = certificatePrincipal(request);
        if (certificatePrincipal != null && config.certificateRoles().containsKey(certificatePrincipal)) {
            return new Identity(certificatePrincipal, Set.of(config.certificateRoles().get(certificatePrincipal)), "mtls");
        }
        String header = request.getHeader("Authorization");
        if (header == null || header.isBlank()) {
            throw new Refusal(401, certificatePrincipal == null
                    ? "authentication required: send Authorization: Bearer <token>" + (config.certificateRoles().isEmpty() ? "" : " or a client certificate with an admin role")
                    : "client certificate " + certificatePrincipal + " has no admin role, and no bearer token was sent", "-");
        }
        if (jwt == null) {
            throw new Refusal(401, "bearer tokens are not accepted here; authenticate with a client certificate", "bearer");
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new Refusal(401, "Authorization must be 'Bearer <token>'", "bearer");
        }
        ValidatedToken token;
        try {
            token = jwt.validate(header.substring(7).trim());
        } catch (AuthenticationFailure e) {
            // The category only (expired, wrong audience, ...): the expected issuer and audience, key ids and JWKS
            // errors are for the audit trail.
            String prefix = AuthenticationFailure.CLIENT_PREFIX;
            String category = e.clientMessage().startsWith(prefix) ? e.clientMessage().substring(prefix.length()) : e.clientMessage();
            throw new Refusal(401, "invalid bearer token: " + category, "bearer", "invalid bearer token: " + e.getMessage());
        }
        List<String> claimed = token.stringList(config.rolesClaim());
        Set<String> roles = new LinkedHashSet<>();
        for (String role : claimed) {
            if (AdminConfig.ROLES.contains(role)) {
                roles.add(role);
            }
        }
        return new Identity("User:" + token.principalName(), roles, "bearer");
    }

    private String certificatePrincipal(HttpServerRequest request) {
        if (config.tls() == null || !request.isSSL()) {
            return null;
        }
        try {
            List<Certificate> chain = request.connection().peerCertificates();
            if (!chain.isEmpty() && chain.get(0) instanceof X509Certificate x509) {
                return config.tls().principals().principalOf(x509);
            }
        } catch (SSLPeerUnverifiedException | IllegalArgumentException none) {
            return null;
        }
        return null;
    }
}
