package io.warden.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.warden.authn.scram.ScramClient;
import io.warden.gateway.auth.UpstreamIdentity;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.nio.charset.StandardCharsets;

/**
 * The gateway's own SASL login on a broker connection, before it carries a client's requests and again whenever the
 * broker's session lifetime (KIP-368, {@code connections.max.reauth.ms}) runs out: SaslHandshake v1 and
 * SaslAuthenticate v2 with SCRAM or PLAIN, as the gateway's service identity. SCRAM's key derivation runs once per
 * salt (cached) and off the event loop.
 */
final class UpstreamLogin {

    private static final short HANDSHAKE_VERSION = 1;
    private static final short AUTHENTICATE_VERSION = 2;

    private final UpstreamIdentity identity;
    private final ScramClient.Cache cache = new ScramClient.Cache(16);

    UpstreamLogin(UpstreamIdentity identity) {
        this.identity = identity;
    }

    /** Logs in; completes with the session lifetime the broker gives, in milliseconds (0: none). */
    Future<Long> login(BrokerCall call, Vertx vertx) {
        return call.send(ApiKeys.SASL_HANDSHAKE, HANDSHAKE_VERSION, new SaslHandshakeRequestData().setMechanism(identity.mechanism()))
                .compose(body -> {
                    SaslHandshakeResponseData handshake = new SaslHandshakeResponseData(new ByteBufferAccessor(body), HANDSHAKE_VERSION);
                    if (handshake.errorCode() != Errors.NONE.code()) {
                        return Future.failedFuture("broker refused SASL mechanism " + identity.mechanism() + " ("
                                + Errors.forCode(handshake.errorCode()) + "; it offers " + handshake.mechanisms() + ")");
                    }
                    return identity.mechanism().equals("PLAIN") ? plain(call) : scram(call, vertx);
                });
    }

    private Future<Long> plain(BrokerCall call) {
        byte[] message = ("\0" + identity.username() + "\0" + identity.password()).getBytes(StandardCharsets.UTF_8);
        return authenticate(call, message).map(SaslAuthenticateResponseData::sessionLifetimeMs);
    }

    private Future<Long> scram(BrokerCall call, Vertx vertx) {
        ScramClient client = new ScramClient(ScramMechanism.forMechanismName(identity.mechanism()), identity.username(),
                identity.password().toCharArray(), cache);
        return authenticate(call, client.firstMessage())
                .compose(serverFirst -> vertx.executeBlocking(() -> client.finalMessage(serverFirst.authBytes()), false))
                .compose(clientFinal -> authenticate(call, clientFinal))
                .compose(serverFinal -> {
                    try {
                        client.verifyServerFinal(serverFinal.authBytes());
                        return Future.succeededFuture(serverFinal.sessionLifetimeMs());
                    } catch (Exception e) {
                        return Future.failedFuture("broker's SCRAM server signature did not verify: " + e.getMessage());
                    }
                });
    }

    private Future<SaslAuthenticateResponseData> authenticate(BrokerCall call, byte[] message) {
        return call.send(ApiKeys.SASL_AUTHENTICATE, AUTHENTICATE_VERSION, new SaslAuthenticateRequestData().setAuthBytes(message))
                .compose(body -> {
                    SaslAuthenticateResponseData r = new SaslAuthenticateResponseData(new ByteBufferAccessor(body), AUTHENTICATE_VERSION);
                    if (r.errorCode() != Errors.NONE.code()) {
                        return Future.failedFuture("broker refused the gateway's SASL login as '" + identity.username() + "': "
                                + Errors.forCode(r.errorCode()) + (r.errorMessage() == null ? "" : " (" + r.errorMessage() + ")"));
                    }
                    return Future.succeededFuture(r);
                });
    }
}
