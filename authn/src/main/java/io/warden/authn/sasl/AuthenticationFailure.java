package io.warden.authn.sasl;

/**
 * A SASL exchange that ended without an authenticated principal. {@link #getMessage()} is the reason for the
 * gateway's log (never a password, proof or token); {@link #clientMessage()} is what the client is told, which for
 * credential checks is deliberately the same whether the user is unknown or the password is wrong.
 */
public final class AuthenticationFailure extends Exception {

    /** How every client message begins; what follows names the kind of failure (never its detail). */
    public static final String CLIENT_PREFIX = "Authentication failed: ";

    /** What every failed credential check tells the client, so unknown users and wrong passwords look alike. */
    public static final String INVALID_CREDENTIALS = CLIENT_PREFIX + "invalid credentials";

    private final String clientMessage;

    public AuthenticationFailure(String logReason, String clientMessage) {
        super(logReason, null, false, false);
        this.clientMessage = clientMessage;
    }

    /** A wrong password, unknown user or bad proof: the client learns only "invalid credentials". */
    public static AuthenticationFailure invalidCredentials(String logReason) {
        return new AuthenticationFailure(logReason, INVALID_CREDENTIALS);
    }

    /** A malformed message: the client is told what was wrong with it (it carries no secret). */
    public static AuthenticationFailure malformed(String problem) {
        return new AuthenticationFailure(problem, CLIENT_PREFIX + problem);
    }

    public String clientMessage() {
        return clientMessage;
    }
}
