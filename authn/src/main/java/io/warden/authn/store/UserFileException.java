package io.warden.authn.store;

/**
 * The local user file cannot be read, parsed or written. The message names the file (and line) and the problem,
 * never a key, salt or password.
 */
public final class UserFileException extends RuntimeException {

    public UserFileException(String message) {
        super(message);
    }

    public UserFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
