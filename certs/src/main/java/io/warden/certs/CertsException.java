package io.warden.certs;

/** A certificate operation that cannot be done; the message says why, never includes key material. */
public final class CertsException extends RuntimeException {

    public CertsException(String message) {
        super(message);
    }

    public CertsException(String message, Throwable cause) {
        super(message, cause);
    }
}
