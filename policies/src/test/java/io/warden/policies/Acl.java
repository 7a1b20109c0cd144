package io.warden.policies;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/** Expected bindings, written the short way. */
final class Acl {

    private Acl() {
    }

    static AclBinding allow(String principal, AclOperation op, ResourceType type, String name, PatternType pattern) {
        return of(principal, "*", op, AclPermissionType.ALLOW, type, name, pattern);
    }

    static AclBinding deny(String principal, AclOperation op, ResourceType type, String name, PatternType pattern) {
        return of(principal, "*", op, AclPermissionType.DENY, type, name, pattern);
    }

    static AclBinding of(String principal, String host, AclOperation op, AclPermissionType permission,
                         ResourceType type, String name, PatternType pattern) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry(principal, host, op, permission));
    }
}
