package io.warden.authz;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;

/**
 * Kafka's operation matching as bit masks, so that the request path tests an ACL's operation
 * with one AND: an ACL's mask holds every requested operation it matches.
 */
final class Operations {

    private static final int ALL_OPERATIONS = -1;

    private Operations() {
    }

    /** The bit of a requested operation; ANY and UNKNOWN are not operations one can request. */
    static int requestBit(AclOperation operation) {
        if (operation == AclOperation.ANY || operation == AclOperation.UNKNOWN) {
            throw new IllegalArgumentException("cannot authorize operation " + operation);
        }
        return bit(operation);
    }

    /**
     * The requested operations an ACL matches. ALL matches everything, for ALLOW and DENY alike.
     * For ALLOW only, READ, WRITE, DELETE and ALTER also grant DESCRIBE, and ALTER_CONFIGS grants
     * DESCRIBE_CONFIGS; a DENY matches exactly its own operation.
     */
    static int aclMask(AclOperation operation, AclPermissionType permission) {
        if (operation == AclOperation.ALL) {
            return ALL_OPERATIONS;
        }
        int mask = bit(operation);
        if (permission == AclPermissionType.ALLOW) {
            switch (operation) {
                case READ:
                case WRITE:
                case DELETE:
                case ALTER:
                    mask |= bit(AclOperation.DESCRIBE);
                    break;
                case ALTER_CONFIGS:
                    mask |= bit(AclOperation.DESCRIBE_CONFIGS);
                    break;
                default:
                    break;
            }
        }
        return mask;
    }

    private static int bit(AclOperation operation) {
        return 1 << operation.ordinal();
    }
}
