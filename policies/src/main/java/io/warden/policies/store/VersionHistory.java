package io.warden.policies.store;

import io.warden.policies.LogText;
import io.warden.policies.PolicyDocument;
import io.warden.policies.PolicyException;
import io.warden.policies.PolicyParser;
import io.warden.policies.PolicyWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The versions a store knows, oldest first, and the listeners to tell about new ones: the part both stores share.
 * All but the current version are kept {@linkplain PolicyVersion#compact() compact}.
 * Reads are lock-free (an immutable list behind a volatile field); {@link #append} and {@link #tell} are called by the
 * store one at a time, in version order.
 */
final class VersionHistory {

    private static final Logger LOG = LoggerFactory.getLogger(VersionHistory.class);

    private final String store;
    private final List<Consumer<PolicyVersion>> listeners = new CopyOnWriteArrayList<>();
    private volatile List<PolicyVersion> versions = List.of();

    /** @param store names the store in log lines, e.g. the file or the topic */
    VersionHistory(String store) {
        this.store = store;
    }

    /** The text a store keeps for a document: its canonical YAML, which must read back to the same rules. */
    static String yamlOf(PolicyDocument document) {
        Objects.requireNonNull(document, "document");
        String yaml = PolicyWriter.toYaml(document);
        PolicyDocument back;
        try {
            back = PolicyParser.parse("policy", yaml);
        } catch (PolicyException e) {
            throw new IllegalArgumentException("not a valid policy: " + e.getMessage(), e);
        }
        if (!back.sameRulesAs(document)) {
            throw new IllegalStateException("the policy as written does not read back to the same rules");
        }
        return yaml;
    }

    /** The newest version; the store guarantees there is one once it is open. */
    PolicyVersion current() {
        List<PolicyVersion> all = versions;
        if (all.isEmpty()) {
            throw new IllegalStateException("no policy version yet: " + store);
        }
        return all.get(all.size() - 1);
    }

    /** The newest version's number, 0 while there is none. */
    long currentNumber() {
        return versions.size();
    }

    List<PolicyVersion> all() {
        return versions;
    }

    Optional<PolicyVersion> get(long version) {
        List<PolicyVersion> all = versions;
        return version >= 1 && version <= all.size() ? Optional.of(all.get((int) (version - 1))) : Optional.empty();
    }

    /** Adds the next version; its number must be the current one plus one. */
    void append(PolicyVersion version) {
        List<PolicyVersion> all = versions;
        if (version.version() != all.size() + 1) {
            throw new IllegalStateException("version " + version.version() + " does not follow " + all.size());
        }
        List<PolicyVersion> next = new ArrayList<>(all.size() + 1);
        next.addAll(all);
        if (!next.isEmpty()) {
            // Only the current version keeps its parsed document; the others are kept compact.
            next.set(next.size() - 1, next.get(next.size() - 1).compact());
        }
        next.add(version);
        versions = List.copyOf(next);
    }

    void addListener(Consumer<PolicyVersion> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Calls every listener with {@code version}; one that throws is logged and does not stop the others. */
    void tell(PolicyVersion version) {
        for (Consumer<PolicyVersion> listener : listeners) {
            try {
                listener.accept(version);
            } catch (RuntimeException e) {
                LOG.error("event=policy_listener_failed store={} version={} reason=\"{}\"", store, version.version(),
                        LogText.quote(String.valueOf(e)), e);
            }
        }
    }

    /** Logs a new version in the form every store uses. */
    void logApplied(PolicyVersion v) {
        LOG.info("event=policy_version store={} version={} author=\"{}\" comment=\"{}\" bindings={} super_users={}",
                store, v.version(), LogText.quote(v.author()), LogText.quote(v.comment()),
                v.document().bindings().size(), v.document().superUsers().size());
    }
}
