package io.warden.authn;

import io.warden.authn.sasl.AuthenticationFailure;
import io.warden.authn.scram.FakeCredentials;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static io.warden.authn.PlainServerExchange.INVALID_USERNAME_OR_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class PlainServerExchangeTest {

    private static final String PASSWORD = "p\u00e4ssw\u00f6rd-\u2603";

    private final MapCredentialStore store = new MapCredentialStore()
            .putPassword("alice", ScramMechanism.SCRAM_SHA_512, PASSWORD, 4096)
            .putPassword("alice", ScramMechanism.SCRAM_SHA_256, "a different password", 4096)
            .putPassword("carol", ScramMechanism.SCRAM_SHA_256, PASSWORD, 4096);
    private final FakeCredentials fakes = new FakeCredentials(4096);

    @Test
    void rightPasswordAuthenticates() throws Exception {
        PlainServerExchange exchange = exchange();
        assertThat(exchange.evaluate(plain("", "alice", PASSWORD))).isEmpty();
        assertThat(exchange.isComplete()).isTrue();
        assertThat(exchange.principal()).isEqualTo("User:alice");
        assertThat(exchange.claimedUser()).isEqualTo("alice");
        assertThat(exchange.mechanism()).isEqualTo("PLAIN");
        assertThat(exchange.blocking()).isTrue();
    }

    @Test
    void sha512CredentialIsPreferredAndSha256UsedWhenAlone() throws Exception {
        AuthenticationFailure f = failure(exchange(), plain("", "alice", "a different password"));
        assertThat(f.clientMessage()).isEqualTo(INVALID_USERNAME_OR_PASSWORD);

        PlainServerExchange carol = exchange();
        carol.evaluate(plain("", "carol", PASSWORD));
        assertThat(carol.principal()).isEqualTo("User:carol");
    }

    @Test
    void authzidEqualToUserIsAccepted() throws Exception {
        PlainServerExchange exchange = exchange();
        exchange.evaluate(plain("alice", "alice", PASSWORD));
        assertThat(exchange.principal()).isEqualTo("User:alice");
    }

    @Test
    void wrongPasswordAndUnknownUserLookAlike() {
        AuthenticationFailure wrong = failure(exchange(), plain("", "alice", "wrong"));
        PlainServerExchange unknownExchange = exchange();
        AuthenticationFailure unknown = failure(unknownExchange, plain("", "mallory", PASSWORD));

        assertThat(wrong.clientMessage()).isEqualTo(INVALID_USERNAME_OR_PASSWORD).isEqualTo(unknown.clientMessage());
        assertThat(wrong.getMessage()).contains("wrong password");
        assertThat(unknown.getMessage()).contains("unknown user");
        assertThat(unknownExchange.claimedUser()).isEqualTo("mallory");
        assertThat(unknownExchange.isComplete()).isFalse();
    }

    @Test
    void storedIterationsOutOfRangeAreRefused() throws Exception {
        store.put("dave", ScramMechanism.SCRAM_SHA_512,
                new ScramFormatter(ScramMechanism.SCRAM_SHA_512).generateCredential(PASSWORD, 1000));
        AuthenticationFailure f = failure(exchange(), plain("", "dave", PASSWORD));
        assertThat(f.clientMessage()).isEqualTo(INVALID_USERNAME_OR_PASSWORD);
        assertThat(f.getMessage()).contains("iterations=1000");
    }

    @Test
    void authzidOtherThanUserIsRefused() {
        AuthenticationFailure f = failure(exchange(), plain("bob", "alice", PASSWORD));
        assertThat(f.clientMessage()).contains("authorization id").isNotEqualTo(INVALID_USERNAME_OR_PASSWORD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "alice", "alice\u0000pw", "\u0000\u0000pw", "\u0000alice\u0000", "\u0000alice\u0000pw\u0000", "a\u0000b\u0000c\u0000d", "\u0000ali\nce\u0000pw"})
    void malformedMessagesAreRefused(String message) {
        AuthenticationFailure f = failure(exchange(), message.getBytes(StandardCharsets.UTF_8));
        assertThat(f.clientMessage()).startsWith("Authentication failed: ").isNotEqualTo(INVALID_USERNAME_OR_PASSWORD);
    }

    @Test
    void malformedMessagesNameTheProblem() {
        assertThat(failure(exchange(), "alice".getBytes(StandardCharsets.UTF_8)).clientMessage())
                .contains("[authzid] NUL user NUL password");
        assertThat(failure(exchange(), plain("", "", "pw")).clientMessage()).contains("empty user name");
        assertThat(failure(exchange(), plain("", "alice", "")).clientMessage()).contains("empty password");
        assertThat(failure(exchange(), new byte[] {0, (byte) 0xC3, 0, 'p'}).clientMessage()).contains("not valid UTF-8");
        assertThat(failure(exchange(), new byte[PlainServerExchange.MAX_MESSAGE_LENGTH + 1]).clientMessage()).contains("longer than");
    }

    @Test
    void passwordBytesAreWipedFromTheMessage() throws Exception {
        byte[] message = plain("", "alice", PASSWORD);
        exchange().evaluate(message);
        int passwordStart = message.length - PASSWORD.getBytes(StandardCharsets.UTF_8).length;
        for (int i = passwordStart; i < message.length; i++) {
            assertThat(message[i]).isZero();
        }

        byte[] failed = plain("", "alice", "wrong");
        failure(exchange(), failed);
        assertThat(new String(failed, StandardCharsets.UTF_8)).doesNotContain("wrong");
    }

    @Test
    void secondMessageIsRefused() throws Exception {
        PlainServerExchange exchange = exchange();
        exchange.evaluate(plain("", "alice", PASSWORD));
        AuthenticationFailure f = failure(exchange, plain("", "alice", PASSWORD));
        assertThat(f.clientMessage()).contains("after the PLAIN exchange ended");
        assertThat(exchange.isComplete()).isFalse();
        assertThatThrownBy(exchange::principal).isInstanceOf(IllegalStateException.class);
    }

    private PlainServerExchange exchange() {
        return new PlainServerExchange(store, fakes);
    }

    private static byte[] plain(String authzid, String user, String password) {
        return (authzid + "\u0000" + user + "\u0000" + password).getBytes(StandardCharsets.UTF_8);
    }

    private static AuthenticationFailure failure(PlainServerExchange exchange, byte[] message) {
        AuthenticationFailure f = catchThrowableOfType(AuthenticationFailure.class, () -> exchange.evaluate(message));
        assertThat(f).as("an AuthenticationFailure").isNotNull();
        return f;
    }
}
