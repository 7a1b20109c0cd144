package io.warden.authn.oauth;

/**
 * What a verified token establishes: who the client is and until when.
 *
 * @param principalName value of the configured principal claim (the name in {@code User:<name>})
 * @param expiresAtMs   the token's {@code exp}, epoch milliseconds; the session must not outlive it
 * @param subject       the {@code sub} claim, for audit when the principal comes from another claim; may be null
 */
public record ValidatedToken(String principalName, long expiresAtMs, String subject) {
}
