package io.warden.authn;

import org.apache.kafka.common.security.ssl.SslPrincipalMapper;

import java.io.IOException;
import java.security.cert.X509Certificate;

/**
 * The principal of a TLS client, derived from its certificate exactly as a Kafka broker does: the subject in
 * RFC 2253 form run through {@code ssl.principal.mapping.rules} ({@code RULE:pattern/replacement/[LU]},
 * {@code DEFAULT}), prefixed with {@code User:}. Kafka's own {@link SslPrincipalMapper} applies the rules, so the
 * semantics cannot drift from the brokers'. Immutable and thread-safe.
 */
public final class CertificatePrincipals {

    /** The principal of a client that presented no certificate. */
    public static final String ANONYMOUS = "User:ANONYMOUS";

    private final SslPrincipalMapper mapper;
    private final String rules;

    private CertificatePrincipals(String rules) {
        this.rules = rules;
        this.mapper = SslPrincipalMapper.fromRules(rules);
    }

    /** Kafka's default: the whole subject DN. */
    public static CertificatePrincipals defaults() {
        return new CertificatePrincipals("DEFAULT");
    }

    /**
     * Parses rules in Kafka's syntax.
     *
     * @throws IllegalArgumentException naming the rule Kafka could not parse
     */
    public static CertificatePrincipals fromRules(String rules) {
        if (rules == null || rules.isBlank()) {
            throw new IllegalArgumentException("no rules given; use DEFAULT for the whole subject DN");
        }
        return new CertificatePrincipals(rules);
    }

    /**
     * The principal for this client certificate.
     *
     * @throws IllegalArgumentException when a rule maps the subject to an empty name (Kafka refuses such clients)
     */
    public String principalOf(X509Certificate certificate) {
        String dn = certificate.getSubjectX500Principal().getName();
        try {
            String name = mapper.getName(dn);
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("the principal mapping rules map '" + dn + "' to an empty name");
            }
            return "User:" + name;
        } catch (IOException e) {
            throw new IllegalArgumentException("no principal mapping rule matches '" + dn + "'", e);
        }
    }

    @Override
    public String toString() {
        return rules;
    }
}
