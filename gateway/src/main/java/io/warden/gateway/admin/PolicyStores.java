package io.warden.gateway.admin;

import io.warden.gateway.config.AuthorizationConfig;
import io.warden.gateway.config.PolicyStoreConfig;
import io.warden.policies.store.FilePolicyStore;
import io.warden.policies.store.KafkaPolicyStore;
import io.warden.policies.store.PolicyStore;

/** Opens the policy store an authorization section names: the policy file, or a Kafka topic seeded from it. */
public final class PolicyStores {

    private PolicyStores() {
    }

    /** Blocks until the store has its current version (for a topic: read to its end). */
    public static PolicyStore open(AuthorizationConfig config) {
        PolicyStoreConfig kafka = config.kafkaStore();
        if (kafka == null) {
            return new FilePolicyStore(config.policyFile(), config.reloadCheck());
        }
        String seed;
        try {
            seed = java.nio.file.Files.readString(config.policyFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read the policy file " + config.policyFile(), e);
        }
        return new KafkaPolicyStore(KafkaPolicyStore.Settings.of(String.join(",", kafka.bootstrapServers()))
                .withTopic(kafka.topic()).withClientProperties(kafka.properties()), seed);
    }
}
