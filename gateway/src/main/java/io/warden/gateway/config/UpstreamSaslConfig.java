package io.warden.gateway.config;

import io.warden.certs.SecretVariableNames;

import java.net.URI;

/**
 * How the gateway authenticates itself to SASL brokers: one service identity for every upstream connection, so the
 * brokers need to trust only the gateway.
 *
 * @param mechanism SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN
 * @param username  the gateway's user name on the brokers
 * @param password  where its password comes from
 */
public record UpstreamSaslConfig(String mechanism, String username, PasswordSource password) {

    /** Where a password comes from. No implementation reveals the password in {@code toString()}. */
    public sealed interface PasswordSource {
    }

    /** Written in the configuration file itself (for development; prefer the other two). */
    public record InlinePassword(String value) implements PasswordSource {
        @Override
        public String toString() {
            return "InlinePassword[****]";
        }
    }

    /** Read from an environment variable at start. */
    public record EnvironmentPassword(String variable) implements PasswordSource {

        /** Why {@code value}, read from the variable, gives no password; null when it does. */
        public String problem(String value) {
            if (value == null) {
                return SecretVariableNames.describe(variable) + " is not set";
            }
            return value.isEmpty() ? SecretVariableNames.describe(variable) + " is empty" : null;
        }
    }

    /**
     * Read at start from an AWS Secrets Manager secret holding {@code {"username": ..., "password": ...}}, the
     * format MSK uses; the secret's username must match {@link #username()}.
     */
    public record SecretPassword(String secretName, String region, URI endpoint) implements PasswordSource {
    }
}
