package io.warden.policies.store;

import io.warden.policies.PolicyDocument;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where the gateway's policy lives, with every version it has had. Versions are numbered from 1 and increase by one
 * per accepted change; every store holding the same changes numbers them the same, so gateways sharing a store agree
 * on what "version 7" is. Edits are optimistic: a change names the version it was made against and is refused
 * with {@link PolicyConflictException} when another change got there first, so two admins never silently overwrite
 * each other. Thread-safe.
 *
 * <p>Two stores: {@link FilePolicyStore}, the policy file with its history beside it, and {@link KafkaPolicyStore},
 * a compacted topic that several gateways share.
 */
public interface PolicyStore extends AutoCloseable {

    /** {@code expectedVersion} for a change that applies whatever the current version is. */
    long ANY_VERSION = -1;

    /** The policy in force now. */
    PolicyVersion current();

    /**
     * Makes {@code document} the policy, if the current version is still {@code expectedVersion} (or with
     * {@link #ANY_VERSION}). Blocks until the change is durable and is this store's current version; listeners have
     * been told by then.
     *
     * @param author  who made the change, e.g. the admin principal; recorded with the version
     * @param comment why, may be empty
     * @return the new version
     * @throws PolicyConflictException when the current version is not {@code expectedVersion}
     * @throws PolicyStoreException    when the store cannot be written; nothing changed
     */
    PolicyVersion apply(PolicyDocument document, long expectedVersion, String author, String comment)
            throws PolicyConflictException;

    /** Every version this store knows, oldest first. */
    List<PolicyVersion> history();

    /** One version, if this store knows it. */
    Optional<PolicyVersion> version(long version);

    /**
     * Calls {@code listener} with each new current version, in order, whether the change was made through this store
     * or elsewhere (another gateway, an edit of the file). Not called for the version current at registration.
     */
    void onChange(Consumer<PolicyVersion> listener);

    @Override
    void close();
}
