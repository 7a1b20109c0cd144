package io.warden.authn.scram;

import io.warden.authn.MapCredentialStore;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** Published SCRAM test vectors, driven through both the server exchange and the client. */
class ScramVectorsTest {

    // RFC 7677 section 3 (SCRAM-SHA-256)
    private static final String USER = "user";
    private static final String PASSWORD = "pencil";
    private static final String CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
    private static final String SERVER_NONCE_SUFFIX = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private static final String SALT = "W22ZaJ0SNY7soEsUEjb6gQ==";
    private static final String CLIENT_FIRST = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    private static final String SERVER_FIRST = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private static final String CLIENT_FINAL = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private static final String SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    /*
     * SCRAM-SHA-512 with the same user, password, nonces, salt and iterations as RFC 7677, computed with Python's
     * hashlib/hmac (no Kafka code involved):
     *   salted = hashlib.pbkdf2_hmac("sha512", b"pencil", b64decode(SALT), 4096)
     *   client_key = hmac(salted, b"Client Key", sha512); stored_key = sha512(client_key)
     *   server_key = hmac(salted, b"Server Key", sha512)
     *   auth = "n=user,r=<cnonce>," + server_first + ",c=biws,r=<combined nonce>"
     *   proof = client_key XOR hmac(stored_key, auth); signature = hmac(server_key, auth)
     * The same script reproduces the RFC 7677 SHA-256 proof and signature above.
     */
    private static final String SHA512_SERVER_FIRST = SERVER_FIRST;
    private static final String SHA512_CLIENT_FINAL = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "p=gMGXRcevScNtxZ6/8lQYpGtnsNAc3mGcmNomv+xnoOMw+3R2xNJdMNnzMlTN8PPC6wdp6dybEmDYXYTxwnYPJQ==";
    private static final String SHA512_SERVER_FINAL =
            "v=ZQnYEgWQMFmmsM8aQMF0nDDCy/AgCzkwk8CmMZYcMg0vSVlKDanekLtifDSeVGT4+5ZxXnJq199RVG2rR7N7Zw==";
    private static final String SHA512_STORED_KEY =
            "6AAub3065EYRmyFpM2RNwqK+eGnrkYuEWbXn19LsEmBqzu8QaCXNc1FwpnX9NhH2hK/60dzj9DoO5DvVkOHbvg==";

    @Test
    void rfc7677ClientProducesTheVector() throws Exception {
        ScramClient client = new ScramClient(ScramMechanism.SCRAM_SHA_256, USER, PASSWORD.toCharArray(),
                new ScramClient.Cache(0), CLIENT_NONCE);

        assertThat(ascii(client.firstMessage())).isEqualTo(CLIENT_FIRST);
        assertThat(ascii(client.finalMessage(ascii(SERVER_FIRST)))).isEqualTo(CLIENT_FINAL);
        client.verifyServerFinal(ascii(SERVER_FINAL));
        assertThat(client.isComplete()).isTrue();
    }

    @Test
    void rfc7677ServerProducesTheVector() throws Exception {
        ScramServerExchange server = vectorServer(ScramMechanism.SCRAM_SHA_256);

        assertThat(ascii(server.evaluate(ascii(CLIENT_FIRST)))).isEqualTo(SERVER_FIRST);
        assertThat(ascii(server.evaluate(ascii(CLIENT_FINAL)))).isEqualTo(SERVER_FINAL);
        assertThat(server.isComplete()).isTrue();
        assertThat(server.principal()).isEqualTo("User:user");
    }

    @Test
    void sha512ClientAndServerProduceTheIndependentlyComputedVector() throws Exception {
        ScramClient client = new ScramClient(ScramMechanism.SCRAM_SHA_512, USER, PASSWORD.toCharArray(),
                new ScramClient.Cache(0), CLIENT_NONCE);
        assertThat(ascii(client.firstMessage())).isEqualTo(CLIENT_FIRST);
        assertThat(ascii(client.finalMessage(ascii(SHA512_SERVER_FIRST)))).isEqualTo(SHA512_CLIENT_FINAL);
        client.verifyServerFinal(ascii(SHA512_SERVER_FINAL));

        ScramServerExchange server = vectorServer(ScramMechanism.SCRAM_SHA_512);
        assertThat(ascii(server.evaluate(ascii(CLIENT_FIRST)))).isEqualTo(SHA512_SERVER_FIRST);
        assertThat(ascii(server.evaluate(ascii(SHA512_CLIENT_FINAL)))).isEqualTo(SHA512_SERVER_FINAL);
        assertThat(vectorCredential(ScramMechanism.SCRAM_SHA_512).storedKey()).isEqualTo(b64(SHA512_STORED_KEY));
    }

