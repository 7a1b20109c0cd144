package io.warden.authn.oauth;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.SecurityContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;

/**
 * Lets at most one JWKS fetch through per minimum interval, whatever asks for it (cache expiry or a token with an
 * unknown {@code kid}), so tokens with made-up key ids cannot turn the gateway into a load generator against the
 * identity provider. Nimbus' own rate limiter allows two fetches per interval; this one is stricter. A refused fetch
 * throws {@link RateLimitReachedException}, and the cache above keeps serving the keys it has.
 */
final class RefreshLimitedJwkSetSource implements JWKSetSource<SecurityContext> {

    private static final Logger LOG = LoggerFactory.getLogger(RefreshLimitedJwkSetSource.class);

    private final JWKSetSource<SecurityContext> source;
    private final String name;
    private final long minIntervalMs;
    private long nextAllowedMs = Long.MIN_VALUE;

    RefreshLimitedJwkSetSource(JWKSetSource<SecurityContext> source, String name, Duration minInterval) {
        this.source = source;
        this.name = name;
        this.minIntervalMs = minInterval.toMillis();
    }

    @Override
    public JWKSet getJWKSet(JWKSetCacheRefreshEvaluator refreshEvaluator, long currentTime, SecurityContext context)
            throws KeySourceException {
        synchronized (this) {
            if (currentTime < nextAllowedMs) {
                LOG.debug("jwks_fetch_skipped url={} reason=rate_limited next_allowed_in_ms={}", name, nextAllowedMs - currentTime);
                throw new RateLimitReachedException();
            }
            nextAllowedMs = currentTime + minIntervalMs;
        }
        try {
            JWKSet keys = source.getJWKSet(refreshEvaluator, currentTime, context);
            LOG.info("jwks_fetched url={} keys={}", name, keys.size());
            return keys;
        } catch (KeySourceException e) {
            LOG.warn("jwks_fetch_failed url={} reason=\"{}\"", name, e.getMessage());
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        source.close();
    }
}
