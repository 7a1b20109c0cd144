package io.warden.audit;

/**
 * The audit pipeline could not take or store an event. In fail-closed mode the gateway answers the request with a
 * retriable error instead of forwarding it unaudited.
 */
public final class AuditUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public AuditUnavailableException(String message) {
        super(message);
    }

    public AuditUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
