package io.warden.authz;

import java.util.List;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Everything Kafka's authorizer is configured with: {@code super.users},
 * {@code allow.everyone.if.no.acl.found} and the ACL bindings. It is validated when built, so
 * that a broken policy file is refused at load time with a message naming the bad binding
 * instead of silently never matching at request time.
 *
 * <p>Bindings must be concrete: LITERAL or PREFIXED patterns (MATCH and ANY exist only in
 * filters), known resource types, operations and permissions, principals in {@code Type:name}
 * form, a non-empty resource name, and a host that is {@code *}, an address, or a CIDR block
 * such as {@code 10.0.0.0/8} or {@code fd00::/8}.
 *
 * @param superUsers                principals (such as {@code User:admin}) allowed everything
 * @param allowEveryoneIfNoAclFound Kafka's {@code allow.everyone.if.no.acl.found}: off in Kafka,
 *                                  on in Amazon MSK
 * @param bindings                  the ACLs
 */
public record Policy(Set<String> superUsers, boolean allowEveryoneIfNoAclFound, List<AclBinding> bindings) {

    /** Validates and copies the parts; throws {@link IllegalArgumentException} naming the first problem. */
    public Policy {
        if (superUsers == null) {
            throw new IllegalArgumentException("superUsers must not be null");
        }
        if (bindings == null) {
            throw new IllegalArgumentException("bindings must not be null");
        }
        for (String superUser : superUsers) {
            checkPrincipal(superUser, "super user");
        }
        for (int i = 0; i < bindings.size(); i++) {
            checkBinding(bindings.get(i), i);
        }
        superUsers = Set.copyOf(superUsers);
        bindings = List.copyOf(bindings);
    }

    /** A policy with no super users, no ACLs and Kafka's default (deny when no ACL is found). */
    public static Policy empty() {
        return new Policy(Set.of(), false, List.of());
    }

    private static void checkBinding(AclBinding binding, int index) {
        if (binding == null) {
            throw new IllegalArgumentException("bindings[" + index + "] is null");
        }
        String where = "bindings[" + index + "] " + binding + ": ";
        ResourcePattern pattern = binding.pattern();
        AccessControlEntry entry = binding.entry();
        PatternType patternType = pattern.patternType();
        if (patternType != PatternType.LITERAL && patternType != PatternType.PREFIXED) {
            throw new IllegalArgumentException(where + "pattern type " + patternType
                + " is not allowed in a binding (MATCH and ANY are only for filters); use LITERAL or PREFIXED");
        }
        ResourceType resourceType = pattern.resourceType();
        if (resourceType == ResourceType.ANY || resourceType == ResourceType.UNKNOWN) {
            throw new IllegalArgumentException(where + "resource type " + resourceType + " is not a concrete resource type");
        }
        if (pattern.name().isEmpty()) {
            throw new IllegalArgumentException(where + "resource name must not be empty");
        }
        AclOperation operation = entry.operation();
        if (operation == AclOperation.ANY || operation == AclOperation.UNKNOWN) {
            throw new IllegalArgumentException(where + "operation " + operation + " is not a concrete operation");
        }
        AclPermissionType permission = entry.permissionType();
        if (permission != AclPermissionType.ALLOW && permission != AclPermissionType.DENY) {
            throw new IllegalArgumentException(where + "permission type " + permission + " must be ALLOW or DENY");
        }
        try {
            checkPrincipal(entry.principal(), "principal");
            HostMatcher.parse(entry.host());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + e.getMessage(), e);
        }
    }

    private static void checkPrincipal(String principal, String what) {
        if (principal == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        int colon = principal.indexOf(':');
        if (colon <= 0 || colon == principal.length() - 1) {
            throw new IllegalArgumentException(what + " '" + principal
                + "' must have the form Type:name (for example User:alice)");
        }
    }
}
