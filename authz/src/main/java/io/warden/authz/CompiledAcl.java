package io.warden.authz;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;

/**
 * One ACL binding prepared for the request path: its operation as a bit mask, its host
 * compiled, and its decision created up front so that a match allocates nothing.
 */
final class CompiledAcl {

    final AclBinding binding;
    final String principal;
    final AclOperation operation;
    final boolean deny;
    final AuthorizationDecision decision;
    private final int operationMask;
    private final boolean anyHost;
    private final String exactHost;
    private final HostMatcher hostMatcher;

    CompiledAcl(AclBinding binding) {
        AccessControlEntry entry = binding.entry();
        this.binding = binding;
        this.principal = entry.principal();
        this.operation = entry.operation();
        this.deny = entry.permissionType() == AclPermissionType.DENY;
        this.decision = AuthorizationDecision.byAcl(binding, deny);
        this.operationMask = Operations.aclMask(entry.operation(), entry.permissionType());
        this.hostMatcher = HostMatcher.parse(entry.host());
        this.anyHost = hostMatcher.isAny();
        this.exactHost = hostMatcher.exactHost();
    }

    /** Whether this ACL applies to the requested operation (given as its bit) from the host. */
    boolean matches(String host, int operationBit) {
        return (operationMask & operationBit) != 0 && matchesHost(host);
    }

    boolean matchesHost(String host) {
        if (anyHost) {
            return true;
        }
        if (exactHost != null) {
            return exactHost.equals(host);
        }
        return hostMatcher.matches(host);
    }
}
