package io.warden.policies.store;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** The reading side both stores share: their versions and listeners, kept in a {@link VersionHistory}. */
abstract class AbstractPolicyStore implements PolicyStore {

    final VersionHistory versions;

    AbstractPolicyStore(String name) {
        this.versions = new VersionHistory(name);
    }

    @Override
    public PolicyVersion current() {
        return versions.current();
    }

    @Override
    public List<PolicyVersion> history() {
        return versions.all();
    }

    @Override
    public Optional<PolicyVersion> version(long version) {
        return versions.get(version);
    }

    @Override
    public void onChange(Consumer<PolicyVersion> listener) {
        versions.addListener(listener);
    }
}
