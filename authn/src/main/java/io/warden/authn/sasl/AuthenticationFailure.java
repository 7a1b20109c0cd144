package io.warden.authn.sasl;

/**
 * A SASL exchange that ended without an authenticated principal. {@link #getMessage()} is the reason for the
 * gateway's log (never a password, proof or token); {@link #clientMessage(boolean)} is what the client is told, which
 * for credential checks is deliberately the same whether the user is unknown or the password is wrong.
 */
public final class AuthenticationFailure extends Exception {

    /** How every client message begins; what follows names the kind of failure (never its detail). */
    public static final String CLIENT_PREFIX = "Authentication failed: ";

    /** The mechanism whose credential check failed, for Kafka's generic answer; null for any other failure. */
    private final String invalidCredentialsMechanism;
    private final String clientMessage;

    public AuthenticationFailure(String logReason, String clientMessage) {
        this(logReason, clientMessage, null);
    }

    private AuthenticationFailure(String logReason, String clientMessage, String invalidCredentialsMechanism) {
        super(logReason, null, false, false);
        this.clientMessage = clientMessage;
        this.invalidCredentialsMechanism = invalidCredentialsMechanism;
    }

    /**
     * A wrong password, unknown user or bad proof: the client is told what Kafka's broker tells it when the mechanism's
     * SaslServer fails without a message meant for the client (SaslServerAuthenticator), naming only the mechanism.
     */
    public static AuthenticationFailure invalidCredentials(String mechanism, String logReason) {
        return new AuthenticationFailure(logReason, invalidCredentialsMessage(mechanism, false), mechanism);
    }

    /** Kafka's broker's words for a failed credential check, during a login or a re-authentication. */
    public static String invalidCredentialsMessage(String mechanism, boolean reauthentication) {
        return "Authentication failed during " + (reauthentication ? "re-authentication" : "authentication")
                + " due to invalid credentials with SASL mechanism " + mechanism;
    }

    /** A malformed message: the client is told what was wrong with it (it carries no secret). */
    public static AuthenticationFailure malformed(String problem) {
        return new AuthenticationFailure(problem, CLIENT_PREFIX + problem);
    }

    /** What the client is told when the failure ends a first login. */
    public String clientMessage() {
        return clientMessage;
    }

    /** What the client is told when the failure ends a login, or a re-authentication if {@code reauthentication}. */
    public String clientMessage(boolean reauthentication) {
        return invalidCredentialsMechanism == null ? clientMessage : invalidCredentialsMessage(invalidCredentialsMechanism, reauthentication);
    }
}
