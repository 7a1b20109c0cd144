package io.warden.policies;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;

import java.util.Optional;

/**
 * Checks one ACL binding given through an API (the admin API, Kafka's CreateAcls) the way a policy file entry is
 * checked: what a Kafka broker refuses (unknown or ANY types, an empty name, a bad principal) and what kafka-acls
 * refuses (an operation that does not apply to the resource type), with the same messages.
 */
public final class AclValidation {

    private AclValidation() {
    }

    /** Why {@code binding} cannot be added, or empty when it can. */
    public static Optional<String> problem(AclBinding binding) {
        ResourcePattern pattern = binding.pattern();
        AccessControlEntry entry = binding.entry();
        ResourceKind kind = ResourceKind.ofTypeName(pattern.resourceType().name())
                .filter(k -> !pattern.resourceType().isUnknown())
                .orElse(null);
        if (kind == null) {
            return Optional.of("resource type " + pattern.resourceType() + " cannot be given an ACL; expected one of "
                    + ResourceKind.typeNames());
        }
        if (pattern.patternType() != PatternType.LITERAL && pattern.patternType() != PatternType.PREFIXED) {
            return Optional.of("pattern type " + pattern.patternType() + " cannot be given an ACL; expected LITERAL or PREFIXED");
        }
        if (pattern.name() == null || pattern.name().isEmpty()) {
            return Optional.of("resource name must not be empty");
        }
        String nameProblem = kind.nameProblem(pattern.name(), pattern.patternType());
        if (nameProblem != null) {
            return Optional.of(kind.typeName() + " " + nameProblem);
        }
        AclOperation op = entry.operation();
        if (op == AclOperation.ANY || op == AclOperation.UNKNOWN) {
            return Optional.of("operation " + op + " cannot be given an ACL");
        }
        if (!kind.supports(op)) {
            return Optional.of("operation " + OperationNames.display(op) + " does not apply to " + kind.label()
                    + "; they take " + kind.operationNames());
        }
        if (entry.permissionType() != AclPermissionType.ALLOW && entry.permissionType() != AclPermissionType.DENY) {
            return Optional.of("permission " + entry.permissionType() + " cannot be given an ACL; expected ALLOW or DENY");
        }
        if (entry.principal() == null) {
            return Optional.of("principal is required");
        }
        String principalProblem = Principals.problem(entry.principal());
        if (principalProblem != null) {
            return Optional.of(principalProblem);
        }
        if (entry.host() == null || entry.host().isEmpty()) {
            return Optional.of("host is required (\"*\" for any)");
        }
        try {
            Hosts.canonical(entry.host());
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
        return Optional.empty();
    }

    /**
     * The filter with its host in the form the policy keeps, so that the text an ACL was created with finds it again
     * ({@code ::1}, {@code 10.0.0.1/32}); a host that is not an address or block, or none (any), is left as it is.
     */
    public static org.apache.kafka.common.acl.AclBindingFilter canonical(org.apache.kafka.common.acl.AclBindingFilter filter) {
        org.apache.kafka.common.acl.AccessControlEntryFilter e = filter.entryFilter();
        if (e.host() == null) {
            return filter;
        }
        String host;
        try {
            host = Hosts.canonical(e.host());
        } catch (IllegalArgumentException notAnAddress) {
            return filter;
        }
        if (host.equals(e.host())) {
            return filter;
        }
        return new org.apache.kafka.common.acl.AclBindingFilter(filter.patternFilter(),
                new org.apache.kafka.common.acl.AccessControlEntryFilter(e.principal(), host, e.operation(), e.permissionType()));
    }

    /** The binding with its host in the form the policy keeps (an IPv6 address or CIDR block normalised). */
    public static AclBinding canonical(AclBinding binding) {
        AccessControlEntry e = binding.entry();
        return new AclBinding(binding.pattern(),
                new AccessControlEntry(e.principal(), Hosts.canonical(e.host()), e.operation(), e.permissionType()));
    }
}
