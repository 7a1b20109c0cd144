package io.warden.policies.store;

/** The store could not be read or written (file system, Kafka); the change, if any, did not happen. */
public final class PolicyStoreException extends RuntimeException {

    public PolicyStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public PolicyStoreException(String message) {
        super(message);
    }
}