    /** RFC 7677 step by step with Kafka's formatter, the salted password checked against the JDK's PBKDF2. */
    @Test
    void rfc7677StepByStepWithKafkasFormatter() throws Exception {
        ScramFormatter f = new ScramFormatter(ScramMechanism.SCRAM_SHA_256);
        byte[] salted = f.saltedPassword(PASSWORD, b64(SALT), 4096);
        assertThat(salted).isEqualTo(pbkdf2("PBKDF2WithHmacSHA256", PASSWORD, b64(SALT), 4096, 256));

        String authMessage = "n=user,r=" + CLIENT_NONCE + "," + SERVER_FIRST + ",c=biws,r=" + CLIENT_NONCE + SERVER_NONCE_SUFFIX;
        byte[] clientKey = f.clientKey(salted);
        byte[] storedKey = f.storedKey(clientKey);
        byte[] clientSignature = f.hmac(storedKey, ascii(authMessage));
        byte[] proof = ScramFormatter.xor(clientKey, clientSignature);
        byte[] serverSignature = f.hmac(f.serverKey(salted), ascii(authMessage));

        assertThat(Base64.getEncoder().encodeToString(proof)).isEqualTo("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        assertThat("v=" + Base64.getEncoder().encodeToString(serverSignature)).isEqualTo(SERVER_FINAL);
        assertThat(MessageDigest.getInstance("SHA-256").digest(ScramFormatter.xor(proof, clientSignature))).isEqualTo(storedKey);
    }

    /**
     * RFC 5802 section 5 (SCRAM-SHA-1) computed step by step with javax.crypto, the same math the exchange runs with
     * SHA-256/512 (Kafka's formatter has no SHA-1).
     */
    @Test
    void rfc5802Sha1StepByStep() throws Exception {
        String clientNonce = "fyko+d2lbbFgONRv9qkxdawL";
        String combined = clientNonce + "3rfcNHYJY1ZVvWVs7j";
        byte[] salt = b64("QSXCR+Q6sek8bf92");
        String clientFirstBare = "n=user,r=" + clientNonce;
        String serverFirst = "r=" + combined + ",s=QSXCR+Q6sek8bf92,i=4096";
        String withoutProof = "c=biws,r=" + combined;

        byte[] saltedPassword = hi("HmacSHA1", ascii("pencil"), salt, 4096);
        assertThat(saltedPassword).isEqualTo(pbkdf2("PBKDF2WithHmacSHA1", "pencil", salt, 4096, 160));
        byte[] clientKey = hmac("HmacSHA1", saltedPassword, ascii("Client Key"));
        byte[] storedKey = MessageDigest.getInstance("SHA-1").digest(clientKey);
        byte[] authMessage = ascii(clientFirstBare + "," + serverFirst + "," + withoutProof);
        byte[] clientSignature = hmac("HmacSHA1", storedKey, authMessage);
        byte[] clientProof = ScramFormatter.xor(clientKey, clientSignature);
        byte[] serverKey = hmac("HmacSHA1", saltedPassword, ascii("Server Key"));
        byte[] serverSignature = hmac("HmacSHA1", serverKey, authMessage);

        assertThat(Base64.getEncoder().encodeToString(clientProof)).isEqualTo("v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=");
        assertThat(Base64.getEncoder().encodeToString(serverSignature)).isEqualTo("rmF9pqV8S7suAoZWja4dJRkFsKQ=");
        // the server's side: ClientKey recovered from the proof hashes to StoredKey
        byte[] recovered = ScramFormatter.xor(clientProof, hmac("HmacSHA1", storedKey, authMessage));
        assertThat(MessageDigest.getInstance("SHA-1").digest(recovered)).isEqualTo(storedKey);
    }

    private static ScramServerExchange vectorServer(ScramMechanism mechanism) {
        MapCredentialStore store = new MapCredentialStore().put(USER, mechanism, vectorCredential(mechanism));
        return new ScramServerExchange(mechanism, store, new FakeCredentials(4096), false, () -> SERVER_NONCE_SUFFIX);
    }

    private static ScramCredential vectorCredential(ScramMechanism mechanism) {
        try {
            ScramFormatter f = new ScramFormatter(mechanism);
            return f.generateCredential(b64(SALT), f.saltedPassword(PASSWORD, b64(SALT), 4096), 4096);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Hi() of RFC 5802: PBKDF2 with one block, written out. */
    private static byte[] hi(String macAlgorithm, byte[] password, byte[] salt, int iterations) throws Exception {
        byte[] block = new byte[salt.length + 4];
        System.arraycopy(salt, 0, block, 0, salt.length);
        block[block.length - 1] = 1;
        byte[] u = hmac(macAlgorithm, password, block);
        byte[] result = u.clone();
        for (int i = 2; i <= iterations; i++) {
            u = hmac(macAlgorithm, password, u);
            for (int j = 0; j < result.length; j++) {
                result[j] ^= u[j];
            }
        }
        return result;
    }

    private static byte[] hmac(String algorithm, byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance(algorithm);
        mac.init(new SecretKeySpec(key, algorithm));
        return mac.doFinal(data);
    }

    private static byte[] pbkdf2(String algorithm, String password, byte[] salt, int iterations, int bits) throws Exception {
        return SecretKeyFactory.getInstance(algorithm)
                .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, bits)).getEncoded();
    }

    private static byte[] b64(String s) {
        return Base64.getDecoder().decode(s);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String ascii(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }
}
