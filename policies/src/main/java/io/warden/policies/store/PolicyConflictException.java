package io.warden.policies.store;

/** A change made against a version that is no longer current: someone else changed the policy first. */
public final class PolicyConflictException extends Exception {

    private final long expectedVersion;
    private final long currentVersion;

    public PolicyConflictException(long expectedVersion, long currentVersion) {
        super("the policy changed: the edit was made against version " + expectedVersion + ", the current version is "
                + currentVersion);
        this.expectedVersion = expectedVersion;
        this.currentVersion = currentVersion;
    }

    public long expectedVersion() {
        return expectedVersion;
    }

    public long currentVersion() {
        return currentVersion;
    }
}
