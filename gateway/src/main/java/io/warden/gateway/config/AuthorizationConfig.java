package io.warden.gateway.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * ACL enforcement: the policy file every request is checked against. Without it the gateway forwards every request
 * of an authenticated client unchecked.
 *
 * @param policyFile  the YAML policy document
 * @param reloadCheck how often the file is checked for changes; a good new version applies to the next request on
 *                    every connection, a broken one is rejected and the last good policy stays
 * @param kafkaStore  the compacted topic the policy is shared through, or null: the file is the store
 */
public record AuthorizationConfig(Path policyFile, Duration reloadCheck, PolicyStoreConfig kafkaStore) {

    public static final Duration DEFAULT_RELOAD_CHECK = Duration.ofSeconds(5);

    /** The policy file as the store (the embedded default). */
    public AuthorizationConfig(Path policyFile, Duration reloadCheck) {
        this(policyFile, reloadCheck, null);
    }
}
