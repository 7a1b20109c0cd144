package io.warden.authn.scram;

import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFinalMessage;
import org.apache.kafka.common.security.scram.internals.ScramMessages.ServerFirstMessage;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.security.sasl.SaslException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The client side of SCRAM-SHA-256/512, for Warden's own logins to SASL brokers and for load generators. It refuses
 * what a careful client should: a server nonce that does not extend ours, iteration counts outside 4096..16384 (a
 * malicious server could otherwise make us burn CPU), and a server signature that does not verify (the server does
 * not know our credential). The expensive PBKDF2 step goes through a {@link Cache}, so repeated logins as the same
 * user cost two HMACs and a hash.
 *
 * <p>One instance per login: {@link #firstMessage()}, {@link #finalMessage(byte[])}, {@link #verifyServerFinal(byte[])}.
 * Not thread-safe.
 */
public final class ScramClient {

    private static final int MAX_MESSAGE_LENGTH = 8192;
    private static final String GS2_HEADER = "n,,";

    private enum State { INITIAL, FIRST_SENT, FINAL_SENT, COMPLETE, FAILED }

    private final ScramMechanism mechanism;
    private final String username;
    private final char[] password;
    private final Cache cache;
    private final String clientNonce;

    private State state = State.INITIAL;
    private String clientFirstBare;
    private byte[] expectedServerSignature;

    /** A client that shares {@link Cache#shared()} with every other client in the process. */
    public ScramClient(ScramMechanism mechanism, String username, char[] password) {
        this(mechanism, username, password, Cache.shared());
    }

    /** The password is copied; the copy is wiped once the proof is computed. */
    public ScramClient(ScramMechanism mechanism, String username, char[] password, Cache cache) {
        this(mechanism, username, password, cache, ScramCredentials.formatter(mechanism).secureRandomString());
    }

    /** With a chosen client nonce, for test vectors. */
    ScramClient(ScramMechanism mechanism, String username, char[] password, Cache cache, String clientNonce) {
        if (username == null || username.isEmpty()) {
            throw new IllegalArgumentException("the SCRAM user name is empty");
        }
        if (password == null || password.length == 0) {
            throw new IllegalArgumentException("the SCRAM password is empty");
        }
        if (!clientNonce.matches("[\\x21-\\x7E&&[^,]]+")) {
            throw new IllegalArgumentException("a SCRAM nonce is printable ASCII without commas");
        }
        this.mechanism = mechanism;
        this.username = username;
        this.password = password.clone();
        this.cache = cache;
        this.clientNonce = clientNonce;
    }

    public String mechanism() {
        return mechanism.mechanismName();
    }

    /** The client-first message: {@code n,,n=<user>,r=<nonce>}. */
    public byte[] firstMessage() {
        requireState(State.INITIAL, "firstMessage()");
        clientFirstBare = "n=" + ScramFormatter.saslName(username) + ",r=" + clientNonce;
        state = State.FIRST_SENT;
        return (GS2_HEADER + clientFirstBare).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The client-final message with our proof, in answer to the server-first message.
     *
     * @throws SaslException when the server-first message is malformed, its nonce does not extend ours, or its
     *                       iteration count is out of bounds
     */
    public byte[] finalMessage(byte[] serverFirst) throws SaslException {
        requireState(State.FIRST_SENT, "finalMessage()");
        state = State.FAILED;
        try {
            String text = text(serverFirst, "server-first");
            if (text.startsWith("m=")) {
                throw new SaslException("SCRAM server-first message: mandatory extension m= is not supported");
            }
            ServerFirstMessage parsed;
            try {
                parsed = new ServerFirstMessage(serverFirst);
            } catch (SaslException | RuntimeException e) {
                throw new SaslException("SCRAM server-first message is malformed (expected r=<nonce>,s=<salt>,i=<iterations>)");
            }
            String nonce = parsed.nonce();
            if (nonce.length() <= clientNonce.length() || !nonce.startsWith(clientNonce)) {
                throw new SaslException("SCRAM server nonce does not extend the client nonce");
            }
            String problem = ScramCredentials.iterationsProblem(mechanism, parsed.iterations());
            if (problem != null) {
                throw new SaslException("SCRAM server-first message: " + problem);
            }
            if (parsed.salt().length == 0) {
                throw new SaslException("SCRAM server-first message: the salt is empty");
            }
            String withoutProof = "c=" + Base64.getEncoder().encodeToString(GS2_HEADER.getBytes(StandardCharsets.US_ASCII))
                    + ",r=" + nonce;
            byte[] authMessage = (clientFirstBare + "," + text + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
            byte[] proof = proveAndExpect(parsed.salt(), parsed.iterations(), authMessage);
            state = State.FINAL_SENT;
            return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(StandardCharsets.US_ASCII);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /** ClientProof for {@code authMessage}; remembers the ServerSignature to expect. */
    private byte[] proveAndExpect(byte[] salt, int iterations, byte[] authMessage) {
        ScramFormatter formatter = ScramCredentials.formatter(mechanism);
        byte[] salted = cache.saltedPassword(mechanism, password, salt, iterations);
        byte[] clientKey = null;
        byte[] storedKey = null;
        byte[] clientSignature = null;
        byte[] serverKey = null;
        try {
            clientKey = formatter.clientKey(salted);
            storedKey = formatter.hash(clientKey);
            clientSignature = formatter.hmac(storedKey, authMessage);
            serverKey = formatter.serverKey(salted);
            expectedServerSignature = formatter.hmac(serverKey, authMessage);
            return ScramFormatter.xor(clientKey, clientSignature);
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("cannot compute HMAC with " + mechanism.macAlgorithm(), e);
        } finally {
            ScramCredentials.wipe(salted, clientKey, storedKey, clientSignature, serverKey);
        }
    }

    /**
     * Checks the server-final message: the server's signature must match ours.
     *
     * @throws SaslException when the server reports an error ({@code e=}), the signature does not verify, or the
     *                       message is malformed
     */
    public void verifyServerFinal(byte[] serverFinal) throws SaslException {
        requireState(State.FINAL_SENT, "verifyServerFinal()");
        state = State.FAILED;
        try {
            text(serverFinal, "server-final");
            ServerFinalMessage parsed;
            try {
                parsed = new ServerFinalMessage(serverFinal);
            } catch (SaslException | RuntimeException e) {
                throw new SaslException("SCRAM server-final message is malformed (expected v=<signature> or e=<error>)");
            }
            if (parsed.error() != null) {
                throw new SaslException("SCRAM authentication failed: the server answered e=" + parsed.error());
            }
            if (!MessageDigest.isEqual(expectedServerSignature, parsed.serverSignature())) {
                throw new SaslException("SCRAM server signature does not verify: the server does not hold this user's credential");
            }
            state = State.COMPLETE;
        } finally {
            ScramCredentials.wipe(expectedServerSignature);
            expectedServerSignature = null;
        }
    }

    /** True once the server's signature has been verified. */
    public boolean isComplete() {
        return state == State.COMPLETE;
    }

    private void requireState(State expected, String call) {
        if (state != expected) {
            throw new IllegalStateException(call + " called out of order (state " + state + ")");
        }
    }

    private static String text(byte[] message, String what) throws SaslException {
        if (message == null || message.length == 0) {
            throw new SaslException("SCRAM " + what + " message is empty");
        }
        if (message.length > MAX_MESSAGE_LENGTH) {
            throw new SaslException("SCRAM " + what + " message is longer than " + MAX_MESSAGE_LENGTH + " bytes");
        }
        return new String(message, StandardCharsets.UTF_8);
    }

    /**
     * Salted passwords by (mechanism, password, salt, iterations), so PBKDF2 runs once per credential rather than
     * once per login. The password is part of the key only as an HMAC under a random per-cache key, so a changed
     * password never hits an old entry. Bounded (least recently used entries are dropped and wiped); thread-safe.
     */
    public static final class Cache {

        private static final Cache SHARED = new Cache(64);

        private final int capacity;
        private final byte[] keyingSecret = new byte[32];
        private final Map<Entry, byte[]> entries;
        private long hits;

        /** @param capacity how many salted passwords to keep; 0 disables caching */
        public Cache(int capacity) {
            if (capacity < 0) {
                throw new IllegalArgumentException("cache capacity must not be negative");
            }
            this.capacity = capacity;
            new SecureRandom().nextBytes(keyingSecret);
            this.entries = new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Entry, byte[]> eldest) {
                    if (size() > Cache.this.capacity) {
                        Arrays.fill(eldest.getValue(), (byte) 0);
                        return true;
                    }
                    return false;
                }
            };
        }

        /** The process-wide cache used by {@link ScramClient#ScramClient(ScramMechanism, String, char[])}. */
        public static Cache shared() {
            return SHARED;
        }

        /** A copy of the salted password, computed on a miss; the caller wipes it. */
        byte[] saltedPassword(ScramMechanism mechanism, char[] password, byte[] salt, int iterations) {
            byte[] passwordBytes = ScramCredentials.utf8(password);
            try {
                Entry key = new Entry(mechanism, fingerprint(passwordBytes), Base64.getEncoder().encodeToString(salt), iterations);
                synchronized (this) {
                    byte[] cached = entries.get(key);
                    if (cached != null) {
                        hits++;
                        return cached.clone();
                    }
                }
                byte[] salted = ScramCredentials.formatter(mechanism).hi(passwordBytes, salt, iterations);
                if (capacity > 0) {
                    synchronized (this) {
                        entries.put(key, salted.clone());
                    }
                }
                return salted;
            } catch (InvalidKeyException e) {
                throw new IllegalStateException("cannot compute HMAC with " + mechanism.macAlgorithm(), e);
            } finally {
                Arrays.fill(passwordBytes, (byte) 0);
            }
        }

        private String fingerprint(byte[] passwordBytes) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(keyingSecret, "HmacSHA256"));
                return Base64.getEncoder().encodeToString(mac.doFinal(passwordBytes));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
            }
        }

        /** How many salted passwords are held. */
        public synchronized int size() {
            return entries.size();
        }

        /** How many lookups were answered from the cache. */
        public synchronized long hits() {
            return hits;
        }

        /** Drops and wipes every entry. */
        public synchronized void clear() {
            entries.values().forEach(v -> Arrays.fill(v, (byte) 0));
            entries.clear();
        }

        private record Entry(ScramMechanism mechanism, String passwordFingerprint, String salt, int iterations) {
        }
    }
}
