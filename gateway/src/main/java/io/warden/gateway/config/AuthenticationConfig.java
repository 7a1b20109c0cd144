package io.warden.gateway.config;

import io.warden.authn.oauth.JwtSettings;
import io.warden.authn.store.SecretsManagerSettings;
import io.warden.certs.SecretVariableNames;

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
 * @param unknownUserKeyEnv     the environment variable holding the key that unknown user names' stand-in salts are
 *                              derived from, the same on every gateway of a fleet; null: a random key per process
 */
public record AuthenticationConfig(Path usersFile, SecretsManagerSettings secretsManager, JwtSettings oauthBearer,
                                   Duration failureDelay, Duration maxSessionLifetime, boolean allowLegacyScramNonce,
                                   String unknownUserKeyEnv) {

    /** The fewest characters the unknown-user key may have. */
    public static final int MIN_UNKNOWN_USER_KEY_CHARS = 16;

    /** Without a shared unknown-user key. */
    public AuthenticationConfig(Path usersFile, SecretsManagerSettings secretsManager, JwtSettings oauthBearer,
                                Duration failureDelay, Duration maxSessionLifetime, boolean allowLegacyScramNonce) {
        this(usersFile, secretsManager, oauthBearer, failureDelay, maxSessionLifetime, allowLegacyScramNonce, null);
    }

    /** Why {@code value}, read from {@link #unknownUserKeyEnv}, cannot be the key; null when it can. Never quotes it. */
    public static String unknownUserKeyProblem(String variable, String value) {
        if (value == null) {
            return SecretVariableNames.describe(variable) + " is not set";
        }
        return value.length() < MIN_UNKNOWN_USER_KEY_CHARS ? SecretVariableNames.describe(variable) + " holds "
                + value.length() + " characters; the key needs at least " + MIN_UNKNOWN_USER_KEY_CHARS : null;
    }

    public static final Duration DEFAULT_FAILURE_DELAY = Duration.ofMillis(100);
    public static final Duration DEFAULT_SESSION_LIFETIME = Duration.ofHours(1);

    /** True when SCRAM and PLAIN have users to check against. */
    public boolean hasUsers() {
        return usersFile != null || secretsManager != null;
    }
}
