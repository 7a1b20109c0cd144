package io.warden.authn.oauth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.RSAKey;
import io.warden.authn.MapCredentialStore;
import io.warden.authn.PlainServerExchange;
import io.warden.authn.sasl.AuthenticationFailure;
import io.warden.authn.sasl.SaslServerExchange;
import io.warden.authn.scram.FakeCredentials;
import io.warden.authn.scram.ScramClient;
import io.warden.authn.scram.ScramServerExchange;
import org.apache.kafka.common.security.auth.SaslExtensions;
import org.apache.kafka.common.security.oauthbearer.internals.OAuthBearerClientInitialResponse;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Every SASL mechanism Warden terminates, fed the messages of a successful login with bytes flipped, overwritten,
 * cut or added (a fixed seed, a bounded number of cases). Whatever arrives, an exchange either goes on or fails with
 * an {@link AuthenticationFailure} — never another exception, which the gateway would see as its own fault — and no
 * failure message carries the password. A mutated message never logs in a user other than the one whose credentials
 * were sent.
 */
class MutatedSaslMessagesTest {

    private static final long SEED = 20261127L;
    private static final int CASES = 600;
    private static final String PASSWORD = "mutation-secret-\u00e9";
    private static final RSAKey KEY = TokenFactory.rsa("idp-1");

    private final MapCredentialStore store = new MapCredentialStore()
            .putPassword("alice", ScramMechanism.SCRAM_SHA_256, PASSWORD, 4096)
            .putPassword("alice", ScramMechanism.SCRAM_SHA_512, PASSWORD, 4096);
    private final FakeCredentials fakes = new FakeCredentials(4096);

    @Test
    void scramClientFirstAndFinalMessages() throws Exception {
        Random random = new Random(SEED);
        for (ScramMechanism mechanism : ScramMechanism.values()) {
            for (int n = 0; n < CASES; n++) {
                ScramServerExchange server = new ScramServerExchange(mechanism, store, fakes, false);
                ScramClient client = new ScramClient(mechanism, "alice", PASSWORD.toCharArray());
                byte[] first = client.firstMessage();
                boolean mutateFirst = random.nextBoolean();
                String what = mechanism + " case " + n;
                byte[] serverFirst = step(server, mutateFirst ? mutate(first, random) : first, what + " (client-first)");
                if (serverFirst == null || mutateFirst) {
                    continue; // refused, or answered a message the client did not send: nothing more to follow
                }
                byte[] clientFinal = client.finalMessage(serverFirst);
                step(server, mutate(clientFinal, random), what + " (client-final)");
                if (server.isComplete()) {
                    assertThat(server.principal()).as(what).isEqualTo("User:alice");
                }
            }
        }
    }

    @Test
    void plainMessages() {
        Random random = new Random(SEED + 1);
        byte[] valid = ("\u0000alice\u0000" + PASSWORD).getBytes(StandardCharsets.UTF_8);
        for (int n = 0; n < CASES; n++) {
            PlainServerExchange server = new PlainServerExchange(store, fakes);
            step(server, mutate(valid, random), "PLAIN case " + n);
            if (server.isComplete()) {
                assertThat(server.principal()).isEqualTo("User:alice");
            }
        }
    }

    @Test
    void oauthBearerInitialResponses(@TempDir Path dir) throws Exception {
        Path jwks = dir.resolve("jwks.json");
        TokenFactory.writeJwks(jwks, KEY);
        JwtValidator validator = new JwtValidator(JwtSettings.of(null, jwks.toString(), TokenFactory.ISSUER, TokenFactory.AUDIENCE));
        byte[] valid = new OAuthBearerClientInitialResponse(TokenFactory.sign(KEY, JWSAlgorithm.RS256, TokenFactory.claims().build()),
                null, new SaslExtensions(Map.of("traceId", "t-1"))).toBytes();
        Random random = new Random(SEED + 2);
        Supplier<SaslServerExchange> exchanges = () -> new OAuthBearerServerExchange(validator);
        for (int n = 0; n < CASES; n++) {
            SaslServerExchange server = exchanges.get();
            step(server, mutate(valid, random), "OAUTHBEARER case " + n);
            if (server.isComplete()) {
                assertThat(server.principal()).isEqualTo("User:alice");
            }
        }
    }

    /** One step; null when the exchange refused the message with an AuthenticationFailure, as it must for bad input. */
    private static byte[] step(SaslServerExchange server, byte[] message, String what) {
        try {
            return server.evaluate(message);
        } catch (AuthenticationFailure refused) {
            assertThat(refused.getMessage()).as(what).doesNotContain(PASSWORD);
            assertThat(refused.clientMessage()).as(what).doesNotContain(PASSWORD).startsWith(AuthenticationFailure.CLIENT_PREFIX);
            return null;
        } catch (RuntimeException e) {
            return fail(what + ": " + new String(message, StandardCharsets.ISO_8859_1) + " made the exchange fail with " + e, e);
        } finally {
            if (!server.isComplete()) {
                server.dispose();
            }
        }
    }

    private static byte[] mutate(byte[] valid, Random random) {
        byte[] out = valid.clone();
        switch (random.nextInt(5)) {
            case 0 -> {
                for (int i = 1 + random.nextInt(3); i > 0; i--) {
                    out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> {
                byte[] specials = {0, ',', '=', 'n', 'r', 'p', 'a', '\u0001', (byte) 0xff, (byte) 0xc3};
                out[random.nextInt(out.length)] = specials[random.nextInt(specials.length)];
            }
            case 2 -> out = Arrays.copyOf(valid, random.nextInt(valid.length));
            case 3 -> {
                byte[] extra = new byte[1 + random.nextInt(32)];
                random.nextBytes(extra);
                out = Arrays.copyOf(valid, valid.length + extra.length);
                System.arraycopy(extra, 0, out, valid.length, extra.length);
            }
            default -> {
                int from = random.nextInt(out.length);
                int to = Math.min(out.length, from + 1 + random.nextInt(16));
                Arrays.fill(out, from, to, (byte) random.nextInt(256));
            }
        }
        return out;
    }
}
