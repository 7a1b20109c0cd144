package io.warden.authn.oauth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.SecurityContext;

import java.security.Key;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Picks the verification keys for a token from the trusted JWKS only, and pins the algorithm per key: the header's
 * {@code alg} must be allowed, must fit the key's type (RSA for RS/PS, EC on the matching curve for ES), and must equal
 * the key's own {@code alg} when the JWK declares one. Header parameters that name or carry keys ({@code jku},
 * {@code x5u}, {@code jwk}, {@code x5c}) are never consulted; only {@code kid} selects among the trusted keys.
 */
final class PinnedKeySelector implements JWSKeySelector<SecurityContext> {

    /** RSA keys shorter than this are refused even if the JWKS offers them. */
    private static final int MIN_RSA_BITS = 2048;

    private final Set<JWSAlgorithm> allowed;
    private final JWKSource<SecurityContext> keys;

    PinnedKeySelector(Set<JWSAlgorithm> allowed, JWKSource<SecurityContext> keys) {
        this.allowed = Set.copyOf(allowed);
        this.keys = keys;
    }

    @Override
    public List<Key> selectJWSKeys(JWSHeader header, SecurityContext context) throws KeySourceException {
        JWSAlgorithm alg = header.getAlgorithm();
        if (!allowed.contains(alg)) {
            throw new KeyRejected(TokenProblem.ALGORITHM_NOT_ALLOWED, "alg=" + alg + " is not an allowed algorithm");
        }
        String kid = header.getKeyID();
        List<JWK> candidates = candidates(kid, context);
        List<Key> result = new ArrayList<>();
        for (JWK jwk : candidates) {
            if (fits(alg, jwk)) {
                result.add(publicKey(jwk));
            }
        }
        if (result.isEmpty()) {
            throw new KeyRejected(TokenProblem.ALGORITHM_NOT_ALLOWED, "alg=" + alg + " fits no key with kid=" + kid
                    + " (" + describe(candidates) + ")");
        }
        return result;
    }

    private List<JWK> candidates(String kid, SecurityContext context) throws KeyRejected {
        JWKMatcher.Builder matcher = new JWKMatcher.Builder();
        if (kid != null) {
            matcher.keyID(kid);
        }
        List<JWK> found;
        try {
            found = keys.get(new JWKSelector(matcher.build()), context);
        } catch (RateLimitReachedException e) {
            throw new KeyRejected(TokenProblem.UNKNOWN_KEY, "no key with kid=" + kid
                    + " in the JWKS; not refreshed again yet (refreshes are rate limited)");
        } catch (KeySourceException e) {
            throw new KeyRejected(TokenProblem.KEYS_UNAVAILABLE, "cannot load the JWKS: " + e.getMessage());
        }
        if (found.isEmpty()) {
            throw new KeyRejected(TokenProblem.UNKNOWN_KEY, kid == null
                    ? "token has no kid and the JWKS has no keys"
                    : "no key with kid=" + kid + " in the JWKS");
        }
        return found;
    }

    /** Whether {@code jwk} may verify a signature made with {@code alg}. */
    static boolean fits(JWSAlgorithm alg, JWK jwk) {
        if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
            return false;
        }
        if (jwk.getKeyOperations() != null && !jwk.getKeyOperations().contains(KeyOperation.VERIFY)) {
            return false;
        }
        if (jwk.getAlgorithm() != null && !jwk.getAlgorithm().getName().equals(alg.getName())) {
            return false;
        }
        if (JWSAlgorithm.Family.RSA.contains(alg)) {
            return jwk instanceof RSAKey rsa && rsa.size() >= MIN_RSA_BITS;
        }
        if (JWSAlgorithm.Family.EC.contains(alg)) {
            return jwk instanceof ECKey ec && Curve.forJWSAlgorithm(alg).contains(ec.getCurve());
        }
        return false;
    }

    private static Key publicKey(JWK jwk) throws KeyRejected {
        try {
            return jwk instanceof RSAKey rsa ? rsa.toRSAPublicKey() : jwk.toECKey().toECPublicKey();
        } catch (JOSEException e) {
            throw new KeyRejected(TokenProblem.KEYS_UNAVAILABLE, "key with kid=" + jwk.getKeyID()
                    + " in the JWKS is unusable: " + e.getMessage());
        }
    }

    private static String describe(List<JWK> jwks) {
        List<String> parts = new ArrayList<>();
        for (JWK jwk : jwks) {
            parts.add("kty=" + jwk.getKeyType() + " alg=" + jwk.getAlgorithm() + " use=" + jwk.getKeyUse());
        }
        return String.join("; ", parts);
    }
}
