package io.warden.authn.oauth;

import io.warden.authn.sasl.AuthenticationFailure;

/**
 * Why a token was refused, as a category the client may learn. The client hears only the category; the exact
 * detail (which claim, which key id, which times) goes to the gateway's log.
 */
enum TokenProblem {
    MALFORMED("malformed token"),
    ALGORITHM_NOT_ALLOWED("algorithm not allowed"),
    UNKNOWN_KEY("unknown signing key"),
    KEYS_UNAVAILABLE("signing keys unavailable"),
    BAD_SIGNATURE("bad signature"),
    MISSING_CLAIM("missing or invalid claim"),
    WRONG_ISSUER("wrong issuer"),
    WRONG_AUDIENCE("wrong audience"),
    EXPIRED("token expired"),
    NOT_YET_VALID("token not yet valid");

    private final String phrase;

    TokenProblem(String phrase) {
        this.phrase = phrase;
    }

    /** The failure for this problem; {@code detail} must not contain the token. */
    AuthenticationFailure failure(String detail) {
        return new AuthenticationFailure(phrase + ": " + detail, AuthenticationFailure.CLIENT_PREFIX + phrase);
    }
}
