package io.warden.authz;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;

/**
 * The ACL part of Kafka's {@code Authorizer#authorizeByResourceType}: may the principal perform
 * the operation on at least one resource of a type? Only the principal's own and {@code User:*}
 * ACLs whose host matches (exactly, {@code *}, or a CIDR block) count, and only for exactly this
 * operation or ALL (no implied operations, as in Kafka). A {@code *} DENY refuses; otherwise a {@code *} ALLOW grants; otherwise some
 * ALLOW must not be covered by a DENY: a literal ALLOW by a DENY of the same literal name or of
 * a prefix of it, a prefixed ALLOW by a DENY of a prefix of its prefix.
 */
final class ResourceTypeAccess {

    private ResourceTypeAccess() {
    }

    static boolean anyAllowed(CompiledAcl[] own, CompiledAcl[] wildcard, String host, AclOperation operation) {
        Set<String> deniedLiterals = new HashSet<>();
        Set<String> deniedPrefixes = new HashSet<>();
        List<CompiledAcl> allows = new ArrayList<>();
        boolean wildcardAllow = false;
        for (CompiledAcl[] acls : List.of(own, wildcard)) {
            for (CompiledAcl acl : acls) {
                if (!acl.matchesHost(host) || (acl.operation != operation && acl.operation != AclOperation.ALL)) {
                    continue;
                }
                boolean literal = acl.binding.pattern().patternType() == PatternType.LITERAL;
                String name = acl.binding.pattern().name();
                boolean everything = literal && name.equals(AclAuthorizer.WILDCARD_RESOURCE);
                if (acl.deny) {
                    if (everything) {
                        return false;
                    }
                    (literal ? deniedLiterals : deniedPrefixes).add(name);
                } else if (everything) {
                    wildcardAllow = true;
                } else {
                    allows.add(acl);
                }
            }
        }
        if (wildcardAllow) {
            return true;
        }
        for (CompiledAcl allow : allows) {
            String name = allow.binding.pattern().name();
            boolean literal = allow.binding.pattern().patternType() == PatternType.LITERAL;
            if (literal && deniedLiterals.contains(name)) {
                continue;
            }
            if (!hasPrefixIn(name, deniedPrefixes)) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasPrefixIn(String name, Set<String> prefixes) {
        if (prefixes.isEmpty()) {
            return false;
        }
        for (int length = 1; length <= name.length(); length++) {
            if (prefixes.contains(name.substring(0, length))) {
                return true;
            }
        }
        return false;
    }
}
