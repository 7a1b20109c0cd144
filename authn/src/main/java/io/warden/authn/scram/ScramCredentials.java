package io.warden.authn.scram;

import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Rules every SCRAM credential Warden uses must meet (iteration bounds, key sizes) and the one way Warden creates
 * credentials from a password. Kept in one place so the server exchanges, PLAIN, the file store and the CLI cannot
 * disagree about what an acceptable credential is.
 */
public final class ScramCredentials {

    /** The highest iteration count accepted anywhere: more only slows logins down (and lets a server stall clients). */
    public static final int MAX_ITERATIONS = 16384;

    private ScramCredentials() {
    }

    /** The lowest iteration count accepted for {@code mechanism} (Kafka's minimum, 4096). */
    public static int minIterations(ScramMechanism mechanism) {
        return mechanism.minIterations();
    }

    /** Size in bytes of StoredKey, ServerKey and proofs for {@code mechanism}. */
    public static int keyLength(ScramMechanism mechanism) {
        return switch (mechanism) {
            case SCRAM_SHA_256 -> 32;
            case SCRAM_SHA_512 -> 64;
        };
    }

    /**
     * Why {@code credential} cannot be used with {@code mechanism}, or null when it can. The text names the problem
     * (bounds, sizes), never a key or salt.
     */
    public static String problem(ScramMechanism mechanism, ScramCredential credential) {
        if (credential.salt() == null || credential.salt().length == 0) {
            return "the salt is empty";
        }
        int length = keyLength(mechanism);
        if (credential.storedKey() == null || credential.storedKey().length != length) {
            return "stored_key has the wrong size for " + mechanism.mechanismName();
        }
        if (credential.serverKey() == null || credential.serverKey().length != length) {
            return "server_key has the wrong size for " + mechanism.mechanismName();
        }
        return iterationsProblem(mechanism, credential.iterations());
    }

    /** Why {@code iterations} is not acceptable for {@code mechanism}, or null when it is. */
    public static String iterationsProblem(ScramMechanism mechanism, int iterations) {
        if (iterations < minIterations(mechanism) || iterations > MAX_ITERATIONS) {
            return "iterations=" + iterations + " is outside " + minIterations(mechanism) + ".." + MAX_ITERATIONS;
        }
        return null;
    }

    /**
     * A new credential for {@code password}: a fresh random salt (Kafka's format), StoredKey and ServerKey, as
     * {@code kafka-configs --add-config SCRAM-SHA-512=[password=...]} would make it. The password array is not
     * modified; the derived intermediate secrets are wiped.
     *
     * @throws IllegalArgumentException when the password is empty or the iteration count is out of bounds
     */
    public static ScramCredential generate(ScramMechanism mechanism, char[] password, int iterations) {
        String problem = iterationsProblem(mechanism, iterations);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (password.length == 0) {
            throw new IllegalArgumentException("the password is empty");
        }
        ScramFormatter formatter = formatter(mechanism);
        byte[] salt = formatter.secureRandomBytes();
        byte[] passwordBytes = utf8(password);
        byte[] salted = null;
        try {
            salted = formatter.hi(passwordBytes, salt, iterations);
            return formatter.generateCredential(salt, salted, iterations);
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("cannot derive a " + mechanism.mechanismName() + " key", e);
        } finally {
            Arrays.fill(passwordBytes, (byte) 0);
            if (salted != null) {
                Arrays.fill(salted, (byte) 0);
            }
        }
    }

    /** A fresh formatter (they are not thread-safe). */
    static ScramFormatter formatter(ScramMechanism mechanism) {
        try {
            return new ScramFormatter(mechanism);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(mechanism.hashAlgorithm() + " is not available in this JVM", e);
        }
    }

    /** The UTF-8 bytes of {@code chars}, in an array the caller should wipe; no intermediate String is made. */
    public static byte[] utf8(char[] chars) {
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer buffer = null;
        try {
            buffer = encoder.encode(CharBuffer.wrap(chars));
            byte[] out = new byte[buffer.remaining()];
            buffer.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the password is not valid Unicode text", e);
        } finally {
            if (buffer != null && buffer.hasArray()) {
                Arrays.fill(buffer.array(), (byte) 0);
            }
        }
    }

    static void wipe(byte[]... arrays) {
        for (byte[] a : arrays) {
            if (a != null) {
                Arrays.fill(a, (byte) 0);
            }
        }
    }
}
