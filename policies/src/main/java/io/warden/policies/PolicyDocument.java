package io.warden.policies;

import org.apache.kafka.common.acl.AclBinding;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A parsed and validated policy file, in Kafka's own terms: the super users, Kafka's
 * {@code allow.everyone.if.no.acl.found}, and the ACL bindings the file's entries expand to (each binding once, in
 * the order of the file). It is the hand-over point to whatever enforces the policy, which converts it to its own
 * model; nothing here decides anything.
 *
 * <p>{@code warnings} are things a reviewer should know that do not make the file wrong, such as a binding given
 * twice; each reads like an error ({@code file:line:column: field: ...}). They are not part of the policy.
 *
 * <p>Immutable and safe to share between threads.
 */
public record PolicyDocument(Set<String> superUsers, boolean allowEveryoneIfNoAclFound, List<AclBinding> bindings,
                             List<String> warnings) {

    public PolicyDocument {
        superUsers = Collections.unmodifiableSet(new LinkedHashSet<>(Objects.requireNonNull(superUsers, "superUsers")));
        bindings = List.copyOf(bindings);
        warnings = List.copyOf(warnings);
    }

    /** A document without warnings. */
    public PolicyDocument(Set<String> superUsers, boolean allowEveryoneIfNoAclFound, List<AclBinding> bindings) {
        this(superUsers, allowEveryoneIfNoAclFound, bindings, List.of());
    }

    /** Whether both documents grant and deny exactly the same, whatever the order of their bindings and warnings. */
    public boolean sameRulesAs(PolicyDocument other) {
        return superUsers.equals(other.superUsers) && allowEveryoneIfNoAclFound == other.allowEveryoneIfNoAclFound
                && new HashSet<>(bindings).equals(new HashSet<>(other.bindings));
    }
}
