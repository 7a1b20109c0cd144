package io.warden.authn.oauth;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * How OAUTHBEARER tokens are checked: where the identity provider's public keys come from, whom the tokens must be
 * issued by and for, and which signature algorithms count. Validated on construction, so a gateway never starts with
 * a configuration that would accept unsigned or HMAC-signed tokens, fetch keys over plain HTTP, or leave issuer and
 * audience unchecked.
 *
 * @param jwksUrl            https URL of the JWKS; exactly one of this and {@code jwksFile}
 * @param jwksFile           local JWKS file; exactly one of this and {@code jwksUrl}
 * @param trustedCaFile      PEM file with the CA certificates trusted for the https JWKS; null: the JVM trust store
 * @param issuer             required exact value of {@code iss}
 * @param audience           value {@code aud} must contain
 * @param allowedAlgorithms  JWS algorithms accepted; null: {@link #DEFAULT_ALGORITHMS}
 * @param principalClaim     claim naming the principal; null: {@code sub}
 * @param clockSkew          tolerance for {@code exp} and {@code nbf}; null: 30 s
 * @param minRefreshInterval least time between two JWKS fetches (or file checks); null: 10 s
 * @param cacheLifetime      how long a fetched JWKS is used before it is fetched again; null: 5 min
 */
public record JwtSettings(URI jwksUrl, Path jwksFile, Path trustedCaFile, String issuer, String audience,
                          Set<String> allowedAlgorithms, String principalClaim, Duration clockSkew,
                          Duration minRefreshInterval, Duration cacheLifetime) {

    /** Asymmetric signature algorithms the JDK verifies without extra providers. */
    public static final List<String> DEFAULT_ALGORITHMS =
            List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");
    public static final String DEFAULT_PRINCIPAL_CLAIM = "sub";
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MIN_REFRESH_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_CACHE_LIFETIME = Duration.ofMinutes(5);

    private static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    public JwtSettings {
        if (jwksUrl == null && jwksFile == null) {
            throw new IllegalArgumentException("a JWKS source is required: set either the jwks url or the jwks file");
        }
        if (jwksUrl != null && jwksFile != null) {
            throw new IllegalArgumentException("set either the jwks url or the jwks file, not both");
        }
        if (jwksUrl != null) {
            requireHttps(jwksUrl);
        }
        if (trustedCaFile != null && jwksUrl == null) {
            throw new IllegalArgumentException("a trusted CA file applies only to an https jwks url, not to a jwks file");
        }
        issuer = requireText(issuer, "issuer");
        audience = requireText(audience, "audience");
        allowedAlgorithms = checkAlgorithms(allowedAlgorithms == null ? DEFAULT_ALGORITHMS : allowedAlgorithms);
        principalClaim = principalClaim == null ? DEFAULT_PRINCIPAL_CLAIM : requireText(principalClaim, "principal claim");
        clockSkew = clockSkew == null ? DEFAULT_CLOCK_SKEW : clockSkew;
        if (clockSkew.isNegative() || clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
            throw new IllegalArgumentException("clock skew must be between 0 and " + MAX_CLOCK_SKEW + ", got " + clockSkew);
        }
        minRefreshInterval = minRefreshInterval == null ? DEFAULT_MIN_REFRESH_INTERVAL : minRefreshInterval;
        if (minRefreshInterval.isNegative() || minRefreshInterval.isZero()) {
            throw new IllegalArgumentException("minimum JWKS refresh interval must be positive, got " + minRefreshInterval);
        }
        cacheLifetime = cacheLifetime == null ? DEFAULT_CACHE_LIFETIME : cacheLifetime;
        if (cacheLifetime.compareTo(minRefreshInterval) <= 0) {
            throw new IllegalArgumentException("JWKS cache lifetime (" + cacheLifetime
                    + ") must be longer than the minimum refresh interval (" + minRefreshInterval + ")");
        }
    }

    /**
     * Settings from configuration text with every optional value at its default; blank strings count as unset.
     *
     * @throws IllegalArgumentException naming the first bad setting
     */
    public static JwtSettings of(String jwksUrl, String jwksFile, String issuer, String audience) {
        URI url = blank(jwksUrl) ? null : parseUrl(jwksUrl.strip());
        Path file = blank(jwksFile) ? null : Path.of(jwksFile.strip());
        return new JwtSettings(url, file, null, issuer, audience, null, null, null, null, null);
    }

    public JwtSettings withTrustedCaFile(Path file) {
        return new JwtSettings(jwksUrl, jwksFile, file, issuer, audience, allowedAlgorithms, principalClaim, clockSkew,
                minRefreshInterval, cacheLifetime);
    }

    public JwtSettings withAllowedAlgorithms(Collection<String> algorithms) {
        return new JwtSettings(jwksUrl, jwksFile, trustedCaFile, issuer, audience, algorithms == null ? null : Set.copyOf(algorithms),
                principalClaim, clockSkew, minRefreshInterval, cacheLifetime);
    }

    public JwtSettings withPrincipalClaim(String claim) {
        return new JwtSettings(jwksUrl, jwksFile, trustedCaFile, issuer, audience, allowedAlgorithms, claim, clockSkew,
                minRefreshInterval, cacheLifetime);
    }

    public JwtSettings withClockSkew(Duration skew) {
        return new JwtSettings(jwksUrl, jwksFile, trustedCaFile, issuer, audience, allowedAlgorithms, principalClaim, skew,
                minRefreshInterval, cacheLifetime);
    }

    public JwtSettings withMinRefreshInterval(Duration interval) {
        return new JwtSettings(jwksUrl, jwksFile, trustedCaFile, issuer, audience, allowedAlgorithms, principalClaim,
                clockSkew, interval, cacheLifetime);
    }

    public JwtSettings withCacheLifetime(Duration lifetime) {
        return new JwtSettings(jwksUrl, jwksFile, trustedCaFile, issuer, audience, allowedAlgorithms, principalClaim,
                clockSkew, minRefreshInterval, lifetime);
    }

    private static URI parseUrl(String text) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("jwks url is not a valid URL: " + e.getMessage());
        }
    }

    private static void requireHttps(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https")) {
            throw new IllegalArgumentException("jwks url must use https (keys fetched over plain HTTP could be replaced "
                    + "in transit), got " + url);
        }
        if (url.getHost() == null || url.getHost().isEmpty()) {
            throw new IllegalArgumentException("jwks url has no host: " + url);
        }
    }

    private static Set<String> checkAlgorithms(Collection<String> configured) {
        if (configured.isEmpty()) {
            throw new IllegalArgumentException("allowed algorithms must not be empty; default: " + DEFAULT_ALGORITHMS);
        }
        Set<String> result = new LinkedHashSet<>();
        for (String name : configured) {
            String alg = name == null ? "" : name.strip().toUpperCase(Locale.ROOT);
            if (alg.equals("NONE")) {
                throw new IllegalArgumentException("algorithm 'none' is refused: unsigned tokens are never accepted");
            }
            if (alg.startsWith("HS")) {
                throw new IllegalArgumentException("algorithm " + alg + " is refused: HMAC algorithms use a shared secret, "
                        + "and tokens must be verified with the identity provider's public keys");
            }
            if (!DEFAULT_ALGORITHMS.contains(alg)) {
                throw new IllegalArgumentException("unsupported algorithm '" + name + "': expected some of " + DEFAULT_ALGORITHMS);
            }
            result.add(alg);
        }
        return Collections.unmodifiableSet(result);
    }

    private static String requireText(String value, String what) {
        if (blank(value)) {
            throw new IllegalArgumentException(what + " is required");
        }
        return value.strip();
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
