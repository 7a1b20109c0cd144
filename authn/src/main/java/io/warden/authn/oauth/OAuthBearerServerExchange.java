package io.warden.authn.oauth;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import io.warden.authn.sasl.AuthenticationFailure;
import io.warden.authn.sasl.SaslServerExchange;
import org.apache.kafka.common.security.oauthbearer.internals.OAuthBearerClientInitialResponse;

import javax.security.sasl.SaslException;
import java.text.ParseException;

/**
 * The server side of SASL OAUTHBEARER (RFC 7628) as Kafka clients speak it: one client message,
 * {@code n,[a=authzid],\x01auth=Bearer <token>\x01[key=value\x01...]\x01}, carrying a JWT that {@link JwtValidator}
 * verifies. The principal is {@code User:<principal claim>} and the session may last until the token's {@code exp}.
 * Client extensions are accepted and ignored: nothing in them is verified, so nothing is derived from them.
 * {@link #blocking()} is true because the first token after a key rotation or cache expiry fetches the JWKS.
 */
public final class OAuthBearerServerExchange implements SaslServerExchange {

    public static final String MECHANISM = "OAUTHBEARER";

    /** Far above any real token; bounds the work spent on a hostile message. */
    static final int MAX_MESSAGE_BYTES = 64 * 1024;

    /** A claimed (unverified) name longer than this is not worth logging. */
    private static final int MAX_CLAIMED_USER_CHARS = 256;

    private final JwtValidator validator;
    private final String principalClaim;
    private boolean evaluated;
    private String claimedUser;
    private String principal;
    private long expiresAtMs = Long.MAX_VALUE;

    public OAuthBearerServerExchange(JwtValidator validator) {
        this.validator = validator;
        this.principalClaim = validator.settings().principalClaim();
    }

    @Override
    public String mechanism() {
        return MECHANISM;
    }

    @Override
    public byte[] evaluate(byte[] clientMessage) throws AuthenticationFailure {
        if (evaluated) {
            throw AuthenticationFailure.malformed("unexpected message: OAUTHBEARER takes a single client message");
        }
        evaluated = true;
        if (clientMessage == null || clientMessage.length == 0) {
            throw AuthenticationFailure.malformed("empty OAUTHBEARER initial response");
        }
        if (clientMessage.length > MAX_MESSAGE_BYTES) {
            throw AuthenticationFailure.malformed("OAUTHBEARER initial response larger than " + MAX_MESSAGE_BYTES + " bytes");
        }
        OAuthBearerClientInitialResponse response;
        try {
            response = new OAuthBearerClientInitialResponse(clientMessage);
        } catch (SaslException | IllegalArgumentException e) {
            throw AuthenticationFailure.malformed("invalid OAUTHBEARER initial response");
        }
        String authzid = response.authorizationId();
        String token = response.tokenValue();
        claimedUser = authzid.isEmpty() ? unverifiedPrincipal(token) : authzid;
        ValidatedToken validated = validator.validate(token);
        if (!authzid.isEmpty() && !authzid.equals(validated.principalName())) {
            throw new AuthenticationFailure("authorization id " + authzid + " differs from the token's principal "
                    + validated.principalName(), "Authentication failed: authorization id does not match the token's principal");
        }
        claimedUser = validated.principalName();
        principal = "User:" + validated.principalName();
        expiresAtMs = validated.expiresAtMs();
        return new byte[0];
    }

    @Override
    public boolean isComplete() {
        return principal != null;
    }

    @Override
    public String principal() {
        if (principal == null) {
            throw new IllegalStateException("OAUTHBEARER exchange not complete");
        }
        return principal;
    }

    @Override
    public String claimedUser() {
        return claimedUser;
    }

    @Override
    public long credentialExpiresAtMs() {
        return expiresAtMs;
    }

    @Override
    public boolean blocking() {
        return true;
    }

    /** The name the token claims before it is verified: only for logs, never for decisions. */
    private String unverifiedPrincipal(String token) {
        try {
            if (JWTParser.parse(token) instanceof SignedJWT jws) {
                JWTClaimsSet claims = jws.getJWTClaimsSet();
                return claims.getClaim(principalClaim) instanceof String name && name.length() <= MAX_CLAIMED_USER_CHARS
                        ? name : null;
            }
            return null;
        } catch (ParseException e) {
            return null;
        }
    }
}
