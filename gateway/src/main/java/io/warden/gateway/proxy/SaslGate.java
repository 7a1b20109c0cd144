package io.warden.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.warden.authn.sasl.AuthenticationFailure;
import io.warden.authn.sasl.SaslServerExchange;
import io.warden.gateway.auth.Authentication;
import io.warden.gateway.config.SaslListenerConfig;
import io.warden.gateway.protocol.KafkaFrames;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The SASL state of one client connection on a SASL listener: SaslHandshake (v0, then raw tokens, or v1, then
 * SaslAuthenticate), the exchange with the chosen mechanism, and KIP-368 re-authentication, which may neither change
 * the principal nor the mechanism. Confined to the connection's event loop; mechanisms that may block run on a worker
 * while the connection reads nothing more.
 */
final class SaslGate {

    /** What the gate needs from its connection. */
    interface Connection {
        /** Queues a response behind the requests before it. */
        void respond(int correlationId, ApiKeys api, short version, Buffer response);

        /** Writes a raw SASL token frame (SaslHandshake v0 clients), bypassing request order (none are pending). */
        void writeRaw(Buffer frame);

        /** Stops reading requests until {@link #releaseReading()}: answers keep their order meanwhile. */
        void holdReading();

        /** Ends one {@link #holdReading()}; reading resumes once nothing else holds it back. */
        void releaseReading();

        /**
         * Authentication (or re-authentication) succeeded; the connection may go on. {@code details} are facts of the
         * exchange worth auditing, such as {@code legacy_nonce}.
         */
        void authenticated(String principal, boolean first, String mechanism, Map<String, String> details);

        /** A login failed: the mechanism, the user the client claimed (never a credential) and why. */
        void authenticationFailed(String mechanism, String claimedUser, String reason);

        /** Sends this last response (may be null) and closes the connection, logging the reason. */
        void failAndClose(Buffer lastResponse, String reason);

        String peer();
    }

    private enum State { AWAIT_HANDSHAKE, AWAIT_AUTHENTICATE, RAW_TOKENS, AUTHENTICATED, FAILED }

    /** As Kafka's broker: a re-authentication begun within this long of the one before it is refused. */
    private static final long MIN_REAUTHENTICATION_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Vertx vertx;
    private final Authentication authentication;
    private final SaslListenerConfig config;
    private final GatewayStats stats;
    private final Connection connection;

    private State state = State.AWAIT_HANDSHAKE;
    private SaslServerExchange exchange;
    private boolean busy;
    /** Set by the first successful authentication; re-authentication must keep both. */
    private String principal;
    private String mechanism;
    private long sessionExpiresAtMs = Long.MAX_VALUE;
    private boolean reauthenticating;
    /** When the last re-authentication began (System.nanoTime()), or null before the first. */
    private Long lastReauthenticationStartNanos;

    SaslGate(Vertx vertx, Authentication authentication, SaslListenerConfig config, GatewayStats stats, Connection connection) {
        this.vertx = vertx;
        this.authentication = authentication;
        this.config = config;
        this.stats = stats;
        this.connection = connection;
    }

    boolean authenticated() {
        return principal != null;
    }

    /** True between a SaslHandshake v0 and the end of its exchange: frames are raw SASL tokens, not requests. */
    boolean expectsRawToken() {
        return state == State.RAW_TOKENS;
    }

    /** True while a re-authentication is under way (the session may run past its expiry meanwhile). */
    boolean reauthenticating() {
        return reauthenticating;
    }

    /** When the current authentication lapses (epoch ms), {@link Long#MAX_VALUE} when it does not. */
    long sessionExpiresAtMs() {
        return sessionExpiresAtMs;
    }

    String mechanism() {
        return mechanism;
    }

