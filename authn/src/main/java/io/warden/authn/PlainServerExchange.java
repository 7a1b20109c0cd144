package io.warden.authn;

import io.warden.authn.sasl.AuthenticationFailure;
import io.warden.authn.sasl.SaslServerExchange;
import io.warden.authn.scram.FakeCredentials;
import io.warden.authn.scram.ScramCredentials;
import io.warden.authn.store.CredentialStore;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Optional;

/**
 * SASL PLAIN (RFC 4616) checked against the same salted SCRAM credentials the SCRAM mechanisms use, so one user
 * file serves both and no plaintext password is ever stored: the password is run through PBKDF2 with the stored salt
 * and iteration count and the resulting StoredKey compared in constant time. SCRAM-SHA-512 is preferred when the
 * user has both. Unknown users go through the same derivation with {@link FakeCredentials}. The derivation costs
 * milliseconds, hence {@link #blocking()}.
 *
 * <p>The password bytes of the message passed to {@link #evaluate} are overwritten with zeros once checked. One
 * instance per attempt; not thread-safe.
 */
public final class PlainServerExchange implements SaslServerExchange {

    /** RFC 4616 limits each field to 255 bytes; this leaves room for longer passwords while bounding the work. */
    static final int MAX_MESSAGE_LENGTH = 4096;

    /**
     * What Kafka's PlainSaslServer tells a client whose user is unknown or whose password is wrong (its own words,
     * which the broker passes on, not the generic answer of the other mechanisms).
     */
    public static final String INVALID_USERNAME_OR_PASSWORD = AuthenticationFailure.CLIENT_PREFIX + "Invalid username or password";

    private enum State { INITIAL, COMPLETE, FAILED }

    private final CredentialStore store;
    private final FakeCredentials fakes;
    private State state = State.INITIAL;
    private String username;

    public PlainServerExchange(CredentialStore store, FakeCredentials fakes) {
        this.store = store;
        this.fakes = fakes;
    }

    @Override
    public String mechanism() {
        return "PLAIN";
    }

    @Override
    public byte[] evaluate(byte[] message) throws AuthenticationFailure {
        if (state != State.INITIAL) {
            state = State.FAILED;
            throw AuthenticationFailure.malformed("unexpected message after the PLAIN exchange ended");
        }
        state = State.FAILED;
        int passwordStart = -1;
        try {
            if (message == null || message.length == 0) {
                throw AuthenticationFailure.malformed("the PLAIN message is empty");
            }
            if (message.length > MAX_MESSAGE_LENGTH) {
                throw AuthenticationFailure.malformed("the PLAIN message is longer than " + MAX_MESSAGE_LENGTH + " bytes");
            }
            int first = indexOfNul(message, 0);
            int second = first < 0 ? -1 : indexOfNul(message, first + 1);
            if (second < 0) {
                throw AuthenticationFailure.malformed("the PLAIN message must be [authzid] NUL user NUL password");
            }
            passwordStart = second + 1;
            if (indexOfNul(message, passwordStart) >= 0) {
                throw AuthenticationFailure.malformed("the PLAIN message has more than two NUL separators");
            }
            String authzid = utf8(message, 0, first, "authorization id");
            String authcid = utf8(message, first + 1, second, "user name");
            if (authcid.isEmpty()) {
                throw AuthenticationFailure.malformed("the PLAIN message has an empty user name");
            }
            if (authcid.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
                throw AuthenticationFailure.malformed("the user name in the PLAIN message contains control characters");
            }
            username = authcid;
            if (passwordStart == message.length) {
                throw AuthenticationFailure.malformed("the PLAIN message has an empty password");
            }
            if (!authzid.isEmpty() && !authzid.equals(authcid)) {
                throw AuthenticationFailure.malformed("the authorization id must be empty or equal the user name");
            }
            verify(authcid, Arrays.copyOfRange(message, passwordStart, message.length));
            state = State.COMPLETE;
            return new byte[0];
        } finally {
            if (passwordStart >= 0) {
                Arrays.fill(message, passwordStart, message.length, (byte) 0);
            }
        }
    }

    /** Derives StoredKey from the password and compares; wipes the password and everything derived from it. */
    private void verify(String user, byte[] password) throws AuthenticationFailure {
        String failure = null;
        ScramMechanism mechanism = ScramMechanism.SCRAM_SHA_512;
        Optional<ScramCredential> found = store.credential(user, ScramMechanism.SCRAM_SHA_512);
        if (found.isEmpty()) {
            found = store.credential(user, ScramMechanism.SCRAM_SHA_256);
            mechanism = found.isPresent() ? ScramMechanism.SCRAM_SHA_256 : mechanism;
        }
        ScramCredential credential;
        if (found.isEmpty()) {
            failure = "unknown user";
            credential = fakes.credential(mechanism, user);
        } else {
            String problem = ScramCredentials.problem(mechanism, found.get());
            if (problem != null) {
                failure = "the stored " + mechanism.mechanismName() + " credential is unusable: " + problem;
                credential = fakes.credential(mechanism, user);
            } else {
                credential = found.get();
            }
        }
        byte[] salted = null;
        byte[] clientKey = null;
        byte[] storedKey = null;
        boolean matches;
        try {
            ScramFormatter formatter = new ScramFormatter(mechanism);
            salted = formatter.hi(password, credential.salt(), credential.iterations());
            clientKey = formatter.clientKey(salted);
            storedKey = formatter.storedKey(clientKey);
            matches = MessageDigest.isEqual(storedKey, credential.storedKey());
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("cannot derive a " + mechanism.mechanismName() + " key", e);
        } finally {
            Arrays.fill(password, (byte) 0);
            for (byte[] secret : new byte[][] {salted, clientKey, storedKey}) {
                if (secret != null) {
                    Arrays.fill(secret, (byte) 0);
                }
            }
        }
        if (failure != null) {
            throw new AuthenticationFailure(failure, INVALID_USERNAME_OR_PASSWORD);
        }
        if (!matches) {
            throw new AuthenticationFailure("wrong password", INVALID_USERNAME_OR_PASSWORD);
        }
    }

    private static int indexOfNul(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static String utf8(byte[] bytes, int from, int to, String what) throws AuthenticationFailure {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, from, to - from))
                    .toString();
        } catch (CharacterCodingException e) {
            throw AuthenticationFailure.malformed("the " + what + " in the PLAIN message is not valid UTF-8");
        }
    }

    @Override
    public boolean isComplete() {
        return state == State.COMPLETE;
    }

    @Override
    public String principal() {
        if (state != State.COMPLETE) {
            throw new IllegalStateException("the PLAIN exchange is not complete");
        }
        return "User:" + username;
    }

    @Override
    public String claimedUser() {
        return username;
    }

    @Override
    public boolean blocking() {
        return true;
    }
}
