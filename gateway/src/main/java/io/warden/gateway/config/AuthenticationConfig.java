package io.warden.gateway.config;

import io.warden.authn.oauth.JwtSettings;
import io.warden.authn.store.SecretsManagerSettings;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How SASL clients are authenticated, for every SASL listener: where SCRAM/PLAIN users come from (a local file or
 * AWS Secrets Manager, exactly one), how OAUTHBEARER tokens are checked, and the rules around every exchange.
 *
 * @param usersFile             the local user store (salted SCRAM credentials, managed with {@code warden users}), or null
 * @param secretsManager        users from AWS Secrets Manager, MSK layout, or null
 * @param oauthBearer           JWT validation for OAUTHBEARER, or null when no listener offers it
 * @param failureDelay          how long a failed authentication waits before it is answered
 * @param maxSessionLifetime    how long an authentication lasts before the client must re-authenticate; zero: no limit
 * @param allowLegacyScramNonce accept the doubled client-final nonce of librdkafka before 2.6.1
 */
public record AuthenticationConfig(Path usersFile, SecretsManagerSettings secretsManager, JwtSettings oauthBearer,
                                   Duration failureDelay, Duration maxSessionLifetime, boolean allowLegacyScramNonce) {

    public static final Duration DEFAULT_FAILURE_DELAY = Duration.ofMillis(100);
    public static final Duration DEFAULT_SESSION_LIFETIME = Duration.ofHours(1);

    /** True when SCRAM and PLAIN have users to check against. */
    public boolean hasUsers() {
        return usersFile != null || secretsManager != null;
    }
}
