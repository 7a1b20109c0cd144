package io.warden.gateway.config;

/**
 * A user error in the configuration. The message names the source, the field and what is expected, and is meant
 * to be printed as is, without a stack trace.
 */
public final class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
