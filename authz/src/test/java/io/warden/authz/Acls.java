package io.warden.authz;

import static org.apache.kafka.common.acl.AclPermissionType.ALLOW;
import static org.apache.kafka.common.acl.AclPermissionType.DENY;
import static org.apache.kafka.common.resource.PatternType.LITERAL;
import static org.apache.kafka.common.resource.PatternType.PREFIXED;

import java.util.List;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/** Short ways to write ACL bindings and policies in tests. */
final class Acls {

    private Acls() {
    }

    static AclBinding acl(ResourceType type, String name, PatternType patternType, String principal, String host,
                          AclOperation operation, AclPermissionType permission) {
        return new AclBinding(new ResourcePattern(type, name, patternType),
            new AccessControlEntry(principal, host, operation, permission));
    }

    static AclBinding allow(String principal, AclOperation operation, ResourceType type, String name) {
        return acl(type, name, LITERAL, principal, "*", operation, ALLOW);
    }

    static AclBinding deny(String principal, AclOperation operation, ResourceType type, String name) {
        return acl(type, name, LITERAL, principal, "*", operation, DENY);
    }

    static AclBinding allowPrefixed(String principal, AclOperation operation, ResourceType type, String prefix) {
        return acl(type, prefix, PREFIXED, principal, "*", operation, ALLOW);
    }

    static AclBinding denyPrefixed(String principal, AclOperation operation, ResourceType type, String prefix) {
        return acl(type, prefix, PREFIXED, principal, "*", operation, DENY);
    }

    static AclBinding allowFrom(String principal, String host, AclOperation operation, ResourceType type, String name) {
        return acl(type, name, LITERAL, principal, host, operation, ALLOW);
    }

    static AclBinding denyFrom(String principal, String host, AclOperation operation, ResourceType type, String name) {
        return acl(type, name, LITERAL, principal, host, operation, DENY);
    }

    static AclAuthorizer authorizer(AclBinding... bindings) {
        return new AclAuthorizer(new Policy(Set.of(), false, List.of(bindings)));
    }

    static AclAuthorizer allowEveryoneAuthorizer(AclBinding... bindings) {
        return new AclAuthorizer(new Policy(Set.of(), true, List.of(bindings)));
    }
}
