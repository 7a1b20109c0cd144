package io.warden.authn.store;

/**
 * GetSecretValue of one secret failed in a way that says nothing about that secret (network, throttling beyond the
 * SDK's retries, a server error), so the whole refresh is abandoned and the last good users stay in force. Names the
 * secret; the cause is the SDK's exception.
 */
final class SecretFetchException extends RuntimeException {

    private final String secretName;

    SecretFetchException(String secretName, RuntimeException cause) {
        super("GetSecretValue of secret " + secretName + " failed", cause);
        this.secretName = secretName;
    }

    String secretName() {
        return secretName;
    }
}
