package io.warden.authn.oauth;

import com.nimbusds.jose.KeySourceException;
import io.warden.authn.sasl.AuthenticationFailure;

/**
 * Carries the precise reason no key was selected for a token out of nimbus' {@code DefaultJWTProcessor}, which would
 * otherwise report every such case as the same "no matching key(s) found".
 */
final class KeyRejected extends KeySourceException {

    private final TokenProblem problem;
    private final String detail;

    KeyRejected(TokenProblem problem, String detail) {
        super(detail);
        this.problem = problem;
        this.detail = detail;
    }

    AuthenticationFailure failure() {
        return problem.failure(detail);
    }
}
