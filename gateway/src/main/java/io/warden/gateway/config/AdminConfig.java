package io.warden.gateway.config;

import io.warden.authn.oauth.JwtSettings;

import java.util.Map;
import java.util.Objects;

/**
 * The admin API's listener and who may use it.
 *
 * @param bindHost         interface to bind; loopback unless configured
 * @param port             the HTTP(S) port
 * @param tls              HTTPS; null for plain HTTP (loopback only)
 * @param jwt              how bearer tokens are checked (JWKS, issuer, audience, algorithms); null for none
 * @param rolesClaim       the token claim that lists the caller's roles
 * @param certificateRoles client certificate principals ({@code User:CN=ops,...}) and the role each has, for mTLS
 *                         admin clients
 * @param metrics          what {@code /metrics} records
 */
public record AdminConfig(String bindHost, int port, TlsConfig tls, JwtSettings jwt, String rolesClaim,
                          Map<String, String> certificateRoles, MetricsConfig metrics) {

    public static final String DEFAULT_ROLES_CLAIM = "roles";

    /** May read and change the policy. */
    public static final String POLICY_ADMIN = "policy-admin";

    /** May read the policy, its history and explanations, and change nothing. */
    public static final String AUDITOR = "auditor";

    /** May read {@code /metrics} only (for a Prometheus scraper); the two roles above may too. */
    public static final String METRICS_READER = "metrics-reader";

    /** Every role, as configured and as claimed by tokens. */
    public static final java.util.Set<String> ROLES = java.util.Set.of(POLICY_ADMIN, AUDITOR, METRICS_READER);

    public AdminConfig {
        Objects.requireNonNull(bindHost, "bindHost");
        certificateRoles = Map.copyOf(certificateRoles);
        rolesClaim = rolesClaim == null ? DEFAULT_ROLES_CLAIM : rolesClaim;
        metrics = metrics == null ? MetricsConfig.DEFAULT : metrics;
    }

    /** With the default metrics. */
    public AdminConfig(String bindHost, int port, TlsConfig tls, JwtSettings jwt, String rolesClaim,
                       Map<String, String> certificateRoles) {
        this(bindHost, port, tls, jwt, rolesClaim, certificateRoles, MetricsConfig.DEFAULT);
    }
}
