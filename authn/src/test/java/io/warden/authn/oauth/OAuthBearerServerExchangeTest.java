package io.warden.authn.oauth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import io.warden.authn.sasl.AuthenticationFailure;
import org.apache.kafka.common.security.auth.SaslExtensions;
import org.apache.kafka.common.security.oauthbearer.internals.OAuthBearerClientInitialResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.security.sasl.SaslException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

import static io.warden.authn.oauth.TokenFactory.AUDIENCE;
import static io.warden.authn.oauth.TokenFactory.ISSUER;
import static io.warden.authn.oauth.TokenFactory.claims;
import static io.warden.authn.oauth.TokenFactory.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OAuthBearerServerExchangeTest {

    private static final RSAKey KEY = TokenFactory.rsa("idp-1");

    @TempDir
    Path dir;
    private OAuthBearerServerExchange exchange;

    @BeforeEach
    void exchange() {
        Path jwks = dir.resolve("jwks.json");
        TokenFactory.writeJwks(jwks, KEY);
        exchange = new OAuthBearerServerExchange(new JwtValidator(JwtSettings.of(null, jwks.toString(), ISSUER, AUDIENCE)));
    }

    @Test
    void acceptsAKafkaInitialResponse() throws Exception {
        JWTClaimsSet claims = claims().build();
        byte[] message = initialResponse(sign(KEY, JWSAlgorithm.RS256, claims), null, Map.of("traceId", "t-42"));

        byte[] reply = exchange.evaluate(message);

        assertThat(reply).isEmpty();
        assertThat(exchange.isComplete()).isTrue();
        assertThat(exchange.principal()).isEqualTo("User:alice");
        assertThat(exchange.claimedUser()).isEqualTo("alice");
        assertThat(exchange.credentialExpiresAtMs()).isEqualTo(claims.getExpirationTime().getTime());
        assertThat(exchange.mechanism()).isEqualTo("OAUTHBEARER");
        assertThat(exchange.blocking()).isTrue();
    }

    @Test
    void acceptsAnAuthzidEqualToThePrincipal() throws Exception {
        exchange.evaluate(initialResponse(sign(KEY, JWSAlgorithm.RS256, claims().build()), "alice", Map.of()));

        assertThat(exchange.principal()).isEqualTo("User:alice");
    }

    @Test
    void refusesAnAuthzidOtherThanThePrincipal() {
        byte[] message = initialResponse(sign(KEY, JWSAlgorithm.RS256, claims().build()), "admin", Map.of());

        assertThatThrownBy(() -> exchange.evaluate(message))
                .isInstanceOfSatisfying(AuthenticationFailure.class, f -> {
                    assertThat(f.clientMessage()).isEqualTo("Authentication failed: authorization id does not match the token's principal");
                    assertThat(f.getMessage()).contains("admin").contains("alice");
                });
        assertThat(exchange.isComplete()).isFalse();
        assertThat(exchange.claimedUser()).isEqualTo("admin");
        assertThatThrownBy(exchange::principal).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void refusesGarbage() {
        byte[] garbage = "n,,\u0001auth=Basic YWxpY2U6c2VjcmV0\u0001\u0001".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> exchange.evaluate(garbage))
                .isInstanceOfSatisfying(AuthenticationFailure.class,
                        f -> assertThat(f.clientMessage()).isEqualTo("Authentication failed: invalid OAUTHBEARER initial response"));
        assertThat(exchange.isComplete()).isFalse();
    }

    @Test
    void refusesRandomBytesAndEmptyMessages() {
        OAuthBearerServerExchange another = new OAuthBearerServerExchange(
                new JwtValidator(JwtSettings.of(null, dir.resolve("jwks.json").toString(), ISSUER, AUDIENCE)));

        assertThatThrownBy(() -> exchange.evaluate(new byte[]{(byte) 0xff, 0x00, 0x01, 0x7f}))
                .isInstanceOf(AuthenticationFailure.class).hasMessageContaining("invalid OAUTHBEARER initial response");
        assertThatThrownBy(() -> another.evaluate(new byte[0]))
                .isInstanceOf(AuthenticationFailure.class).hasMessageContaining("empty");
    }

    @Test
    void refusesASecondMessage() throws Exception {
        exchange.evaluate(initialResponse(sign(KEY, JWSAlgorithm.RS256, claims().build()), null, Map.of()));

        assertThatThrownBy(() -> exchange.evaluate(new byte[]{0x01}))
                .isInstanceOf(AuthenticationFailure.class).hasMessageContaining("single client message");
    }

    @Test
    void refusesAnotherMessageAfterAFailure() {
        String expired = sign(KEY, JWSAlgorithm.RS256, claims().expirationTime(Date.from(Instant.now().minusSeconds(3600))).build());

        assertThatThrownBy(() -> exchange.evaluate(initialResponse(expired, null, Map.of())))
                .isInstanceOfSatisfying(AuthenticationFailure.class,
                        f -> assertThat(f.clientMessage()).isEqualTo("Authentication failed: token expired"));
        assertThat(exchange.claimedUser()).isEqualTo("alice");
        byte[] valid = initialResponse(sign(KEY, JWSAlgorithm.RS256, claims().build()), null, Map.of());
        assertThatThrownBy(() -> exchange.evaluate(valid)).isInstanceOf(AuthenticationFailure.class);
        assertThat(exchange.isComplete()).isFalse();
    }

    private static byte[] initialResponse(String token, String authzid, Map<String, String> extensions) {
        try {
            return new OAuthBearerClientInitialResponse(token, authzid, new SaslExtensions(extensions)).toBytes();
        } catch (SaslException e) {
            throw new IllegalStateException(e);
        }
    }
}