    void onHandshake(int correlationId, short version, ByteBuffer body) {
        String requested;
        try {
            requested = new SaslHandshakeRequestData(new ByteBufferAccessor(body), version).mechanism();
        } catch (RuntimeException e) {
            fail(null, "malformed SaslHandshake request: " + e.getMessage());
            return;
        }
        SaslHandshakeResponseData response = new SaslHandshakeResponseData().setMechanisms(config.mechanisms());
        if (state != State.AWAIT_HANDSHAKE && state != State.AUTHENTICATED || exchange != null) {
            response.setErrorCode(Errors.ILLEGAL_SASL_STATE.code());
            fail(frame(correlationId, ApiKeys.SASL_HANDSHAKE, version, response), "unexpected SaslHandshake in state " + state);
            return;
        }
        if (!config.mechanisms().contains(requested)) {
            response.setErrorCode(Errors.UNSUPPORTED_SASL_MECHANISM.code());
            fail(frame(correlationId, ApiKeys.SASL_HANDSHAKE, version, response),
                    "SASL mechanism " + requested + " is not enabled on this listener (enabled: " + config.mechanisms() + ")");
            return;
        }
        if (authenticated()) {
            if (!mayBeginReauthentication()) {
                // Kafka's broker hands such a handshake to KafkaApis, which answers ILLEGAL_SASL_STATE and leaves the
                // session as it was: the connection stays open until the session lapses.
                connection.respond(correlationId, ApiKeys.SASL_HANDSHAKE, version, frame(correlationId, ApiKeys.SASL_HANDSHAKE, version,
                        new SaslHandshakeResponseData().setErrorCode(Errors.ILLEGAL_SASL_STATE.code())));
                return;
            }
            if (version == 0) {
                fail(null, "re-authentication needs SaslHandshake v1 or later");
                return;
            }
            if (!requested.equals(mechanism)) {
                response.setErrorCode(Errors.ILLEGAL_SASL_STATE.code());
                fail(frame(correlationId, ApiKeys.SASL_HANDSHAKE, version, response),
                        "re-authentication may not change the mechanism from " + mechanism + " to " + requested);
                return;
            }
            reauthenticating = true;
        }
        exchange = authentication.create(requested);
        state = version == 0 ? State.RAW_TOKENS : State.AWAIT_AUTHENTICATE;
        connection.respond(correlationId, ApiKeys.SASL_HANDSHAKE, version, frame(correlationId, ApiKeys.SASL_HANDSHAKE, version, response));
    }

    /**
     * Kafka's rule (KafkaChannel.maybeBeginServerReauthentication): a session without an expiry is never
     * re-authenticated, and a re-authentication begins at least a second after the one before it, so that a client
     * cannot make the gateway check credentials as fast as it can send them on one open connection.
     */
    private boolean mayBeginReauthentication() {
        if (sessionExpiresAtMs == Long.MAX_VALUE) {
            return false;
        }
        long now = System.nanoTime();
        if (lastReauthenticationStartNanos != null && now - lastReauthenticationStartNanos < MIN_REAUTHENTICATION_INTERVAL_NANOS) {
            return false;
        }
        lastReauthenticationStartNanos = now;
        return true;
    }

