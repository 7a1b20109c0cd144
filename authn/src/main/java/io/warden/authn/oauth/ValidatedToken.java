package io.warden.authn.oauth;

/**
 * What a verified token establishes: who the client is and until when.
 *
 * @param principalName value of the configured principal claim (the name in {@code User:<name>})
 * @param expiresAtMs   the token's {@code exp}, epoch milliseconds; the session must not outlive it
 * @param subject       the {@code sub} claim, for audit when the principal comes from another claim; may be null
 * @param claims        every verified claim, e.g. the roles an admin token carries
 */
public record ValidatedToken(String principalName, long expiresAtMs, String subject, java.util.Map<String, Object> claims) {

    public ValidatedToken {
        claims = claims == null ? java.util.Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(claims));
    }

    public ValidatedToken(String principalName, long expiresAtMs, String subject) {
        this(principalName, expiresAtMs, subject, null);
    }

    /**
     * The strings of a claim that is a list of strings or one space-separated string (as OAuth {@code scope} is);
     * empty when the token does not carry it.
     */
    public java.util.List<String> stringList(String claim) {
        Object value = claims.get(claim);
        if (value instanceof java.util.Collection<?> c) {
            return c.stream().filter(String.class::isInstance).map(String.class::cast).toList();
        }
        if (value instanceof String s && !s.isBlank()) {
            return java.util.List.of(s.trim().split("\\s+"));
        }
        return java.util.List.of();
    }
}
