package io.warden.authn.oauth;

import com.nimbusds.jwt.JWTClaimsSet;
import io.warden.authn.sasl.AuthenticationFailure;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * Checks the claims of a token whose signature already verified. Unlike nimbus' default verifier, which checks
 * {@code exp} and {@code nbf} only when present, it requires {@code exp}, {@code iat} (as Kafka's broker does),
 * {@code iss}, {@code aud} and the principal claim, so a token without an expiry or meant for another service never
 * authenticates.
 */
final class ClaimsCheck {

    private final String issuer;
    private final String audience;
    private final String principalClaim;
    private final Duration skew;
    private final Clock clock;

    ClaimsCheck(JwtSettings settings, Clock clock) {
        this.issuer = settings.issuer();
        this.audience = settings.audience();
        this.principalClaim = settings.principalClaim();
        this.skew = settings.clockSkew();
        this.clock = clock;
    }

    ValidatedToken check(JWTClaimsSet claims) throws AuthenticationFailure {
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            throw TokenProblem.MISSING_CLAIM.failure("token has no exp (or it is not a number)");
        }
        // As Kafka's broker (BrokerJwtValidator requires exp and iat; ClaimValidationUtils refuses a negative iat).
        Date iat = claims.getIssueTime();
        if (iat == null) {
            throw TokenProblem.MISSING_CLAIM.failure("token has no iat (or it is not a number)");
        }
        if (iat.getTime() < 0) {
            throw TokenProblem.MISSING_CLAIM.failure("iat=" + iat.getTime() / 1000 + " is negative");
        }
        String iss = claims.getIssuer();
        if (iss == null) {
            throw TokenProblem.MISSING_CLAIM.failure("token has no iss (or it is not a string)");
        }
        if (!iss.equals(issuer)) {
            throw TokenProblem.WRONG_ISSUER.failure("iss=" + iss + " expected=" + issuer);
        }
        List<String> aud = claims.getAudience();
        if (aud.isEmpty()) {
            throw TokenProblem.MISSING_CLAIM.failure("token has no aud (or it is not a string or list of strings)");
        }
        if (!aud.contains(audience)) {
            throw TokenProblem.WRONG_AUDIENCE.failure("aud=" + aud + " does not contain " + audience);
        }
        Instant now = clock.instant();
        if (!exp.toInstant().plus(skew).isAfter(now)) {
            throw TokenProblem.EXPIRED.failure("exp=" + exp.toInstant() + " now=" + now + " skew=" + skew);
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nbf.toInstant().minus(skew).isAfter(now)) {
            throw TokenProblem.NOT_YET_VALID.failure("nbf=" + nbf.toInstant() + " now=" + now + " skew=" + skew);
        }
        return new ValidatedToken(principal(claims), exp.getTime(), claims.getSubject(), claims.getClaims());
    }

    private String principal(JWTClaimsSet claims) throws AuthenticationFailure {
        Object value = claims.getClaim(principalClaim);
        if (value == null) {
            throw TokenProblem.MISSING_CLAIM.failure("token has no " + principalClaim + " (the principal claim)");
        }
        if (!(value instanceof String name) || name.isBlank() || name.chars().anyMatch(Character::isISOControl)) {
            throw TokenProblem.MISSING_CLAIM.failure("principal claim " + principalClaim
                    + " is not a non-empty string of printable characters");
        }
        return name;
    }
}