    void onAuthenticate(int correlationId, short version, ByteBuffer body) {
        if (state == State.AUTHENTICATED) {
            // As Kafka's KafkaApis: outside a re-authentication the request is answered, and the session goes on.
            connection.respond(correlationId, ApiKeys.SASL_AUTHENTICATE, version, frame(correlationId, ApiKeys.SASL_AUTHENTICATE, version,
                    new SaslAuthenticateResponseData().setErrorCode(Errors.ILLEGAL_SASL_STATE.code())
                            .setErrorMessage("SaslAuthenticate request received after successful authentication")));
            return;
        }
        if (state != State.AWAIT_AUTHENTICATE) {
            SaslAuthenticateResponseData response = new SaslAuthenticateResponseData()
                    .setErrorCode(Errors.ILLEGAL_SASL_STATE.code())
                    .setErrorMessage("SaslAuthenticate before SaslHandshake");
            fail(frame(correlationId, ApiKeys.SASL_AUTHENTICATE, version, response), "SaslAuthenticate without a SaslHandshake before it");
            return;
        }
        byte[] token;
        try {
            token = new SaslAuthenticateRequestData(new ByteBufferAccessor(body), version).authBytes();
        } catch (RuntimeException e) {
            fail(null, "malformed SaslAuthenticate request: " + e.getMessage());
            return;
        }
        evaluate(token).onComplete(ar -> {
            if (ar.failed()) {
                AuthenticationFailure failure = failureOf(ar.cause());
                SaslAuthenticateResponseData response = new SaslAuthenticateResponseData()
                        .setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code())
                        .setErrorMessage(failure.clientMessage(reauthenticating));
                authenticationFailed(frame(correlationId, ApiKeys.SASL_AUTHENTICATE, version, response), failure);
                return;
            }
            SaslAuthenticateResponseData response = new SaslAuthenticateResponseData().setAuthBytes(ar.result());
            if (exchange.isComplete()) {
                String outcome = completed();
                if (outcome != null) {
                    response = new SaslAuthenticateResponseData()
                            .setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code())
                            .setErrorMessage("Authentication failed: " + outcome);
                    authenticationFailed(frame(correlationId, ApiKeys.SASL_AUTHENTICATE, version, response),
                            new AuthenticationFailure(outcome, outcome));
                    return;
                }
                if (version >= 1 && sessionExpiresAtMs != Long.MAX_VALUE) {
                    response.setSessionLifetimeMs(Math.max(1, sessionExpiresAtMs - System.currentTimeMillis()));
                }
                connection.respond(correlationId, ApiKeys.SASL_AUTHENTICATE, version,
                        frame(correlationId, ApiKeys.SASL_AUTHENTICATE, version, response));
                announce();
            } else {
                connection.respond(correlationId, ApiKeys.SASL_AUTHENTICATE, version,
                        frame(correlationId, ApiKeys.SASL_AUTHENTICATE, version, response));
            }
            connection.releaseReading();
        });
    }

    /** A raw token after SaslHandshake v0: the reply goes out as a bare size-prefixed token. */
    void onRawToken(Buffer frame) {
        byte[] token = frame.getBytes(KafkaFrames.SIZE_PREFIX, frame.length());
        evaluate(token).onComplete(ar -> {
            if (ar.failed()) {
                authenticationFailed(null, failureOf(ar.cause()));
                return;
            }
            if (exchange.isComplete()) {
                String outcome = completed();
                if (outcome != null) {
                    authenticationFailed(null, new AuthenticationFailure(outcome, outcome));
                    return;
                }
                connection.writeRaw(rawFrame(ar.result()));
                announce();
            } else {
                connection.writeRaw(rawFrame(ar.result()));
            }
            connection.releaseReading();
        });
    }

    /** Runs one step of the exchange, off the event loop when the mechanism may block. Reading pauses meanwhile. */
    private Future<byte[]> evaluate(byte[] token) {
        connection.holdReading();
        busy = true;
        SaslServerExchange current = exchange;
        Future<byte[]> step;
        if (current.blocking()) {
            step = vertx.executeBlocking(() -> current.evaluate(token), false);
        } else {
            try {
                step = Future.succeededFuture(current.evaluate(token));
            } catch (AuthenticationFailure | RuntimeException e) {
                step = Future.failedFuture(e);
            }
        }
        return step.andThen(ar -> busy = false);
    }

    /**
     * Applies a completed exchange: the session's principal and expiry. Returns why it must still fail (a changed
     * principal on re-authentication), or null.
     */
    private String completed() {
        String newPrincipal = exchange.principal();
        if (principal != null && !principal.equals(newPrincipal)) {
            return "re-authentication may not change the principal";
        }
        long now = System.currentTimeMillis();
        long limit = authentication.maxSessionLifetime().isZero() ? Long.MAX_VALUE
                : now + authentication.maxSessionLifetime().toMillis();
        sessionExpiresAtMs = Math.min(limit, exchange.credentialExpiresAtMs());
        boolean first = principal == null;
        principal = newPrincipal;
        mechanism = exchange.mechanism();
        return first && sessionExpiresAtMs <= now ? "credential already expired" : null;
    }

    private void announce() {
        Map<String, String> details = exchange.details();
        boolean first = !reauthenticating;
        stats.authenticationSucceeded(mechanism, !first, "true".equals(details.get("legacy_nonce")));
        exchange.dispose();
        exchange = null;
        state = State.AUTHENTICATED;
        reauthenticating = false;
        connection.authenticated(principal, first, mechanism, details);
    }

    private void authenticationFailed(Buffer response, AuthenticationFailure failure) {
        String user = exchange == null ? null : exchange.claimedUser();
        String mech = exchange == null ? null : exchange.mechanism();
        if (exchange != null) {
            exchange.dispose();
            exchange = null;
        }
        state = State.FAILED;
        stats.authenticationFailed(mech);
        String reason = "authentication failed: mechanism=" + mech + " user=" + (user == null ? "-" : user)
                + " reason=" + failure.getMessage();
        connection.authenticationFailed(mech, user, failure.getMessage());
        long delay = authentication.failureDelay().toMillis();
        if (delay <= 0) {
            connection.failAndClose(response, reason);
        } else {
            vertx.setTimer(delay, t -> connection.failAndClose(response, reason));
        }
    }

    private void fail(Buffer response, String reason) {
        connection.authenticationFailed(exchange == null ? null : exchange.mechanism(), null, reason);
        if (exchange != null) {
            exchange.dispose();
            exchange = null;
        }
        state = State.FAILED;
        connection.failAndClose(response, reason);
    }

    private static AuthenticationFailure failureOf(Throwable t) {
        if (t instanceof AuthenticationFailure f) {
            return f;
        }
        return AuthenticationFailure.malformed("unreadable SASL message (" + t.getClass().getSimpleName() + ")");
    }

    private static Buffer frame(int correlationId, ApiKeys api, short version, org.apache.kafka.common.protocol.Message body) {
        return KafkaFrames.response(correlationId, api.responseHeaderVersion(version), body, version);
    }

    private static Buffer rawFrame(byte[] token) {
        return Buffer.buffer(KafkaFrames.SIZE_PREFIX + token.length).appendInt(token.length).appendBytes(token);
    }

    boolean busy() {
        return busy;
    }
}
