package io.warden.authn.scram;

import io.warden.authn.sasl.AuthenticationFailure;
import io.warden.authn.sasl.SaslServerExchange;
import io.warden.authn.store.CredentialStore;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ClientFirstMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.security.sasl.SaslException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The server side of SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677) as Kafka clients speak it, checked more
 * strictly than a Kafka broker does: the final nonce must equal the combined nonce (CVE-2024-56128), the channel
 * binding {@code c=} must repeat the gs2 header, iteration counts are bounded, proofs are compared in constant time
 * (CVE-2021-38153), and unknown users go through the same steps as known ones with {@link FakeCredentials}, so the
 * two cannot be told apart. Kafka's own message parsers and {@link ScramFormatter} do the encoding and cryptography.
 *
 * <p>One allowance can be switched on: librdkafka before 2.6.1 sends the client nonce followed by the combined nonce
 * in its final message and signs exactly that text. Accepted only in that exact form, and reported through
 * {@link #details()} as {@code legacy_nonce=true}.
 *
 * <p>Not thread-safe: one instance per authentication attempt.
 */
public final class ScramServerExchange implements SaslServerExchange {

    /** Longer SCRAM messages are refused before any parsing (real ones are a few hundred bytes). */
    static final int MAX_MESSAGE_LENGTH = 8192;

    private static final Logger LOG = LoggerFactory.getLogger(ScramServerExchange.class);

    private enum State { EXPECT_CLIENT_FIRST, EXPECT_CLIENT_FINAL, COMPLETE, FAILED }

    private final ScramMechanism mechanism;
    private final CredentialStore store;
    private final FakeCredentials fakes;
    private final boolean allowLegacyDoubledNonce;
    private final Supplier<String> nonceSuffixes;

    private State state = State.EXPECT_CLIENT_FIRST;
    private String username;
    private String gs2Header;
    private String clientFirstBare;
    private String clientNonce;
    private String combinedNonce;
    private String serverFirst;
    private byte[] storedKey;
    private byte[] serverKey;
    private String credentialFailure;
    private boolean legacyNonce;

    /**
     * @param allowLegacyDoubledNonce accept the final nonce of librdkafka before 2.6.1 (client nonce + combined
     *                                nonce); everything else still has to match exactly
     */
    public ScramServerExchange(ScramMechanism mechanism, CredentialStore store, FakeCredentials fakes,
                               boolean allowLegacyDoubledNonce) {
        this(mechanism, store, fakes, allowLegacyDoubledNonce, () -> ScramCredentials.formatter(mechanism).secureRandomString());
    }

    /** With a chosen server nonce suffix, for test vectors. */
    ScramServerExchange(ScramMechanism mechanism, CredentialStore store, FakeCredentials fakes,
                        boolean allowLegacyDoubledNonce, Supplier<String> nonceSuffixes) {
        this.mechanism = mechanism;
        this.store = store;
        this.fakes = fakes;
        this.allowLegacyDoubledNonce = allowLegacyDoubledNonce;
        this.nonceSuffixes = nonceSuffixes;
    }

    @Override
    public String mechanism() {
        return mechanism.mechanismName();
    }

    @Override
    public byte[] evaluate(byte[] clientMessage) throws AuthenticationFailure {
        State current = state;
        state = State.FAILED;
        try {
            switch (current) {
                case EXPECT_CLIENT_FIRST -> {
                    byte[] reply = clientFirst(ascii(clientMessage, "client-first"));
                    state = State.EXPECT_CLIENT_FINAL;
                    return reply;
                }
                case EXPECT_CLIENT_FINAL -> {
                    byte[] reply = clientFinal(ascii(clientMessage, "client-final"));
                    state = State.COMPLETE;
                    return reply;
                }
                case COMPLETE -> throw AuthenticationFailure.malformed("unexpected message after the SCRAM exchange completed");
                default -> throw AuthenticationFailure.malformed("unexpected message after the SCRAM exchange failed");
            }
        } finally {
            if (state != State.EXPECT_CLIENT_FINAL) {
                wipeKeys();
            }
        }
    }

    private byte[] clientFirst(String message) throws AuthenticationFailure {
        if (message.startsWith("y,") || message.startsWith("p=")) {
            throw AuthenticationFailure.malformed("channel binding (gs2 flag '" + message.charAt(0)
                    + "') is not supported; the gs2 header must be n,, or n,a=<user>,");
        }
        int headerEnd = message.startsWith("n,") ? message.indexOf(',', 2) : -1;
        if (headerEnd < 0) {
            throw AuthenticationFailure.malformed("client-first message must start with the gs2 header n,, or n,a=<user>,");
        }
        String authzidField = message.substring(2, headerEnd);
        if (!authzidField.isEmpty() && !(authzidField.startsWith("a=") && ScramMessageProblems.isSaslName(authzidField.substring(2)))) {
            throw AuthenticationFailure.malformed("gs2 header: expected nothing or a=<authzid> between the commas");
        }
        String bare = message.substring(headerEnd + 1);
        if (bare.startsWith("m=")) {
            throw AuthenticationFailure.malformed("client-first message: mandatory extension m= is not supported");
        }
        ClientFirstMessage parsed;
        try {
            parsed = new ClientFirstMessage(message.getBytes(StandardCharsets.US_ASCII));
        } catch (SaslException | RuntimeException e) {
            throw AuthenticationFailure.malformed(ScramMessageProblems.clientFirstBare(bare));
        }
        String user = unescape(parsed.saslName(), "user name");
        if (user.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
            throw AuthenticationFailure.malformed("the user name contains control characters");
        }
        username = user;
        String authzid = parsed.authorizationId().isEmpty() ? "" : unescape(parsed.authorizationId(), "authorization id");
        if (!authzid.isEmpty() && !authzid.equals(user)) {
            throw AuthenticationFailure.malformed("the authorization id must be empty or equal the user name");
        }
        if (parsed.extensions().tokenAuthenticated()) {
            throw AuthenticationFailure.malformed("delegation tokens (tokenauth=true) are not supported by Warden");
        }

        String suffix = nonceSuffixes.get();
        gs2Header = message.substring(0, headerEnd + 1);
        clientFirstBare = bare;
        clientNonce = parsed.nonce();
        combinedNonce = clientNonce + suffix;

        ScramCredential credential = credentialFor(user);
        storedKey = credential.storedKey().clone();
        serverKey = credential.serverKey().clone();
        serverFirst = "r=" + combinedNonce + ",s=" + Base64.getEncoder().encodeToString(credential.salt())
                + ",i=" + credential.iterations();
        return serverFirst.getBytes(StandardCharsets.US_ASCII);
    }

    /** The user's credential, or a fake one (remembering why) so that the exchange continues identically. */
    private ScramCredential credentialFor(String user) {
        Optional<ScramCredential> found = store.credential(user, mechanism);
        if (found.isEmpty()) {
            credentialFailure = "unknown user";
            return fakes.credential(mechanism, user);
        }
        String problem = ScramCredentials.problem(mechanism, found.get());
        if (problem != null) {
            credentialFailure = "the stored " + mechanism.mechanismName() + " credential is unusable: " + problem;
            LOG.warn("event=scram_credential_unusable user=\"{}\" mechanism={} store=\"{}\" reason=\"{}\"",
                    user, mechanism.mechanismName(), store.describe(), problem);
            return fakes.credential(mechanism, user);
        }
        return found.get();
    }

    private byte[] clientFinal(String message) throws AuthenticationFailure {
        ClientFinalMessage parsed;
        try {
            parsed = new ClientFinalMessage(message.getBytes(StandardCharsets.US_ASCII));
        } catch (SaslException | RuntimeException e) {
            throw AuthenticationFailure.malformed(ScramMessageProblems.clientFinal(message));
        }
        String channelBinding = message.substring(2, message.indexOf(','));
        if (!channelBinding.equals(Base64.getEncoder().encodeToString(gs2Header.getBytes(StandardCharsets.US_ASCII)))) {
            throw AuthenticationFailure.malformed("the channel binding c= does not match the gs2 header of the client-first message");
        }
        checkNonce(parsed.nonce());
        byte[] proof = parsed.proof();
        if (proof.length != storedKey.length) {
            throw AuthenticationFailure.malformed("the proof has " + proof.length + " bytes; "
                    + mechanism.mechanismName() + " proofs have " + storedKey.length);
        }
        String withoutProof = message.substring(0, message.lastIndexOf(",p="));
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.US_ASCII);

        ScramFormatter formatter = ScramCredentials.formatter(mechanism);
        byte[] clientSignature = null;
        byte[] clientKey = null;
        byte[] computedStoredKey = null;
        boolean proofMatches;
        try {
            clientSignature = formatter.hmac(storedKey, authMessage);
            clientKey = ScramFormatter.xor(proof, clientSignature);
            computedStoredKey = formatter.hash(clientKey);
            proofMatches = MessageDigest.isEqual(computedStoredKey, storedKey);
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("cannot compute HMAC with " + mechanism.macAlgorithm(), e);
        } finally {
            ScramCredentials.wipe(clientSignature, clientKey, computedStoredKey, proof);
        }
        if (credentialFailure != null) {
            throw AuthenticationFailure.invalidCredentials(mechanism(), credentialFailure);
        }
        if (!proofMatches) {
            throw AuthenticationFailure.invalidCredentials(mechanism(), "wrong password (the client proof does not verify)");
        }
        try {
            byte[] signature = formatter.hmac(serverKey, authMessage);
            return ("v=" + Base64.getEncoder().encodeToString(signature)).getBytes(StandardCharsets.US_ASCII);
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("cannot compute HMAC with " + mechanism.macAlgorithm(), e);
        }
    }

    private void checkNonce(String nonce) throws AuthenticationFailure {
        if (nonce.equals(combinedNonce)) {
            return;
        }
        if (nonce.equals(clientNonce + combinedNonce)) {
            if (!allowLegacyDoubledNonce) {
                throw AuthenticationFailure.malformed("the client-final nonce repeats the client nonce, as librdkafka "
                        + "before 2.6.1 does; upgrade the client");
            }
            legacyNonce = true;
            return;
        }
        throw AuthenticationFailure.malformed("the client-final nonce does not match the nonce of this exchange");
    }

    private static String unescape(String saslName, String what) throws AuthenticationFailure {
        try {
            return ScramFormatter.username(saslName);
        } catch (IllegalArgumentException e) {
            throw AuthenticationFailure.malformed("the " + what + " is badly escaped (write ',' as =2C and '=' as =3D)");
        }
    }

    /** The message as text, refusing what no SCRAM client sends: nothing, oversized, NUL or non-ASCII bytes. */
    private static String ascii(byte[] message, String what) throws AuthenticationFailure {
        if (message == null || message.length == 0) {
            throw AuthenticationFailure.malformed("the " + what + " message is empty");
        }
        if (message.length > MAX_MESSAGE_LENGTH) {
            throw AuthenticationFailure.malformed("the " + what + " message is longer than " + MAX_MESSAGE_LENGTH + " bytes");
        }
        for (byte b : message) {
            if (b <= 0) {
                throw AuthenticationFailure.malformed("the " + what + " message contains a NUL or non-ASCII byte");
            }
        }
        return new String(message, StandardCharsets.US_ASCII);
    }

    @Override
    public boolean isComplete() {
        return state == State.COMPLETE;
    }

    @Override
    public String principal() {
        if (state != State.COMPLETE) {
            throw new IllegalStateException("the SCRAM exchange is not complete");
        }
        return "User:" + username;
    }

    @Override
    public String claimedUser() {
        return username;
    }

    @Override
    public Map<String, String> details() {
        return legacyNonce ? Map.of("legacy_nonce", "true") : Map.of();
    }

    @Override
    public void dispose() {
        if (state != State.COMPLETE) {
            state = State.FAILED;
        }
        wipeKeys();
    }

    private void wipeKeys() {
        ScramCredentials.wipe(storedKey, serverKey);
        storedKey = null;
        serverKey = null;
    }
}
