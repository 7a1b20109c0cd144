package io.warden.authn.oauth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.URLBasedJWKSetSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.warden.authn.sasl.AuthenticationFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.text.ParseException;
import java.time.Clock;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verifies the bearer tokens OAUTHBEARER clients present: a compact JWS signed by one of the identity provider's
 * keys with an allowed asymmetric algorithm, issued by the configured issuer for the configured audience, and
 * currently valid. Keys come only from the configured JWKS (an https URL, cached and refreshed at most once per
 * minimum interval, or a local file); nothing a token says about where its key lives is followed. Every refusal is an
 * {@link AuthenticationFailure} whose log reason names the exact problem and whose client message names only its
 * category; neither ever contains the token. Thread-safe; one instance serves all connections of a listener.
 */
public final class JwtValidator {

    private static final Logger LOG = LoggerFactory.getLogger(JwtValidator.class);

    static final int HTTP_CONNECT_TIMEOUT_MS = 2_000;
    static final int HTTP_READ_TIMEOUT_MS = 5_000;
    static final int HTTP_SIZE_LIMIT_BYTES = 256 * 1024;
    /** How long a token waits for a JWKS fetch another connection already started. */
    private static final long CACHE_REFRESH_TIMEOUT_MS = HTTP_CONNECT_TIMEOUT_MS + HTTP_READ_TIMEOUT_MS + 1_000;

    /** {@code typ} values identity providers put on access tokens (RFC 7519, RFC 9068); absent is fine too. */
    private static final Set<JOSEObjectType> ACCEPTED_TYPES = Set.of(JOSEObjectType.JWT,
            new JOSEObjectType("at+jwt"), new JOSEObjectType("application/at+jwt"));

    private final JwtSettings settings;
    private final Set<JWSAlgorithm> allowed;
    private final DefaultJWTProcessor<SecurityContext> processor;
    private final ClaimsCheck claims;

    /**
     * Loads the trusted CA file and, for a file JWKS, the keys; an https JWKS is fetched with the first token.
     *
     * @throws IllegalArgumentException when the CA file or JWKS file cannot be loaded
     */
    public JwtValidator(JwtSettings settings) {
        this(settings, Clock.systemUTC());
    }

    JwtValidator(JwtSettings settings, Clock clock) {
        this.settings = settings;
        this.allowed = settings.allowedAlgorithms().stream().map(JWSAlgorithm::parse).collect(Collectors.toUnmodifiableSet());
        this.claims = new ClaimsCheck(settings, clock);
        this.processor = new DefaultJWTProcessor<>();
        Set<JOSEObjectType> types = new HashSet<>(ACCEPTED_TYPES);
        types.add(null);
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(types));
        processor.setJWSKeySelector(new PinnedKeySelector(allowed, keySource(settings)));
        // Claims are checked by ClaimsCheck once the signature verified: it requires exp, iat, iss, aud and the principal.
        processor.setJWTClaimsSetVerifier(null);
    }

    public JwtSettings settings() {
        return settings;
    }

    /**
     * Verifies {@code token} (a compact JWS) and returns who it names and until when.
     *
     * @throws AuthenticationFailure naming the problem: malformed, algorithm not allowed, unknown signing key, signing
     *                               keys unavailable, bad signature, missing or invalid claim, wrong issuer, wrong
     *                               audience, token expired, token not yet valid
     */
    public ValidatedToken validate(String token) throws AuthenticationFailure {
        SignedJWT jws = parse(token);
        JWTClaimsSet verified;
        try {
            verified = processor.process(jws, null);
        } catch (KeyRejected e) {
            throw e.failure();
        } catch (BadJWSException e) {
            throw TokenProblem.BAD_SIGNATURE.failure("signature does not verify with the key with kid="
                    + jws.getHeader().getKeyID() + " alg=" + jws.getHeader().getAlgorithm());
        } catch (BadJOSEException e) {
            throw TokenProblem.MALFORMED.failure(e.getMessage());
        } catch (JOSEException e) {
            throw TokenProblem.BAD_SIGNATURE.failure("signature check failed: " + e.getMessage());
        }
        ValidatedToken result = claims.check(verified);
        LOG.debug("jwt_accepted principal={} kid={} alg={} exp={}", result.principalName(),
                jws.getHeader().getKeyID(), jws.getHeader().getAlgorithm(), verified.getExpirationTime().toInstant());
        return result;
    }

    private SignedJWT parse(String token) throws AuthenticationFailure {
        if (token == null || token.isEmpty()) {
            throw TokenProblem.MALFORMED.failure("no token");
        }
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            throw TokenProblem.MALFORMED.failure("not a JWT: " + e.getMessage());
        }
        if (jwt instanceof PlainJWT) {
            throw TokenProblem.ALGORITHM_NOT_ALLOWED.failure("unsigned token (alg=none)");
        }
        if (jwt instanceof EncryptedJWT) {
            throw TokenProblem.ALGORITHM_NOT_ALLOWED.failure("encrypted token (JWE, alg="
                    + jwt.getHeader().getAlgorithm() + "); a signed JWS is expected");
        }
        SignedJWT jws = (SignedJWT) jwt;
        JWSAlgorithm alg = jws.getHeader().getAlgorithm();
        if (!allowed.contains(alg)) {
            throw TokenProblem.ALGORITHM_NOT_ALLOWED.failure("alg=" + alg + " is not an allowed algorithm");
        }
        try {
            jws.getJWTClaimsSet();
        } catch (ParseException e) {
            throw TokenProblem.MALFORMED.failure("claims are not a JSON object: " + e.getMessage());
        }
        return jws;
    }

    private static JWKSource<SecurityContext> keySource(JwtSettings settings) {
        if (settings.jwksFile() != null) {
            return new FileJwkSource(settings.jwksFile(), settings.minRefreshInterval());
        }
        URL url;
        try {
            url = settings.jwksUrl().toURL();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("jwks url is not a valid URL: " + settings.jwksUrl(), e);
        }
        DefaultResourceRetriever retriever = new DefaultResourceRetriever(HTTP_CONNECT_TIMEOUT_MS, HTTP_READ_TIMEOUT_MS,
                HTTP_SIZE_LIMIT_BYTES, true, socketFactory(settings.trustedCaFile()));
        JWKSetSource<SecurityContext> fetch = new RefreshLimitedJwkSetSource(new URLBasedJWKSetSource<>(url, retriever),
                url.toString(), settings.minRefreshInterval());
        return JWKSourceBuilder.create(fetch)
                .cache(settings.cacheLifetime().toMillis(), CACHE_REFRESH_TIMEOUT_MS)
                .refreshAheadCache(false)
                .rateLimited(false)
                .build();
    }

    /** The TLS socket factory trusting exactly the CAs in {@code caFile}; null (the JVM trust store) without one. */
    private static SSLSocketFactory socketFactory(Path caFile) {
        if (caFile == null) {
            return null;
        }
        try (InputStream in = Files.newInputStream(caFile)) {
            Collection<? extends Certificate> cas = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (cas.isEmpty()) {
                throw new IllegalArgumentException("trusted CA file " + caFile + " holds no certificate");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate ca : cas) {
                store.setCertificateEntry("ca-" + i++, ca);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
            return tls.getSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot load the trusted CA file " + caFile + ": " + e.getMessage(), e);
        }
    }
}
