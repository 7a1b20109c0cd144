package io.warden.authn.scram;

import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Stand-in credentials for user names the store does not know, so that an unknown user cannot be told from a wrong
 * password: the server sends a salt and iteration count of the same shape as a real user's and runs the same
 * computation before refusing. The salt is derived from the user name with a secret key, so asking twice about the
 * same name gives the same salt (a real user's salt does not change between attempts either), while nobody without
 * the key can predict or link it. The key is random per process unless one is given: gateways that share a key (and
 * a restarted one) give an unknown name the same salt, as they would a real user's. Thread-safe.
 */
public final class FakeCredentials {

    /** Kafka's minimum; configure the count the real credentials use so both look alike. */
    public static final int DEFAULT_ITERATIONS = 4096;

    private final byte[] secret = new byte[32];
    private final SecureRandom random = new SecureRandom();
    private volatile int iterations;

    /**
     * @param iterations the iteration count to announce for unknown users; it should be the count most real
     *                   credentials use (4096..16384)
     */
    public FakeCredentials(int iterations) {
        follow(iterations);
        random.nextBytes(secret);
    }

    /**
     * With the salts derived from {@code key}, shared by the gateways that should answer alike; the key itself is
     * hashed, never kept.
     */
    public FakeCredentials(int iterations, byte[] key) {
        follow(iterations);
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update("warden unknown-user salts".getBytes(StandardCharsets.US_ASCII));
            System.arraycopy(sha256.digest(key), 0, secret, 0, secret.length);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    /** Announces this count from now on: the store's real credentials changed to it (a reloaded user file). */
    public void follow(int iterations) {
        if (iterations < ScramMechanism.SCRAM_SHA_256.minIterations() || iterations > ScramCredentials.MAX_ITERATIONS) {
            throw new IllegalArgumentException("fake credential iterations must be between "
                    + ScramMechanism.SCRAM_SHA_256.minIterations() + " and " + ScramCredentials.MAX_ITERATIONS
                    + ", got " + iterations);
        }
        this.iterations = iterations;
    }

    public int iterations() {
        return iterations;
    }

    /**
     * A credential for {@code username} that no password matches: a salt that is the same for every call with this
     * mechanism and name, and random keys.
     */
    public ScramCredential credential(ScramMechanism mechanism, String username) {
        int length = ScramCredentials.keyLength(mechanism);
        byte[] storedKey = new byte[length];
        byte[] serverKey = new byte[length];
        random.nextBytes(storedKey);
        random.nextBytes(serverKey);
        return new ScramCredential(salt(mechanism, username), storedKey, serverKey, iterations);
    }

    /** Same form as Kafka's own salts: the ASCII of a 130-bit number in base 36. */
    private byte[] salt(ScramMechanism mechanism, String username) {
        byte[] digest;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(mechanism.mechanismName().getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) 0);
            digest = mac.doFinal(username.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
        BigInteger value = new BigInteger(1, Arrays.copyOf(digest, 17)).shiftRight(6);
        return value.toString(Character.MAX_RADIX).getBytes(StandardCharsets.US_ASCII);
    }
}
