package io.warden.gateway.admin;

import io.warden.audit.AuditEvent;
import io.warden.audit.AuditEventType;
import io.warden.audit.AuditUnavailableException;
import io.warden.gateway.audit.GatewayAudit;
import io.warden.policies.AclValidation;
import io.warden.policies.PolicyDocument;
import io.warden.policies.store.PolicyConflictException;
import io.warden.policies.store.PolicyStore;
import io.warden.policies.store.PolicyVersion;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.protocol.Errors;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Every change to the policy, whichever way it comes (the admin API, Kafka's CreateAcls and DeleteAcls), goes through
 * here: checked, applied to the {@link PolicyStore} optimistically, and audited with who, what, and the versions
 * before and after. Methods block on the store; call them off the event loop.
 */
public final class PolicyAdmin {

    /** How often an ACL edit without an expected version is retried when another edit got in between. */
    static final int RETRIES = 5;

    /** At most this many added or removed bindings are listed in an audit event; the counts are always complete. */
    static final int MAX_LISTED = 50;

    /** {@code via} of an edit made through the admin API, whose caller is answered with an HTTP status. */
    public static final String ADMIN_API = "admin-api";

    /** {@code via} of an edit made with Kafka's CreateAcls or DeleteAcls, whose caller is answered with a Kafka error. */
    public static final String KAFKA_ACLS = "kafka-acls";

    private final PolicyStore store;
    private final GatewayAudit audit;

    public PolicyAdmin(PolicyStore store, GatewayAudit audit) {
        this.store = store;
        this.audit = audit;
    }

    public PolicyStore store() {
        return store;
    }

    public PolicyVersion current() {
        return store.current();
    }

    /** The outcome of an ACL edit: the version after it (the same one when nothing changed) and what changed. */
    public record AclChange(PolicyVersion version, List<AclBinding> added, List<AclBinding> removed) {
    }

    /** A binding the policy cannot take, and why. */
    public static final class InvalidAclException extends Exception {
        private final int index;

        InvalidAclException(int index, String reason) {
            super(reason);
            this.index = index;
        }

        /** Position of the refused binding in the request. */
        public int index() {
            return index;
        }
    }

    /**
     * Adds bindings (each checked first; one bad binding refuses them all). With {@link PolicyStore#ANY_VERSION}
     * the edit is retried on top of concurrent edits, which an addition commutes with.
     */
    public AclChange addAcls(List<AclBinding> bindings, long expectedVersion, String who, String via)
            throws InvalidAclException, PolicyConflictException {
        List<AclBinding> wanted = new ArrayList<>();
        for (int i = 0; i < bindings.size(); i++) {
            Optional<String> problem = AclValidation.problem(bindings.get(i));
            if (problem.isPresent()) {
                throw new InvalidAclException(i, problem.get());
            }
            wanted.add(AclValidation.canonical(bindings.get(i)));
        }
        return edit(expectedVersion, who, via, current -> {
            Set<AclBinding> all = new LinkedHashSet<>(current.bindings());
            List<AclBinding> added = new ArrayList<>();
            for (AclBinding b : wanted) {
                if (all.add(b)) {
                    added.add(b);
                }
            }
            return new Edit(withBindings(current, new ArrayList<>(all)), added, List.of());
        });
    }

    /** Removes every binding that matches any of the filters, and only those. */
    public AclChange removeAcls(List<AclBindingFilter> given, long expectedVersion, String who, String via)
            throws PolicyConflictException {
        List<AclBindingFilter> filters = given.stream().map(AclValidation::canonical).toList();
        try {
            return edit(expectedVersion, who, via, current -> {
                List<AclBinding> kept = new ArrayList<>();
                List<AclBinding> removed = new ArrayList<>();
                for (AclBinding b : current.bindings()) {
                    if (filters.stream().anyMatch(f -> f.matches(b))) {
                        removed.add(b);
                    } else {
                        kept.add(b);
                    }
                }
                return new Edit(withBindings(current, kept), List.of(), removed);
            });
        } catch (InvalidAclException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** The bindings of the current version that match the filter, in policy order. */
    public List<AclBinding> describe(AclBindingFilter given) {
        return describe(store.current(), given);
    }

    /**
     * The bindings of {@code version} that match the filter, in policy order; the filter's host is read as the policy
     * keeps hosts, so {@code ::1} finds an ACL kept as {@code 0:0:0:0:0:0:0:1}.
     */
    public static List<AclBinding> describe(PolicyVersion version, AclBindingFilter given) {
        AclBindingFilter filter = AclValidation.canonical(given);
        return version.document().bindings().stream().filter(filter::matches).toList();
    }

    /** Makes {@code document} the whole policy. */
    public AclChange replace(PolicyDocument document, long expectedVersion, String who, String via, String comment)
            throws PolicyConflictException {
        Attempt attempt = new Attempt(who, via);
        PolicyVersion current = store.current();
        recordIntent(attempt, current, "replace the whole policy", comment);
        PolicyVersion after;
        try {
            after = store.apply(document, expectedVersion, who, comment);
        } catch (PolicyConflictException | RuntimeException e) {
            notApplied(attempt, current, e, false);
            throw e;
        }
        // Not the version current before the apply: the store may have caught up with other gateways' versions (or a
        // hand edit) first, and with If-Match: * the edit follows whichever version was newest then.
        PolicyVersion before = store.version(after.version() - 1).orElseThrow(() -> new IllegalStateException(
                "the store has version " + after.version() + " but not the version before it"));
        AclChange change = diff(before.document(), after);
        audited(attempt, before, change, comment);
        return change;
    }

    /** Makes an earlier version's document the policy again, as a new version. */
    public AclChange rollback(long toVersion, long expectedVersion, String who, String via)
            throws PolicyConflictException {
        PolicyVersion target = store.version(toVersion)
                .orElseThrow(() -> new IllegalArgumentException("no policy version " + toVersion));
        return replace(target.document(), expectedVersion, who, via, "rollback to version " + toVersion);
    }

    /** What changes from one document to a version: bindings added and removed. */
    public static AclChange diff(PolicyDocument from, PolicyVersion to) {
        Set<AclBinding> before = new LinkedHashSet<>(from.bindings());
        Set<AclBinding> after = new LinkedHashSet<>(to.document().bindings());
        List<AclBinding> added = after.stream().filter(b -> !before.contains(b)).toList();
        List<AclBinding> removed = before.stream().filter(b -> !after.contains(b)).toList();
        return new AclChange(to, added, removed);
    }

    private record Edit(PolicyDocument document, List<AclBinding> added, List<AclBinding> removed) {
    }

    @FunctionalInterface
    private interface EditFunction {
        Edit apply(PolicyDocument current) throws InvalidAclException;
    }

    private AclChange edit(long expectedVersion, String who, String via, EditFunction f)
            throws InvalidAclException, PolicyConflictException {
        for (int attempt = 0; ; attempt++) {
            PolicyVersion before = store.current();
            if (expectedVersion != PolicyStore.ANY_VERSION && before.version() != expectedVersion) {
                throw new PolicyConflictException(expectedVersion, before.version());
            }
            Edit edit = f.apply(before.document());
            if (edit.added().isEmpty() && edit.removed().isEmpty()) {
                return new AclChange(before, List.of(), List.of());
            }
            Attempt tried = new Attempt(who, via);
            recordIntent(tried, before, "add " + listed(edit.added()) + "; remove " + listed(edit.removed()), "");
            PolicyVersion after;
            try {
                after = store.apply(edit.document(), before.version(), who, via);
            } catch (PolicyConflictException e) {
                boolean retried = expectedVersion == PolicyStore.ANY_VERSION && attempt < RETRIES;
                notApplied(tried, before, e, retried);
                if (retried) {
                    continue;
                }
                throw e;
            } catch (RuntimeException e) {
                notApplied(tried, before, e, false);
                throw e;
            }
            AclChange change = new AclChange(after, edit.added(), edit.removed());
            audited(tried, before, change, "");
            return change;
        }
    }

    /** One try at an edit: who, by which way, and the id its events share (the intent and its one outcome). */
    private record Attempt(String who, String via, String id) {
        Attempt(String who, String via) {
            this(who, via, UUID.randomUUID().toString());
        }
    }

    /**
     * Fail-closed: the edit's event is durably written before the policy changes, as a request's is before it is
     * forwarded; when the trail cannot take it, the edit is refused ({@link AuditUnavailableException}) and the
     * policy stays as it is. Best-effort: nothing to wait for (the outcome event follows the change).
     */
    private void recordIntent(Attempt attempt, PolicyVersion before, String intended, String comment) {
        if (!audit.failClosed()) {
            return;
        }
        AuditEvent.Builder e = policyEdit(attempt)
                .detail("phase", "request")
                .detail("before_version", Long.toString(before.version()))
                .detail("intended", intended);
        if (!comment.isEmpty()) {
            e.detail("comment", comment);
        }
        try {
            audit.record(e.build()).join();
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException failed) {
            Throwable cause = failed.getCause() == null ? failed : failed.getCause();
            AuditUnavailableException refused = new AuditUnavailableException(
                    "the policy was not changed: its audit event could not be written (" + cause.getMessage() + ")", cause);
            Answer answer = answered(attempt.via(), refused);
            notApplied(attempt, before, "audit_unavailable", answer.code(),
                    "not applied: its audit event could not be written (" + cause.getMessage() + "); " + answer.text());
            throw refused;
        }
    }

    /**
     * Fail-closed: an edit whose intent a sink may hold was not applied. Its outcome, with the intent's id, says so,
     * why ({@code not_applied}) and what the caller was answered, so that no sink shows an intended change with
     * nothing after it. Noted, not waited for: a sink that failed the intent owes it and writes it once it can.
     */
    private void notApplied(Attempt attempt, PolicyVersion before, String why, short error, String status) {
        audit.note(policyEdit(attempt)
                .detail("before_version", Long.toString(before.version()))
                .detail("not_applied", why)
                .outcome(error, status)
                .build());
    }

    /**
     * Fail-closed: the store did not take an edit whose intent was written, so its outcome says so, with the store's
     * reason: another edit made a version first ({@code conflict}; retried on the newer version, the next try has its
     * own intent and outcome), or the store failed ({@code store_failed}: a Kafka-backed store that heard nothing back
     * says the change may still become a version, which a {@code policy_change} event then shows).
     */
    private void notApplied(Attempt attempt, PolicyVersion before, Exception failure, boolean retried) {
        if (!audit.failClosed()) {
            return;
        }
        Answer answer = answered(attempt.via(), failure);
        if (failure instanceof PolicyConflictException) {
            notApplied(attempt, before, "conflict", answer.code(), "not applied: " + failure.getMessage() + "; "
                    + (retried ? "retried on the current version" : answer.text()));
        } else {
            notApplied(attempt, before, "store_failed", answer.code(),
                    "the policy store failed: " + failure.getMessage() + "; " + answer.text());
        }
    }

    /** What the caller of a refused edit gets: an error code and how it reads in an event's status_detail. */
    private record Answer(short code, String text) {
    }

    /**
     * The answer a failed edit gets on its way in, as the admin API ({@link AdminServer}) and the ACL requests
     * ({@link KafkaAclRequests}) give it: the HTTP status, or the Kafka error.
     */
    private static Answer answered(String via, Exception failure) {
        if (via.equals(KAFKA_ACLS)) {
            Errors error = KafkaAclRequests.error(failure);
            return new Answer(error.code(), "answered " + error.name());
        }
        short status = (short) AdminServer.status(failure);
        return new Answer(status, "answered " + status);
    }

    /** The start of a policy edit's event, as the intent (fail-closed) and the outcome both begin. */
    private static AuditEvent.Builder policyEdit(Attempt attempt) {
        return AuditEvent.builder(AuditEventType.ADMIN_ACTION, Instant.now())
                .principal(attempt.who())
                .api(attempt.via(), -1)
                .requestId(attempt.id())
                .detail("action", "policy_edit");
    }

    private void audited(Attempt attempt, PolicyVersion before, AclChange change, String comment) {
        AuditEvent.Builder e = policyEdit(attempt)
                .detail("before_version", Long.toString(before.version()))
                .detail("after_version", Long.toString(change.version().version()))
                .detail("added_count", Integer.toString(change.added().size()))
                .detail("removed_count", Integer.toString(change.removed().size()))
                .detail("added", listed(change.added()))
                .detail("removed", listed(change.removed()));
        if (!comment.isEmpty()) {
            e.detail("comment", comment);
        }
        audit.note(e.build());
    }

    private static String listed(List<AclBinding> bindings) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(bindings.size(), MAX_LISTED); i++) {
            s.append(i == 0 ? "" : "; ").append(AclText.describe(bindings.get(i)));
        }
        if (bindings.size() > MAX_LISTED) {
            s.append("; ... ").append(bindings.size() - MAX_LISTED).append(" more");
        }
        return s.toString();
    }

    private static PolicyDocument withBindings(PolicyDocument d, List<AclBinding> bindings) {
        return new PolicyDocument(d.superUsers(), d.allowEveryoneIfNoAclFound(), bindings);
    }
}
