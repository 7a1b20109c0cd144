package io.warden.authn.sasl;

import java.util.Map;

/**
 * The server side of one SASL authentication attempt (one mechanism, one client). Not thread-safe: the gateway calls
 * it from one thread at a time. Mechanisms whose steps may wait or burn CPU (PLAIN derives a key; OAUTHBEARER may
 * fetch a JWKS) say so with {@link #blocking()}, and the gateway then runs {@link #evaluate} off its event loop.
 */
public interface SaslServerExchange {

    /** The SASL mechanism name, e.g. {@code SCRAM-SHA-512}. */
    String mechanism();

    /**
     * Evaluates the client's next message and returns the server's reply (possibly empty). After the last step
     * {@link #isComplete()} is true and {@link #principal()} names the client.
     *
     * @throws AuthenticationFailure when the message is malformed or the credentials do not check out; the exchange
     *                               is then over
     */
    byte[] evaluate(byte[] clientMessage) throws AuthenticationFailure;

    boolean isComplete();

    /** The authenticated principal, {@code User:<name>}; only once complete. */
    String principal();

    /** The user name the client claimed (for logs and audit, also after a failure); null before the first message. */
    String claimedUser();

    /**
     * The latest instant (epoch ms) this authentication may stay valid, e.g. the token's {@code exp}, or
     * {@link Long#MAX_VALUE} when the credential itself sets no limit.
     */
    default long credentialExpiresAtMs() {
        return Long.MAX_VALUE;
    }

    /** Facts about the exchange worth counting or auditing, e.g. {@code legacy_nonce=true}; empty by default. */
    default Map<String, String> details() {
        return Map.of();
    }

    /** True when {@link #evaluate} may block (key derivation, network): the gateway then runs it on a worker. */
    default boolean blocking() {
        return false;
    }

    /** Wipes whatever secret state the exchange still holds. Called once the exchange is over, whatever the outcome. */
    default void dispose() {
    }
}
