package io.warden.authz;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The authorizer in force, replaced as a whole when the policy changes, so that request
 * threads read one consistent snapshot without locks and a reload never shows half a policy.
 */
public final class PolicyHolder {

    private final List<Consumer<AclAuthorizer>> listeners = new CopyOnWriteArrayList<>();
    private volatile AclAuthorizer current;

    /** Starts with a snapshot of the initial policy. */
    public PolicyHolder(Policy initial) {
        this.current = new AclAuthorizer(initial);
    }

    /** The snapshot in force. */
    public AclAuthorizer current() {
        return current;
    }

    /**
     * Builds a snapshot of the policy, puts it in force and tells the listeners, in the order of
     * the calls when several threads replace at once. A listener that throws stops the later
     * listeners from being told; the new snapshot is in force all the same.
     *
     * @return the new snapshot
     */
    public synchronized AclAuthorizer replace(Policy policy) {
        AclAuthorizer next = new AclAuthorizer(policy);
        current = next;
        for (Consumer<AclAuthorizer> listener : listeners) {
            listener.accept(next);
        }
        return next;
    }

    /** Calls {@code listener} with each snapshot put in force by {@link #replace} from now on. */
    public void addListener(Consumer<AclAuthorizer> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Stops calling {@code listener}. */
    public void removeListener(Consumer<AclAuthorizer> listener) {
        listeners.remove(listener);
    }
}
