package io.warden.authn.store;

import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.util.Optional;
import java.util.Set;

/**
 * Where SCRAM credentials come from (a local file, AWS Secrets Manager). A store holds salted credentials only
 * (salt, StoredKey, ServerKey, iterations), never a password. Implementations are safe to read from any thread and
 * never block a reader: refreshing happens elsewhere, and a lookup sees the last good state.
 */
public interface CredentialStore {

    /** The credential of {@code username} for {@code mechanism}, if the store knows that user. */
    Optional<ScramCredential> credential(String username, ScramMechanism mechanism);

    /** The user names currently known (for listing and metrics). */
    Set<String> users();

    /** A short description for logs, e.g. {@code file:/etc/warden/users.yaml} or {@code secretsmanager:AmazonMSK_*}. */
    String describe();

    /**
     * When the credentials in force were last confirmed current: read or re-checked from their source. Null when
     * they never were (a Secrets Manager store that has not reached the service yet).
     */
    java.time.Instant lastSuccessfulRefresh();
}
