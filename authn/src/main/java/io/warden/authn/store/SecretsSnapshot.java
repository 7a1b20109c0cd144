package io.warden.authn.store;

import java.util.Map;

/**
 * Everything one successful refresh learned, published as a whole so a reader sees either the previous refresh or
 * this one, never a mix.
 *
 * @param secrets by secret name, every listed secret (users and skipped ones)
 * @param users   by user name, the secret that provides each user
 * @param skipped by secret name, why that secret provides no user
 */
record SecretsSnapshot(Map<String, SecretEntry> secrets, Map<String, SecretEntry> users, Map<String, Skip> skipped) {

    static final SecretsSnapshot EMPTY = new SecretsSnapshot(Map.of(), Map.of(), Map.of());

    SecretsSnapshot {
        secrets = Map.copyOf(secrets);
        users = Map.copyOf(users);
        skipped = Map.copyOf(skipped);
    }

    /** Why a secret is skipped at which version; a skip is logged again only when this changes. */
    record Skip(String versionId, String reason) {
    }
}
