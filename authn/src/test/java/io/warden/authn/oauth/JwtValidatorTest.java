package io.warden.authn.oauth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.warden.authn.sasl.AuthenticationFailure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static io.warden.authn.oauth.TokenFactory.AUDIENCE;
import static io.warden.authn.oauth.TokenFactory.ISSUER;
import static io.warden.authn.oauth.TokenFactory.claims;
import static io.warden.authn.oauth.TokenFactory.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JwtValidatorTest {

    private static final RSAKey RSA = TokenFactory.rsa("rsa-1");
    private static final ECKey EC = TokenFactory.ec("ec-1");
    private static final RSAKey RS512_ONLY = TokenFactory.rsa("rs512-only", JWSAlgorithm.RS512);
    private static final RSAKey ATTACKER = TokenFactory.rsa("attacker");

    @TempDir
    Path dir;
    private Path jwksFile;
    private JwtValidator validator;

    @BeforeEach
    void trustedKeys() {
        jwksFile = dir.resolve("jwks.json");
        TokenFactory.writeJwks(jwksFile, RSA, EC, RS512_ONLY);
        validator = new JwtValidator(fileSettings());
    }

    private JwtSettings fileSettings() {
        return JwtSettings.of(null, jwksFile.toString(), ISSUER, AUDIENCE);
    }

    @Test
    void acceptsRsaSignedTokenWithPrincipalFromSub() throws Exception {
        JWTClaimsSet claims = claims().build();

        ValidatedToken token = validator.validate(sign(RSA, JWSAlgorithm.RS256, claims));

        assertThat(token.principalName()).isEqualTo("alice");
        assertThat(token.subject()).isEqualTo("alice");
        assertThat(token.expiresAtMs()).isEqualTo(claims.getExpirationTime().getTime());
    }

    @Test
    void acceptsEcAndPssSignedTokens() throws Exception {
        assertThat(validator.validate(sign(EC, JWSAlgorithm.ES256, claims().build())).principalName()).isEqualTo("alice");
        assertThat(validator.validate(sign(RSA, JWSAlgorithm.PS384, claims().build())).principalName()).isEqualTo("alice");
    }

    @Test
    void takesThePrincipalFromTheConfiguredClaim() throws Exception {
        JwtValidator byClientId = new JwtValidator(fileSettings().withPrincipalClaim("client_id"));
        String token = sign(RSA, JWSAlgorithm.RS256, claims().subject("7f3a-service-account").claim("client_id", "orders-svc").build());

        ValidatedToken validated = byClientId.validate(token);

        assertThat(validated.principalName()).isEqualTo("orders-svc");
        assertThat(validated.subject()).isEqualTo("7f3a-service-account");
        AuthenticationFailure noClaim = refused(byClientId, sign(RSA, JWSAlgorithm.RS256, claims().build()));
        assertThat(noClaim.clientMessage()).isEqualTo("Authentication failed: missing or invalid claim");
        assertThat(noClaim.getMessage()).contains("client_id");
    }

    @Test
    void refusesUnsignedToken() {
        String unsigned = new PlainJWT(claims().build()).serialize();

        AuthenticationFailure failure = refused(validator, unsigned);

        assertThat(failure.clientMessage()).isEqualTo("Authentication failed: algorithm not allowed");
        assertThat(failure.getMessage()).contains("alg=none");
    }

    @Test
    void refusesUnsignedHeaderGraftedOntoASignedToken() {
        String signed = sign(RSA, JWSAlgorithm.RS256, claims().build());
        String noneHeader = Base64URL.encode("{\"alg\":\"none\",\"kid\":\"rsa-1\"}").toString();
        String grafted = noneHeader + signed.substring(signed.indexOf('.'));

        assertThat(refused(validator, grafted).clientMessage()).startsWith("Authentication failed: ");
    }

    @Test
    void refusesHmacSignedWithThePublicKeyAsSecret() throws Exception {
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(RSA.getKeyID()).build();
        SignedJWT forged = new SignedJWT(header, claims().build());
        forged.sign(new MACSigner(RSA.toRSAPublicKey().getEncoded()));

        AuthenticationFailure failure = refused(validator, forged.serialize());

        assertThat(failure.clientMessage()).isEqualTo("Authentication failed: algorithm not allowed");
        assertThat(failure.getMessage()).contains("HS256");
    }

    @Test
    void refusesExpiredTokenButToleratesClockSkew() throws Exception {
        Instant now = Instant.now();
        String expired = sign(RSA, JWSAlgorithm.RS256, claims().expirationTime(Date.from(now.minusSeconds(300))).build());
        String justExpired = sign(RSA, JWSAlgorithm.RS256, claims().expirationTime(Date.from(now.minusSeconds(10))).build());

        AuthenticationFailure failure = refused(validator, expired);

        assertThat(failure.clientMessage()).isEqualTo("Authentication failed: token expired");
        assertThat(failure.getMessage()).startsWith("token expired: exp=");
        assertThat(validator.validate(justExpired).principalName()).isEqualTo("alice");
    }

    @Test
    void refusesTokenWithoutExpiry() {
        String token = sign(RSA, JWSAlgorithm.RS256, claims().expirationTime(null).build());

        AuthenticationFailure failure = refused(validator, token);

        assertThat(failure.clientMessage()).isEqualTo("Authentication failed: missing or invalid claim");
        assertThat(failure.getMessage()).contains("no exp");
    }

    @Test
    void refusesTokenWithoutIssueTimeAsKafkaDoes() {
        String token = sign(RSA, JWSAlgorithm.RS256, claims().issueTime(null).build());
        String negative = sign(RSA, JWSAlgorithm.RS256, claims().issueTime(new Date(-1000)).build());
        String text = sign(RSA, JWSAlgorithm.RS256, claims().claim("iat", "yesterday").build());

        AuthenticationFailure failure = refused(validator, token);

        assertThat(failure.clientMessage()).isEqualTo("Authentication failed: missing or invalid claim");
        assertThat(failure.getMessage()).contains("no iat");
        assertThat(refused(validator, negative).getMessage()).contains("iat=-1 is negative");
        assertThat(refused(validator, text).clientMessage()).as("an iat that is not a number").isEqualTo("Authentication failed: malformed token");
    }

    @Test
    void refusesWrongAudienceAndAcceptsAListContainingOurs() throws Exception {
        String other = sign(RSA, JWSAlgorithm.RS256, claims().audience("billing-api").build());
        String several = sign(RSA, JWSAlgorithm.RS256, claims().audience(List.of("billing-api", AUDIENCE)).build());

        AuthenticationFailure failure = refused(validator, other);

        assertThat(failure.clientMessage()).isEqualTo("Authentication failed: wrong audience");
        assertThat(failure.getMessage()).contains("billing-api");
        assertThat(validator.validate(several).principalName()).isEqualTo("alice");
    }

    @Test
    void refusesWrongIssuer() {
        String token = sign(RSA, JWSAlgorithm.RS256, claims().issuer(ISSUER + "-evil").build());

        AuthenticationFailure failure = refused(validator, token);

        assertThat(failure.clientMessage()).isEqualTo("Authentication failed: wrong issuer");
        assertThat(failure.getMessage()).contains("iss=" + ISSUER + "-evil");
    }

    @Test
    void refusesTokenNotValidYet() {
        String token = sign(RSA, JWSAlgorithm.RS256, claims().notBeforeTime(Date.from(Instant.now().plusSeconds(120))).build());

        AuthenticationFailure failure = refused(validator, token);

        assertThat(failure.clientMessage()).isEqualTo("Authentication failed: token not yet valid");
        assertThat(failure.getMessage()).contains("nbf=");
    }

    @Test
    void refusesTokenSignedByAnotherKeyUnderAKnownKid() {
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(RSA.getKeyID()).build();

        AuthenticationFailure failure = refused(validator, sign(ATTACKER, header, claims().build()));

        assertThat(failure.clientMessage()).isEqualTo("Authentication failed: bad signature");
    }

    @Test
    void refusesUnknownKid() {
        AuthenticationFailure failure = refused(validator, sign(ATTACKER, JWSAlgorithm.RS256, claims().build()));

        assertThat(failure.clientMessage()).isEqualTo("Authentication failed: unknown signing key");
        assertThat(failure.getMessage()).contains("kid=attacker");
    }

    @Test
    void pinsTheAlgorithmAKeyDeclares() throws Exception {
        String rs256 = sign(RS512_ONLY, JWSAlgorithm.RS256, claims().build());
        String rs512 = sign(RS512_ONLY, JWSAlgorithm.RS512, claims().build());

        AuthenticationFailure failure = refused(validator, rs256);

        assertThat(failure.clientMessage()).isEqualTo("Authentication failed: algorithm not allowed");
        assertThat(failure.getMessage()).contains("alg=RS256").contains("kid=rs512-only");
        assertThat(validator.validate(rs512).principalName()).isEqualTo("alice");
    }

    @Test
    void refusesAnAlgorithmOutsideTheConfiguredSet() {
        JwtValidator rsaOnly = new JwtValidator(fileSettings().withAllowedAlgorithms(List.of("RS256")));

        AuthenticationFailure failure = refused(rsaOnly, sign(EC, JWSAlgorithm.ES256, claims().build()));

        assertThat(failure.clientMessage()).isEqualTo("Authentication failed: algorithm not allowed");
    }

    @Test
    void neverFollowsKeyUrlsOrTrustsKeysCarriedInTheHeader() throws Exception {
        try (JwksServer attackerServer = JwksServer.http(TokenFactory.jwks(ATTACKER))) {
            JWSHeader ownKid = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(ATTACKER.getKeyID())
                    .jwkURL(URI.create(attackerServer.url("/jwks")))
                    .x509CertURL(URI.create(attackerServer.url("/cert.pem")))
                    .jwk(ATTACKER.toPublicJWK())
                    .build();
            JWSHeader trustedKid = new JWSHeader.Builder(ownKid).keyID(RSA.getKeyID()).build();

            AuthenticationFailure unknown = refused(validator, sign(ATTACKER, ownKid, claims().build()));
            AuthenticationFailure forged = refused(validator, sign(ATTACKER, trustedKid, claims().build()));

            assertThat(unknown.clientMessage()).isEqualTo("Authentication failed: unknown signing key");
            assertThat(forged.clientMessage()).isEqualTo("Authentication failed: bad signature");
            assertThat(attackerServer.requests()).isZero();
        }
    }

    @Test
    void refusesMalformedTokens() {
        assertThat(refused(validator, "not-a-jwt").clientMessage()).isEqualTo("Authentication failed: malformed token");
        assertThat(refused(validator, "").clientMessage()).isEqualTo("Authentication failed: malformed token");
        String header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(RSA.getKeyID()).build().toBase64URL().toString();
        String notJson = header + "." + Base64URL.encode("[1,2]") + ".c2ln";
        assertThat(refused(validator, notJson).clientMessage()).isEqualTo("Authentication failed: malformed token");
    }

    @Test
    void rereadsTheJwksFileAfterKeyRotation() throws Exception {
        JwtValidator quick = new JwtValidator(fileSettings().withMinRefreshInterval(Duration.ofMillis(200)));
        RSAKey next = TokenFactory.rsa("rsa-2");
        String oldKeyToken = sign(RSA, JWSAlgorithm.RS256, claims().build());
        String newKeyToken = sign(next, JWSAlgorithm.RS256, claims().build());
        assertThat(quick.validate(oldKeyToken).principalName()).isEqualTo("alice");
        assertThat(refused(quick, newKeyToken).clientMessage()).isEqualTo("Authentication failed: unknown signing key");

        TokenFactory.writeJwks(jwksFile, next);
        Files.setLastModifiedTime(jwksFile, FileTime.from(Instant.now().plusSeconds(5)));
        Thread.sleep(300);

        assertThat(quick.validate(newKeyToken).principalName()).isEqualTo("alice");
        assertThat(refused(quick, oldKeyToken).clientMessage()).isEqualTo("Authentication failed: unknown signing key");
    }

    @Test
    void keepsTheLastGoodKeysWhenTheFileBreaks() throws Exception {
        JwtValidator quick = new JwtValidator(fileSettings().withMinRefreshInterval(Duration.ofMillis(100)));
        String token = sign(RSA, JWSAlgorithm.RS256, claims().build());

        Files.writeString(jwksFile, "{\"keys\": [");
        Files.setLastModifiedTime(jwksFile, FileTime.from(Instant.now().plusSeconds(5)));
        Thread.sleep(200);

        assertThat(quick.validate(token).principalName()).isEqualTo("alice");
    }

    @Test
    void fetchesTheJwksOverHttpsAtMostOncePerIntervalWhateverTheKids() throws Exception {
        RSAKey rotated = TokenFactory.rsa("rsa-rotated");
        Path ca = dir.resolve("ca.pem");
        Duration interval = Duration.ofSeconds(2);
        try (JwksServer idp = JwksServer.https(TokenFactory.jwks(RSA), ca)) {
            JwtValidator https = new JwtValidator(JwtSettings.of(idp.url("/jwks"), null, ISSUER, AUDIENCE)
                    .withTrustedCaFile(ca).withMinRefreshInterval(interval));
            List<String> flood = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(UUID.randomUUID().toString()).build();
                flood.add(sign(EC, header, claims().build()));
            }
            String rotatedToken = sign(rotated, JWSAlgorithm.RS256, claims().build());

            assertThat(https.validate(sign(RSA, JWSAlgorithm.RS256, claims().build())).principalName()).isEqualTo("alice");
            assertThat(idp.requests()).isEqualTo(1);
            idp.serve(TokenFactory.jwks(RSA, rotated));
            assertThat(refused(https, rotatedToken).clientMessage()).isEqualTo("Authentication failed: unknown signing key");
            for (String token : flood) {
                assertThat(refused(https, token).clientMessage()).isEqualTo("Authentication failed: unknown signing key");
            }
            assertThat(idp.requests()).isBetween(1, 2);

            Thread.sleep(interval.toMillis() + 200);
            int before = idp.requests();
            assertThat(https.validate(rotatedToken).principalName()).isEqualTo("alice");
            assertThat(https.validate(rotatedToken).principalName()).isEqualTo("alice");
            assertThat(idp.requests()).isEqualTo(before + 1);
        }
    }

    @Test
    void refusesAnHttpsJwksServerOutsideTheTrustedCas() throws Exception {
        try (JwksServer idp = JwksServer.https(TokenFactory.jwks(RSA), dir.resolve("ca.pem"))) {
            JwtValidator jvmTrust = new JwtValidator(JwtSettings.of(idp.url("/jwks"), null, ISSUER, AUDIENCE));

            AuthenticationFailure failure = refused(jvmTrust, sign(RSA, JWSAlgorithm.RS256, claims().build()));

            assertThat(failure.clientMessage()).isEqualTo("Authentication failed: signing keys unavailable");
            assertThat(idp.requests()).isZero();
        }
    }

    @Test
    void settingsUseSafeDefaults() {
        JwtSettings settings = fileSettings();

        assertThat(settings.allowedAlgorithms()).containsExactlyInAnyOrderElementsOf(JwtSettings.DEFAULT_ALGORITHMS);
        assertThat(settings.principalClaim()).isEqualTo("sub");
        assertThat(settings.clockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.minRefreshInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.cacheLifetime()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void settingsRefuseUnsafeOrIncompleteConfiguration() {
        String file = jwksFile.toString();
        assertThatThrownBy(() -> JwtSettings.of("http://idp.example.com/jwks", null, ISSUER, AUDIENCE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must use https");
        assertThatThrownBy(() -> JwtSettings.of("https://idp.example.com/jwks", file, ISSUER, AUDIENCE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not both");
        assertThatThrownBy(() -> JwtSettings.of(null, " ", ISSUER, AUDIENCE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JWKS source is required");
        assertThatThrownBy(() -> fileSettings().withAllowedAlgorithms(List.of("RS256", "HS256")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HS256").hasMessageContaining("HMAC");
        assertThatThrownBy(() -> fileSettings().withAllowedAlgorithms(Set.of("none")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'none' is refused");
        assertThatThrownBy(() -> fileSettings().withAllowedAlgorithms(Set.of("EdDSA")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsupported algorithm 'EdDSA'");
        assertThatThrownBy(() -> JwtSettings.of(null, file, " ", AUDIENCE))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("issuer is required");
        assertThatThrownBy(() -> JwtSettings.of(null, file, ISSUER, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("audience is required");
        assertThatThrownBy(() -> fileSettings().withTrustedCaFile(dir.resolve("ca.pem")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only to an https jwks url");
        assertThatThrownBy(() -> fileSettings().withCacheLifetime(Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be longer than the minimum refresh interval");
        assertThatThrownBy(() -> new JwtValidator(JwtSettings.of(null, dir.resolve("missing.json").toString(), ISSUER, AUDIENCE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot load the JWKS file");
    }

    /** The refusal {@code token} gets; neither message may contain any part of the token. */
    static AuthenticationFailure refused(JwtValidator validator, String token) {
        AuthenticationFailure failure;
        try {
            ValidatedToken accepted = validator.validate(token);
            throw new AssertionError("token accepted: " + accepted);
        } catch (AuthenticationFailure e) {
            failure = e;
        }
        for (String part : token.split("\\.")) {
            if (part.length() >= 8) {
                assertThat(failure.getMessage()).doesNotContain(part);
                assertThat(failure.clientMessage()).doesNotContain(part);
            }
        }
        return failure;
    }
}
