package io.warden.authn;

import io.warden.authn.store.CredentialStore;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** An in-memory credential store for tests; credentials may be anything, including ones a real store refuses. */
public final class MapCredentialStore implements CredentialStore {

    private final Map<String, Map<ScramMechanism, ScramCredential>> users = new HashMap<>();

    public MapCredentialStore put(String user, ScramMechanism mechanism, ScramCredential credential) {
        users.computeIfAbsent(user, u -> new HashMap<>()).put(mechanism, credential);
        return this;
    }

    /** Adds {@code user} with a credential for {@code password} (Kafka's formatter, random salt). */
    public MapCredentialStore putPassword(String user, ScramMechanism mechanism, String password, int iterations) {
        try {
            return put(user, mechanism, new ScramFormatter(mechanism).generateCredential(password, iterations));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Optional<ScramCredential> credential(String username, ScramMechanism mechanism) {
        return Optional.ofNullable(users.getOrDefault(username, Map.of()).get(mechanism));
    }

    @Override
    public Set<String> users() {
        return users.keySet();
    }

    @Override
    public String describe() {
        return "memory";
    }

    @Override
    public java.time.Instant lastSuccessfulRefresh() {
        return created;
    }

    private final java.time.Instant created = java.time.Instant.now();
}
