package io.warden.gateway.it;

import io.warden.authn.scram.ScramClient;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.io.IOException;

/** SASL steps written by hand on a {@link RawKafkaConnection}, for tests that send what a real client never would. */
final class RawSasl {

    static final short HANDSHAKE_VERSION = 1;
    static final short AUTHENTICATE_VERSION = 2;

    private final RawKafkaConnection connection;

    RawSasl(RawKafkaConnection connection) {
        this.connection = connection;
    }

    SaslHandshakeResponseData handshake(String mechanism) throws IOException {
        int id = connection.send(ApiKeys.SASL_HANDSHAKE, HANDSHAKE_VERSION, new SaslHandshakeRequestData().setMechanism(mechanism));
        return connection.receive(ApiKeys.SASL_HANDSHAKE, HANDSHAKE_VERSION, id, a -> new SaslHandshakeResponseData(a, HANDSHAKE_VERSION));
    }

    SaslAuthenticateResponseData authenticate(byte[] token) throws IOException {
        int id = connection.send(ApiKeys.SASL_AUTHENTICATE, AUTHENTICATE_VERSION, new SaslAuthenticateRequestData().setAuthBytes(token));
        return connection.receive(ApiKeys.SASL_AUTHENTICATE, AUTHENTICATE_VERSION, id, a -> new SaslAuthenticateResponseData(a, AUTHENTICATE_VERSION));
    }

    /** A full SCRAM-SHA-512 login; returns the final SaslAuthenticate answer (error or success). */
    SaslAuthenticateResponseData scramLogin(String user, String password) throws Exception {
        SaslHandshakeResponseData handshake = handshake("SCRAM-SHA-512");
        if (handshake.errorCode() != Errors.NONE.code()) {
            throw new IllegalStateException("handshake refused: " + Errors.forCode(handshake.errorCode()));
        }
        ScramClient client = new ScramClient(ScramMechanism.SCRAM_SHA_512, user, password.toCharArray());
        SaslAuthenticateResponseData first = authenticate(client.firstMessage());
        if (first.errorCode() != Errors.NONE.code()) {
            return first;
        }
        return authenticate(client.finalMessage(first.authBytes()));
    }
}
