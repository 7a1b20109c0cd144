package io.warden.authn.scram;

import io.warden.authn.MapCredentialStore;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.security.sasl.SaslException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScramClientTest {

    private static final ScramMechanism SHA_256 = ScramMechanism.SCRAM_SHA_256;
    private static final String NONCE = "fyko+d2lbbFgONRv9qkxdawL";
    private static final String SALT = "QSXCR+Q6sek8bf92";

    private final ScramClient client = new ScramClient(SHA_256, "user", "pencil".toCharArray(), new ScramClient.Cache(0), NONCE);

    @Test
    void firstMessageEscapesTheUserName() {
        ScramClient c = new ScramClient(SHA_256, "a,b=c", "pw".toCharArray(), new ScramClient.Cache(0), NONCE);
        assertThat(ascii(c.firstMessage())).isEqualTo("n,,n=a=2Cb=3Dc,r=" + NONCE);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "r=someoneelse3rfcNHYJY1ZVvWVs7j,s=" + SALT + ",i=4096",
        "r=" + NONCE + ",s=" + SALT + ",i=4096",
        "r=fyko+d2lbbFgONRv9qkxdaw,s=" + SALT + ",i=4096",
        "r=Xfyko+d2lbbFgONRv9qkxdawL3rfc,s=" + SALT + ",i=4096"
    })
    void refusesServerNonceNotExtendingOurs(String serverFirst) {
        client.firstMessage();
        assertThatThrownBy(() -> client.finalMessage(ascii(serverFirst)))
                .isInstanceOf(SaslException.class).hasMessageContaining("nonce");
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 4095, 16385, 100000})
    void refusesIterationsOutOfRange(int iterations) {
        client.firstMessage();
        assertThatThrownBy(() -> client.finalMessage(ascii("r=" + NONCE + "3rfc,s=" + SALT + ",i=" + iterations)))
                .isInstanceOf(SaslException.class).hasMessageContaining("iterations=" + iterations);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "r=" + NONCE + "3rfc,s=" + SALT,
        "r=" + NONCE + "3rfc,s=not base64!,i=4096",
        "r=" + NONCE + "3rfc,s=" + SALT + ",i=0",
        "r=" + NONCE + "3rfc,s=" + SALT + ",i=99999999999",
        "m=ext,r=" + NONCE + "3rfc,s=" + SALT + ",i=4096",
        "r=" + NONCE + "3rfc,s=,i=4096",
        "s=" + SALT + ",r=" + NONCE + "3rfc,i=4096"
    })
    void refusesMalformedServerFirst(String serverFirst) {
        client.firstMessage();
        assertThatThrownBy(() -> client.finalMessage(ascii(serverFirst))).isInstanceOf(SaslException.class);
    }

    @Test
    void refusesBadServerSignature() throws Exception {
        client.firstMessage();
        client.finalMessage(ascii("r=" + NONCE + "3rfc,s=" + SALT + ",i=4096"));
        String forged = "v=" + Base64.getEncoder().encodeToString(new byte[32]);

        assertThatThrownBy(() -> client.verifyServerFinal(ascii(forged)))
                .isInstanceOf(SaslException.class).hasMessageContaining("signature does not verify");
        assertThat(client.isComplete()).isFalse();
    }

    @Test
    void reportsServerError() throws Exception {
        client.firstMessage();
        client.finalMessage(ascii("r=" + NONCE + "3rfc,s=" + SALT + ",i=4096"));

        assertThatThrownBy(() -> client.verifyServerFinal(ascii("e=invalid-proof")))
                .isInstanceOf(SaslException.class).hasMessageContaining("e=invalid-proof");
        assertThat(client.isComplete()).isFalse();
    }

    @Test
    void refusesMalformedServerFinal() throws Exception {
        client.firstMessage();
        client.finalMessage(ascii("r=" + NONCE + "3rfc,s=" + SALT + ",i=4096"));

        assertThatThrownBy(() -> client.verifyServerFinal(ascii("v=1=23"))).isInstanceOf(SaslException.class);
    }

    @Test
    void stepsMustComeInOrder() throws Exception {
        assertThatThrownBy(() -> client.finalMessage(ascii("r=" + NONCE + "3rfc,s=" + SALT + ",i=4096")))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> client.verifyServerFinal(ascii("v=AAAA"))).isInstanceOf(IllegalStateException.class);
        client.firstMessage();
        assertThatThrownBy(client::firstMessage).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void cacheSkipsKeyDerivationForTheSameCredentialOnly() throws Exception {
        MapCredentialStore store = new MapCredentialStore().putPassword("alice", SHA_256, "pw-1", 4096);
        FakeCredentials fakes = new FakeCredentials(4096);
        ScramClient.Cache cache = new ScramClient.Cache(8);

        assertThat(login(store, fakes, cache, "pw-1")).isTrue();
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.hits()).isZero();
        assertThat(login(store, fakes, cache, "pw-1")).isTrue();
        assertThat(cache.hits()).isEqualTo(1);

        assertThat(login(store, fakes, cache, "pw-2")).isFalse();
        assertThat(cache.hits()).isEqualTo(1);
        assertThat(cache.size()).isEqualTo(2);

        cache.clear();
        assertThat(cache.size()).isZero();
    }

    @Test
    void cacheIsBounded() throws Exception {
        ScramClient.Cache cache = new ScramClient.Cache(2);
        for (String salt : new String[] {"c2FsdDE=", "c2FsdDI=", "c2FsdDM="}) {
            ScramClient c = new ScramClient(SHA_256, "u", "pw".toCharArray(), cache, NONCE);
            c.firstMessage();
            c.finalMessage(ascii("r=" + NONCE + "x,s=" + salt + ",i=4096"));
        }
        assertThat(cache.size()).isEqualTo(2);
    }

    private static boolean login(MapCredentialStore store, FakeCredentials fakes, ScramClient.Cache cache, String password)
            throws Exception {
        ScramServerExchange server = new ScramServerExchange(SHA_256, store, fakes, false);
        ScramClient c = new ScramClient(SHA_256, "alice", password.toCharArray(), cache);
        try {
            c.verifyServerFinal(server.evaluate(c.finalMessage(server.evaluate(c.firstMessage()))));
            return c.isComplete();
        } catch (io.warden.authn.sasl.AuthenticationFailure f) {
            return false;
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String ascii(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }
}
