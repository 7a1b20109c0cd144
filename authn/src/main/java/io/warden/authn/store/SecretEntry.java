package io.warden.authn.store;

import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.util.Map;

/**
 * What one listed secret gave at one version: a user with its derived SCRAM credentials, or the reason it gave none.
 * Kept between refreshes so that a secret whose {@code AWSCURRENT} version has not moved is neither fetched nor
 * derived again; {@code refetch} marks outcomes worth another try without a new version (a read that was refused).
 *
 * @param secretName  the secret's name
 * @param versionId   its {@code AWSCURRENT} version id, null when it has none
 * @param username    the user it defines, null when skipped
 * @param credentials one credential per SCRAM mechanism, empty when skipped
 * @param problem     why it was skipped (never any part of the value), null for a user
 * @param refetch     true when the next refresh should read it again even at the same version
 */
record SecretEntry(String secretName, String versionId, String username,
                   Map<ScramMechanism, ScramCredential> credentials, String problem, boolean refetch) {

    static SecretEntry user(String secretName, String versionId, String username,
                            Map<ScramMechanism, ScramCredential> credentials) {
        return new SecretEntry(secretName, versionId, username, Map.copyOf(credentials), null, false);
    }

    static SecretEntry skipped(String secretName, String versionId, String problem, boolean refetch) {
        return new SecretEntry(secretName, versionId, null, Map.of(), problem, refetch);
    }

    boolean isUser() {
        return username != null;
    }

    /** True when this entry still stands for {@code currentVersionId} and need not be read again. */
    boolean upToDate(String currentVersionId) {
        return !refetch && currentVersionId != null && currentVersionId.equals(versionId);
    }
}
