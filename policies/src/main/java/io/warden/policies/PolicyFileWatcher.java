package io.warden.policies;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps a running gateway on the policy file on disk without a restart, and never on a broken one.
 *
 * <p>{@link #start()} loads the file once on the caller's thread (a bad file fails the start with a
 * {@link PolicyException}), hands the document to the consumer, then checks the file every interval on its own
 * daemon thread; {@link #checkNow()} checks at once (an admin "reload"). A check notices a change by modification
 * time, size and file key (inode; a {@link FileFingerprint}), so both in-place edits and atomic replacements (write
 * elsewhere, rename over the file; what Kubernetes does with a mounted ConfigMap) are seen. A changed file is
 * parsed in full; only a document that parses, and that differs in what it grants, reaches the consumer and becomes
 * {@link #current()}. A broken edit is logged once as {@code event=policy_rejected} and the last good document stays
 * in force. Editors should replace the file atomically: a half-written file that happens to be valid YAML would be
 * taken as it is.
 *
 * <p>Threading: the consumer is called on the watcher's thread, or on the thread of {@code start()} or
 * {@code checkNow()}, one call at a time and never after {@link #close()} has returned.
 */
public final class PolicyFileWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyFileWatcher.class);

    /** What one check did. */
    public enum Outcome {
        /** The file, or at least what it grants, is as before; nothing was called. */
        UNCHANGED,
        /** A new document was handed to the consumer. */
        LOADED,
        /** The changed file could not be used; the last good document stays. */
        REJECTED
    }

    private final Path file;
    private final Duration interval;
    private final Consumer<PolicyDocument> onChange;
    private ScheduledExecutorService executor;
    private FileFingerprint lastSeen;
    private PolicyDocument current;
    private Outcome lastOutcome;
    private boolean closed;

    /**
     * @param file     the policy file
     * @param interval how often the watcher thread looks at the file
     * @param onChange receives the first document and every changed one that parses
     */
    public PolicyFileWatcher(Path file, Duration interval, Consumer<PolicyDocument> onChange) {
        this.file = Objects.requireNonNull(file, "file");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.onChange = Objects.requireNonNull(onChange, "onChange");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, was " + interval);
        }
    }

    /** Loads the file and hands it to the consumer, then starts watching. Throws PolicyException if it is bad. */
    public synchronized void start() {
        if (executor != null || closed) {
            throw new IllegalStateException("already started or closed: " + file);
        }
        FileFingerprint seen = FileFingerprint.of(file);
        PolicyDocument doc = PolicyParser.load(file);
        onChange.accept(doc);
        lastSeen = seen;
        current = doc;
        lastOutcome = Outcome.LOADED;
        logLoaded(doc);
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "warden-policy-watcher");
            t.setDaemon(true);
            return t;
        });
        long millis = interval.toMillis();
        executor.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Checks the file now, on the calling thread. */
    public synchronized Outcome checkNow() {
        if (current == null || closed) {
            throw new IllegalStateException("not started or closed: " + file);
        }
        return check();
    }

    /** The document in force: the first one, or the last good change. */
    public synchronized PolicyDocument current() {
        return current;
    }

    /** Stops watching; waits for a check in progress, so the consumer is not called after this returns. */
    @Override
    public synchronized void close() {
        closed = true;
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    private synchronized void poll() {
        if (closed) {
            return;
        }
        try {
            check();
        } catch (RuntimeException e) {
            LOG.error("event=policy_check_failed file={} reason=\"{}\"", file, LogText.quote(String.valueOf(e)), e);
        }
    }

    private Outcome check() {
        FileFingerprint seen = FileFingerprint.of(file);
        if (Objects.equals(seen, lastSeen)) {
            return Outcome.UNCHANGED;
        }
        lastSeen = seen;
        PolicyDocument doc;
        try {
            doc = PolicyParser.load(file);
        } catch (PolicyException e) {
            LOG.warn("event=policy_rejected file={} reason=\"{}\" action=\"keeping the last good policy\"",
                    file, LogText.quote(e.getMessage()));
            return lastOutcome = Outcome.REJECTED;
        }
        if (doc.sameRulesAs(current)) {
            if (lastOutcome == Outcome.REJECTED) {
                LOG.info("event=policy_unchanged file={} bindings={} reason=\"the file is valid again and grants"
                        + " what the policy in force grants\"", file, doc.bindings().size());
            }
            return lastOutcome = Outcome.UNCHANGED;
        }
        try {
            onChange.accept(doc);
        } catch (RuntimeException e) {
            LOG.error("event=policy_apply_failed file={} reason=\"{}\" action=\"keeping the last good policy\"",
                    file, LogText.quote(String.valueOf(e)), e);
            return lastOutcome = Outcome.REJECTED;
        }
        current = doc;
        logLoaded(doc);
        return lastOutcome = Outcome.LOADED;
    }

    private void logLoaded(PolicyDocument doc) {
        LOG.info("event=policy_loaded file={} bindings={} super_users={} allow_everyone_if_no_acl_found={} warnings={}",
                file, doc.bindings().size(), doc.superUsers().size(), doc.allowEveryoneIfNoAclFound(),
                doc.warnings().size());
    }
}
