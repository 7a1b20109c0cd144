package io.warden.authn.scram;

import io.warden.authn.MapCredentialStore;
import io.warden.authn.sasl.AuthenticationFailure;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScramServerExchangeTest {

    private static final String PASSWORD = "correct horse battery staple";
    private static final ScramMechanism SHA_256 = ScramMechanism.SCRAM_SHA_256;
    private static final ScramMechanism SHA_512 = ScramMechanism.SCRAM_SHA_512;
    private static final String NONCE = "k3jr8m2lq0d9f7vx1cz";

    private final MapCredentialStore store = new MapCredentialStore()
            .putPassword("alice", SHA_256, PASSWORD, 8192)
            .putPassword("alice", SHA_512, PASSWORD, 8192);
    private final FakeCredentials fakes = new FakeCredentials(8192);

    @ParameterizedTest
    @EnumSource(ScramMechanism.class)
    void javaClientLogsIn(ScramMechanism mechanism) throws Exception {
        ScramServerExchange server = server(mechanism, false);
        ScramClient client = new ScramClient(mechanism, "alice", PASSWORD.toCharArray(), new ScramClient.Cache(4));

        byte[] serverFirst = server.evaluate(client.firstMessage());
        assertThat(server.isComplete()).isFalse();
        assertThat(server.claimedUser()).isEqualTo("alice");
        byte[] serverFinal = server.evaluate(client.finalMessage(serverFirst));
        client.verifyServerFinal(serverFinal);

        assertThat(server.isComplete()).isTrue();
        assertThat(server.principal()).isEqualTo("User:alice");
        assertThat(server.mechanism()).isEqualTo(mechanism.mechanismName());
        assertThat(server.details()).isEmpty();
        assertThat(server.blocking()).isFalse();
        assertThat(ascii(serverFirst)).contains(",i=8192");
    }

    @Test
    void escapedUserNameIsDecoded() throws Exception {
        store.putPassword("a,b=c", SHA_256, PASSWORD, 4096);
        ScramServerExchange server = server(SHA_256, false);
        ScramClient client = new ScramClient(SHA_256, "a,b=c", PASSWORD.toCharArray(), new ScramClient.Cache(0));

        byte[] first = client.firstMessage();
        assertThat(ascii(first)).startsWith("n,,n=a=2Cb=3Dc,r=");
        client.verifyServerFinal(server.evaluate(client.finalMessage(server.evaluate(first))));
        assertThat(server.principal()).isEqualTo("User:a,b=c");
    }

    /** Every client-first form Kafka's ScramMessagesTest rejects, and the ones Warden refuses on top. */
    @ParameterizedTest
    @ValueSource(strings = {
        "n,x=something,n=alice,r=" + NONCE,
        "n,,m,n=alice,r=" + NONCE,
        "n,,m=name,value,n=alice,r=" + NONCE,
        "n,,m=,,n=alice,r=" + NONCE,
        "n,,m=reserved-value,n=alice,r=" + NONCE,
        "n,,n=alice,r=" + NONCE + ",ext1=value",
        "n,,n=alice,r=" + NONCE + ",ext",
        "n,,n=alice,r=" + NONCE + ",ext=value1,value2",
        "n,,n=alice,r=" + NONCE + ",ext=,",
        "n,,n=alice,r=" + NONCE + ",ext =value",
        "y,,n=alice,r=" + NONCE,
        "p=tls-unique,,n=alice,r=" + NONCE,
        "n,,r=" + NONCE,
        "n,,n=alice",
        "n,,n=alice,r=",
        "n,,n=,r=" + NONCE,
        "n,,r=" + NONCE + ",n=alice",
        "n,,n=al=ice,r=" + NONCE,
        "n,,n=alice,r=ab,cd",
        "n,,n=alice,r=" + NONCE + ",junk",
        "n,n=alice,r=" + NONCE,
        "n,a=al=ice,,n=alice,r=" + NONCE,
        "n,a=alice",
        "c=biws,r=" + NONCE + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
        "n,,n=alic\u00e9,r=" + NONCE,
        "n,,n=ali\nce,r=" + NONCE,
        "n,,n=ali\u007fce,r=" + NONCE,
        "n,,n=alice,r=" + NONCE + "\u0000",
        " n,,n=alice,r=" + NONCE,
        ""
    })
    void malformedClientFirstIsRefused(String message) {
        ScramServerExchange server = server(SHA_256, false);
        assertMalformed(() -> server.evaluate(message.getBytes(StandardCharsets.UTF_8)), f -> { });
        assertThat(server.isComplete()).isFalse();
        assertMalformed(() -> server.evaluate(ascii("n,,n=alice,r=" + NONCE)), f -> assertThat(f.getMessage()).contains("failed"));
    }

    @Test
    void malformedMessagesNameTheProblem() {
        assertMalformed(() -> server(SHA_256, false).evaluate(ascii("y,,n=alice,r=" + NONCE)),
                f -> assertThat(f.clientMessage()).contains("channel binding"));
        assertMalformed(() -> server(SHA_256, false).evaluate(ascii("n,,n=alice,r=ab,cd")),
                f -> assertThat(f.clientMessage()).contains("extension"));
        assertMalformed(() -> server(SHA_256, false).evaluate(ascii("n,,r=" + NONCE)),
                f -> assertThat(f.clientMessage()).contains("n=<user>"));
        assertMalformed(() -> server(SHA_256, false).evaluate(new byte[ScramServerExchange.MAX_MESSAGE_LENGTH + 1]),
                f -> assertThat(f.clientMessage()).contains("longer than"));
    }

    @Test
    void delegationTokensAreRefused() {
        assertMalformed(() -> server(SHA_256, false).evaluate(ascii("n,,n=alice,r=" + NONCE + ",tokenauth=true")),
                f -> assertThat(f.clientMessage()).contains("delegation tokens (tokenauth=true) are not supported"));
    }

    @Test
    void otherExtensionsAreIgnoredButSigned() throws Exception {
        ScramServerExchange server = server(SHA_256, false);
        String bare = "n=alice,r=" + NONCE + ",ext=value";
        String serverFirst = ascii(server.evaluate(ascii("n,," + bare)));
        String withoutProof = "c=biws,r=" + ScramTestMath.attribute(serverFirst, "r");
        ScramTestMath math = ScramTestMath.forServerFirst(SHA_256, PASSWORD, serverFirst);

        assertThat(ascii(server.evaluate(ascii(math.clientFinal(bare, serverFirst, withoutProof)))))
                .isEqualTo(math.serverFinal(bare, serverFirst, withoutProof));
    }

    /** Every client-final form Kafka's ScramMessagesTest rejects, plus missing, misplaced and extra attributes. */
    @ParameterizedTest
    @ValueSource(strings = {
        "c=ab,r={R},p={P}",
        "c=biws,r={R},p=123",
        "c=biws,r={R},ext1=value,p={P}",
        "c=biws,r={R},ext,p={P}",
        "c=biws,r={R},ext=value1,value2,p={P}",
        "c=biws,r={R},ext=,,p={P}",
        "c=biws,r={R},ext =value,p={P}",
        "c=biws,r={R}",
        "c=biws,p={P}",
        "r={R},c=biws,p={P}",
        "c=biws,r={R},p={P},junk",
        "c=biws,r=ab,cd,p={P}",
        "c=biws,r={R},p=AAAAAAAAAAAAAAAAAAAAAA==",
        "c=biws,r={R},p=",
        "p={P},c=biws,r={R}",
        "n,,n=alice,r=" + NONCE,
        ""
    })
    void malformedClientFinalIsRefused(String template) throws Exception {
        ScramServerExchange server = server(SHA_256, false);
        String serverFirst = ascii(server.evaluate(ascii("n,,n=alice,r=" + NONCE)));
        String proof = Base64.getEncoder().encodeToString(new byte[32]);
        String message = template.replace("{R}", ScramTestMath.attribute(serverFirst, "r")).replace("{P}", proof);

        assertMalformed(() -> server.evaluate(ascii(message)), f -> assertThat(f.clientMessage()).doesNotContain(proof));
        assertThat(server.isComplete()).isFalse();
    }

    @Test
    void wrongPasswordIsInvalidCredentials() throws Exception {
        ScramServerExchange server = server(SHA_512, false);
        ScramClient client = new ScramClient(SHA_512, "alice", "wrong".toCharArray(), new ScramClient.Cache(0));
        byte[] clientFinal = client.finalMessage(server.evaluate(client.firstMessage()));

        assertInvalidCredentials(() -> server.evaluate(clientFinal), "wrong password");
        assertThat(server.isComplete()).isFalse();
        assertThat(server.claimedUser()).isEqualTo("alice");
    }

    @Test
    void unknownUserLooksLikeWrongPassword() throws Exception {
        ScramServerExchange known = server(SHA_256, false);
        ScramServerExchange unknown = server(SHA_256, false);
        String knownFirst = ascii(known.evaluate(ascii("n,,n=alice,r=" + NONCE)));
        String unknownFirst = ascii(unknown.evaluate(ascii("n,,n=mallory,r=" + NONCE)));

        String shape = "r=" + NONCE + "[0-9a-z]+,s=[A-Za-z0-9+/]+=*,i=8192";
        assertThat(knownFirst).matches(shape);
        assertThat(unknownFirst).matches(shape);
        assertThat(saltOf(unknownFirst)).matches("[0-9a-z]{20,27}");
        assertThat(saltOf(knownFirst)).matches("[0-9a-z]{20,27}");

        ScramTestMath guess = ScramTestMath.forServerFirst(SHA_256, "guess", unknownFirst);
        String withoutProof = "c=biws,r=" + ScramTestMath.attribute(unknownFirst, "r");
        AuthenticationFailure unknownFailure = failure(() -> unknown.evaluate(ascii(
                guess.clientFinal("n=mallory,r=" + NONCE, unknownFirst, withoutProof))));
        ScramClient wrong = new ScramClient(SHA_256, "alice", "guess".toCharArray(), new ScramClient.Cache(0), NONCE);
        wrong.firstMessage();
        AuthenticationFailure wrongFailure = failure(() -> known.evaluate(wrong.finalMessage(ascii(knownFirst))));

        // Kafka's broker's words, the same for both.
        assertThat(unknownFailure.clientMessage())
                .isEqualTo("Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256")
                .isEqualTo(wrongFailure.clientMessage());
        assertThat(unknownFailure.clientMessage(true))
                .isEqualTo("Authentication failed during re-authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256")
                .isEqualTo(wrongFailure.clientMessage(true));
        assertThat(unknownFailure.getMessage()).contains("unknown user");
        assertThat(unknown.claimedUser()).isEqualTo("mallory");
    }

    @Test
    void unknownUserSaltIsStablePerNameAndDiffersBetweenNames() throws Exception {
        String first = saltOf(ascii(server(SHA_256, false).evaluate(ascii("n,,n=mallory,r=" + NONCE))));
        String again = saltOf(ascii(server(SHA_256, false).evaluate(ascii("n,,n=mallory,r=other" + NONCE))));
        String otherName = saltOf(ascii(server(SHA_256, false).evaluate(ascii("n,,n=trudy,r=" + NONCE))));
        String otherMechanism = saltOf(ascii(server(SHA_512, false).evaluate(ascii("n,,n=mallory,r=" + NONCE))));

        assertThat(again).isEqualTo(first);
        assertThat(otherName).isNotEqualTo(first);
        assertThat(otherMechanism).isNotEqualTo(first);
    }

    @Test
    void replayedClientFinalIsRefused() throws Exception {
        ScramClient client = new ScramClient(SHA_256, "alice", PASSWORD.toCharArray(), new ScramClient.Cache(0), NONCE);
        ScramServerExchange first = server(SHA_256, false);
        byte[] clientFirst = client.firstMessage();
        byte[] clientFinal = client.finalMessage(first.evaluate(clientFirst));
        first.evaluate(clientFinal);
        assertThat(first.isComplete()).isTrue();

        ScramServerExchange second = server(SHA_256, true);
        second.evaluate(clientFirst);
        assertMalformed(() -> second.evaluate(clientFinal), f -> assertThat(f.clientMessage()).contains("nonce"));
        assertThat(second.isComplete()).isFalse();
    }

    @Test
    void tamperedProofIsInvalidCredentials() throws Exception {
        ScramServerExchange server = server(SHA_256, false);
        ScramClient client = new ScramClient(SHA_256, "alice", PASSWORD.toCharArray(), new ScramClient.Cache(0));
        String clientFinal = ascii(client.finalMessage(server.evaluate(client.firstMessage())));
        int at = clientFinal.lastIndexOf(",p=") + 3;
        byte[] proof = Base64.getDecoder().decode(clientFinal.substring(at));
        proof[7] ^= 0x01;
        String tampered = clientFinal.substring(0, at) + Base64.getEncoder().encodeToString(proof);

        assertInvalidCredentials(() -> server.evaluate(ascii(tampered)), "wrong password");
    }

    /** A final nonce that merely ends with the combined nonce passed Kafka 3.8.1–3.9 (CVE-2024-56128). */
    @ParameterizedTest
    @ValueSource(strings = {"evil{R}", "{S}", "{R}x", "{R-1}", "{C}", "{C}{C}{R}"})
    void finalNonceMustEqualTheCombinedNonce(String nonceTemplate) throws Exception {
        ScramServerExchange server = server(SHA_256, true);
        String bare = "n=alice,r=" + NONCE;
        String serverFirst = ascii(server.evaluate(ascii("n,," + bare)));
        String combined = ScramTestMath.attribute(serverFirst, "r");
        String nonce = nonceTemplate.replace("{R-1}", combined.substring(0, combined.length() - 1))
                .replace("{R}", combined).replace("{S}", combined.substring(NONCE.length())).replace("{C}", NONCE);
        String withoutProof = "c=biws,r=" + nonce;
        String clientFinal = ScramTestMath.forServerFirst(SHA_256, PASSWORD, serverFirst).clientFinal(bare, serverFirst, withoutProof);

        assertMalformed(() -> server.evaluate(ascii(clientFinal)),
                f -> assertThat(f.clientMessage()).contains("nonce does not match"));
    }

    @Test
    void channelBindingMustRepeatTheGs2Header() throws Exception {
        String other = Base64.getEncoder().encodeToString(ascii("n,a=alice,"));
        assertMalformed(() -> signedExchange(server(SHA_256, false), "n,,", "c=" + other),
                f -> assertThat(f.clientMessage()).contains("channel binding"));
        assertMalformed(() -> signedExchange(server(SHA_256, false), "n,a=alice,", "c=biws"),
                f -> assertThat(f.clientMessage()).contains("channel binding"));
    }

    @Test
    void authzidEqualToUserIsAccepted() throws Exception {
        ScramServerExchange server = server(SHA_256, false);
        String gs2 = "n,a=alice,";
        signedExchange(server, gs2, "c=" + Base64.getEncoder().encodeToString(ascii(gs2)));
        assertThat(server.principal()).isEqualTo("User:alice");
    }

    @Test
    void authzidOtherThanUserIsRefused() {
        ScramServerExchange server = server(SHA_256, false);
        assertMalformed(() -> server.evaluate(ascii("n,a=bob,n=alice,r=" + NONCE)),
                f -> assertThat(f.clientMessage()).contains("authorization id"));
        assertThat(server.claimedUser()).isEqualTo("alice");
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 4095, 16385, 20000})
    void storedIterationsOutOfRangeAreRefused(int iterations) throws Exception {
        store.putPassword("bob", SHA_256, PASSWORD, iterations);
        ScramServerExchange server = server(SHA_256, false);
        ScramClient client = new ScramClient(SHA_256, "bob", PASSWORD.toCharArray(), new ScramClient.Cache(0));
        byte[] serverFirst = server.evaluate(client.firstMessage());
        assertThat(ascii(serverFirst)).endsWith(",i=8192");

        AuthenticationFailure f = failure(() -> server.evaluate(client.finalMessage(serverFirst)));
        assertThat(f.clientMessage()).isEqualTo(AuthenticationFailure.invalidCredentialsMessage("SCRAM-SHA-256", false));
        assertThat(f.getMessage()).contains("iterations=" + iterations).contains("4096..16384");
    }

    @Test
    void storedCredentialWithWrongKeySizeIsRefused() throws Exception {
        store.put("bob", SHA_512, new ScramFormatter(SHA_256).generateCredential(PASSWORD, 4096));
        ScramServerExchange server = server(SHA_512, false);
        ScramClient client = new ScramClient(SHA_512, "bob", PASSWORD.toCharArray(), new ScramClient.Cache(0));
        byte[] serverFirst = server.evaluate(client.firstMessage());

        assertInvalidCredentials(() -> server.evaluate(client.finalMessage(serverFirst)), "stored_key has the wrong size");
    }

    @Test
    void legacyDoubledNonceIsAcceptedOnlyWithTheAllowance() throws Exception {
        ScramServerExchange lenient = server(SHA_512, true);
        String reply = librdkafkaBefore261(lenient, SHA_512);
        assertThat(lenient.isComplete()).isTrue();
        assertThat(lenient.details()).containsExactlyEntriesOf(Map.of("legacy_nonce", "true"));
        assertThat(reply).startsWith("v=");

        ScramServerExchange strict = server(SHA_512, false);
        assertMalformed(() -> librdkafkaBefore261(strict, SHA_512),
                f -> assertThat(f.clientMessage()).contains("librdkafka before 2.6.1"));
        assertThat(strict.details()).isEmpty();
    }

    @Test
    void legacyDoubledNonceStillNeedsTheRightPassword() throws Exception {
        ScramServerExchange server = server(SHA_256, true);
        String bare = "n=alice,r=" + NONCE;
        String serverFirst = ascii(server.evaluate(ascii("n,," + bare)));
        String withoutProof = "c=biws,r=" + NONCE + ScramTestMath.attribute(serverFirst, "r");
        String clientFinal = ScramTestMath.forServerFirst(SHA_256, "wrong", serverFirst).clientFinal(bare, serverFirst, withoutProof);

        assertInvalidCredentials(() -> server.evaluate(ascii(clientFinal)), "wrong password");
    }

    @Test
    void messagesAfterCompletionOrFailureAreRefused() throws Exception {
        ScramServerExchange server = server(SHA_256, false);
        ScramClient client = new ScramClient(SHA_256, "alice", PASSWORD.toCharArray(), new ScramClient.Cache(0));
        byte[] clientFirst = client.firstMessage();
        byte[] clientFinal = client.finalMessage(server.evaluate(clientFirst));
        server.evaluate(clientFinal);

        assertMalformed(() -> server.evaluate(clientFinal), f -> assertThat(f.clientMessage()).contains("after the SCRAM exchange completed"));
        assertMalformed(() -> server.evaluate(clientFirst), f -> assertThat(f.clientMessage()).contains("after"));
        assertThat(server.isComplete()).isFalse();

        ScramServerExchange failed = server(SHA_256, false);
        assertMalformed(() -> failed.evaluate(ascii("y,,n=alice,r=" + NONCE)), f -> { });
        assertMalformed(() -> failed.evaluate(clientFirst), f -> assertThat(f.clientMessage()).contains("after the SCRAM exchange failed"));
    }

    @Test
    void disposedExchangeRefusesToContinue() throws Exception {
        ScramServerExchange server = server(SHA_256, false);
        ScramClient client = new ScramClient(SHA_256, "alice", PASSWORD.toCharArray(), new ScramClient.Cache(0));
        byte[] serverFirst = server.evaluate(client.firstMessage());
        server.dispose();

        assertMalformed(() -> server.evaluate(client.finalMessage(serverFirst)), f -> { });
        assertThat(server.isComplete()).isFalse();
    }

    @Test
    void principalOnlyOnceComplete() {
        ScramServerExchange server = server(SHA_256, false);
        assertThat(server.claimedUser()).isNull();
        assertThatThrownBy(server::principal).isInstanceOf(IllegalStateException.class);
    }

    /** What librdkafka before 2.6.1 does: final nonce = client nonce + combined nonce, signed as sent. */
    private static String librdkafkaBefore261(ScramServerExchange server, ScramMechanism mechanism) throws Exception {
        String bare = "n=alice,r=" + NONCE;
        String serverFirst = ascii(server.evaluate(ascii("n,," + bare)));
        String withoutProof = "c=biws,r=" + NONCE + ScramTestMath.attribute(serverFirst, "r");
        ScramTestMath math = ScramTestMath.forServerFirst(mechanism, PASSWORD, serverFirst);
        String reply = ascii(server.evaluate(ascii(math.clientFinal(bare, serverFirst, withoutProof))));
        assertThat(reply).isEqualTo(math.serverFinal(bare, serverFirst, withoutProof));
        return reply;
    }

    /** A correctly signed exchange for alice with the given gs2 header and c= attribute. */
    private static void signedExchange(ScramServerExchange server, String gs2Header, String channelBinding) throws Exception {
        String bare = "n=alice,r=" + NONCE;
        String serverFirst = ascii(server.evaluate(ascii(gs2Header + bare)));
        String withoutProof = channelBinding + ",r=" + ScramTestMath.attribute(serverFirst, "r");
        ScramTestMath math = ScramTestMath.forServerFirst(SHA_256, PASSWORD, serverFirst);
        assertThat(ascii(server.evaluate(ascii(math.clientFinal(bare, serverFirst, withoutProof)))))
                .isEqualTo(math.serverFinal(bare, serverFirst, withoutProof));
    }

    private ScramServerExchange server(ScramMechanism mechanism, boolean allowLegacy) {
        return new ScramServerExchange(mechanism, store, fakes, allowLegacy);
    }

    private static String saltOf(String serverFirst) {
        return new String(Base64.getDecoder().decode(ScramTestMath.attribute(serverFirst, "s")), StandardCharsets.ISO_8859_1);
    }

    private interface Step {
        void run() throws Exception;
    }

    private static AuthenticationFailure failure(Step step) {
        try {
            step.run();
        } catch (AuthenticationFailure f) {
            return f;
        } catch (Exception e) {
            throw new AssertionError("expected an AuthenticationFailure, got " + e, e);
        }
        throw new AssertionError("expected an AuthenticationFailure, but the step succeeded");
    }

    private static void assertMalformed(Step step, Consumer<AuthenticationFailure> more) {
        AuthenticationFailure f = failure(step);
        assertThat(f.clientMessage()).startsWith("Authentication failed: ").doesNotContain("invalid credentials");
        more.accept(f);
    }

    private static void assertInvalidCredentials(Step step, String logReason) {
        AuthenticationFailure f = failure(step);
        assertThat(f.clientMessage()).startsWith("Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-");
        assertThat(f.getMessage()).contains(logReason);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String ascii(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }
}
