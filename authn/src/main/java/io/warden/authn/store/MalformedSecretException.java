package io.warden.authn.store;

/**
 * A secret that cannot be a SCRAM user. The message says what is wrong with it and never contains any part of its
 * value, so it can go to the log as it is.
 */
final class MalformedSecretException extends Exception {

    MalformedSecretException(String reason) {
        super(reason, null, false, false);
    }
}
