package io.warden.authn.scram;

import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The client's computation over arbitrary message texts, for clients the tests build by hand (doubled nonces,
 * authzids, forged nonces): everything a real client does, minus any checking.
 */
final class ScramTestMath {

    final ScramMechanism mechanism;
    final byte[] saltedPassword;

    ScramTestMath(ScramMechanism mechanism, String password, byte[] salt, int iterations) throws Exception {
        this.mechanism = mechanism;
        this.saltedPassword = new ScramFormatter(mechanism).saltedPassword(password, salt, iterations);
    }

    /** From the server-first message text: salt and iterations parsed out of it. */
    static ScramTestMath forServerFirst(ScramMechanism mechanism, String password, String serverFirst) throws Exception {
        String salt = attribute(serverFirst, "s");
        int iterations = Integer.parseInt(attribute(serverFirst, "i"));
        return new ScramTestMath(mechanism, password, Base64.getDecoder().decode(salt), iterations);
    }

    static String attribute(String message, String name) {
        for (String part : message.split(",")) {
            if (part.startsWith(name + "=")) {
                return part.substring(name.length() + 1);
            }
        }
        throw new IllegalArgumentException("no " + name + "= in " + message);
    }

    /** {@code withoutProof + ",p=" + proof} over {@code clientFirstBare,serverFirst,withoutProof}. */
    String clientFinal(String clientFirstBare, String serverFirst, String withoutProof) throws Exception {
        ScramFormatter f = new ScramFormatter(mechanism);
        byte[] clientKey = f.clientKey(saltedPassword);
        byte[] storedKey = f.hash(clientKey);
        byte[] signature = f.hmac(storedKey, authMessage(clientFirstBare, serverFirst, withoutProof));
        return withoutProof + ",p=" + Base64.getEncoder().encodeToString(ScramFormatter.xor(clientKey, signature));
    }

    /** {@code v=<ServerSignature>} a server holding this password's credential sends. */
    String serverFinal(String clientFirstBare, String serverFirst, String withoutProof) throws Exception {
        ScramFormatter f = new ScramFormatter(mechanism);
        byte[] signature = f.hmac(f.serverKey(saltedPassword), authMessage(clientFirstBare, serverFirst, withoutProof));
        return "v=" + Base64.getEncoder().encodeToString(signature);
    }

    private static byte[] authMessage(String clientFirstBare, String serverFirst, String withoutProof) {
        return (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
    }
}
