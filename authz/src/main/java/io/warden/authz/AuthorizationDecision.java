package io.warden.authz;

import java.util.Objects;
import org.apache.kafka.common.acl.AclBinding;

/**
 * The outcome of one authorization check together with why it came out that way, so that
 * the gateway can answer the client and the audit log can name the ACL that decided.
 *
 * @param allowed whether the operation may proceed
 * @param reason  which of Kafka's rules decided
 * @param rule    the ACL that decided, or {@code null} when no single ACL did
 *                ({@link Reason#SUPER_USER}, {@link Reason#NO_ALLOW_ACL},
 *                {@link Reason#NO_ACL_FOUND_ALLOW_EVERYONE})
 */
public record AuthorizationDecision(boolean allowed, Reason reason, AclBinding rule) {

    /** The decision for a configured super user. */
    public static final AuthorizationDecision SUPER_USER =
        new AuthorizationDecision(true, Reason.SUPER_USER, null);

    /** The decision when no ALLOW ACL matches (and no DENY ACL does either). */
    public static final AuthorizationDecision NO_ALLOW_ACL =
        new AuthorizationDecision(false, Reason.NO_ALLOW_ACL, null);

    /** The decision when the resource has no ACL at all and everyone is allowed then. */
    public static final AuthorizationDecision NO_ACL_FOUND_ALLOW_EVERYONE =
        new AuthorizationDecision(true, Reason.NO_ACL_FOUND_ALLOW_EVERYONE, null);

    /** Kafka's rules, in the order it applies them. */
    public enum Reason {
        /** The principal is one of {@code super.users}. */
        SUPER_USER(true, false),
        /** A matching DENY ACL; it wins over every ALLOW. */
        DENIED_BY_ACL(false, true),
        /** A matching ALLOW ACL and no matching DENY. */
        ALLOWED_BY_ACL(true, true),
        /** No ACL matches the resource at all and {@code allow.everyone.if.no.acl.found} is on. */
        NO_ACL_FOUND_ALLOW_EVERYONE(true, false),
        /** Nothing allows it: the resource has ACLs, none allowing this, or it has none and the default is deny. */
        NO_ALLOW_ACL(false, false);

        private final boolean allows;
        private final boolean namesRule;

        Reason(boolean allows, boolean namesRule) {
            this.allows = allows;
            this.namesRule = namesRule;
        }

        /** Whether a decision for this reason allows the operation. */
        public boolean allows() {
            return allows;
        }

        /** Whether a decision for this reason names the ACL that decided. */
        public boolean namesRule() {
            return namesRule;
        }
    }

    /** Checks that the three parts agree with each other. */
    public AuthorizationDecision {
        Objects.requireNonNull(reason, "reason");
        if (allowed != reason.allows()) {
            throw new IllegalArgumentException(reason + " cannot have allowed=" + allowed);
        }
        if (reason.namesRule() != (rule != null)) {
            throw new IllegalArgumentException(
                reason + (reason.namesRule() ? " needs the deciding rule" : " has no deciding rule"));
        }
    }

    /** A decision made by one ACL: ALLOWED_BY_ACL or DENIED_BY_ACL according to its permission. */
    static AuthorizationDecision byAcl(AclBinding rule, boolean deny) {
        return deny
            ? new AuthorizationDecision(false, Reason.DENIED_BY_ACL, rule)
            : new AuthorizationDecision(true, Reason.ALLOWED_BY_ACL, rule);
    }
}
