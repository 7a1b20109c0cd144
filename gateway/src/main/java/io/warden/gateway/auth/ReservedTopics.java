package io.warden.gateway.auth;

import io.warden.gateway.enforce.Access;
import io.warden.gateway.enforce.DelegatingAccess;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The topics Warden itself keeps on the cluster it fronts, out of reach of its clients whatever the policy says (super
 * users included): the policy topic, through which a fleet shares its policy, can only be described (reading it would
 * disclose the policy, writing it would replace it); the audit topic can be read and described, never written,
 * deleted or reconfigured. Policies change through the admin API and Kafka's ACL requests, which are checked and
 * audited as such; audit events come only from the gateways.
 */
public final class ReservedTopics {

    /** No topic reserved: the policy lives in a file, and the audit trail is not on a Kafka topic. */
    public static final ReservedTopics NONE = new ReservedTopics(Map.of());

    private static final Set<AclOperation> POLICY_TOPIC_DENIED = EnumSet.of(AclOperation.READ, AclOperation.WRITE,
            AclOperation.CREATE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.ALTER_CONFIGS);
    private static final Set<AclOperation> AUDIT_TOPIC_DENIED = EnumSet.of(AclOperation.WRITE, AclOperation.CREATE,
            AclOperation.DELETE, AclOperation.ALTER, AclOperation.ALTER_CONFIGS);

    private final Map<String, Set<AclOperation>> denied;

    private ReservedTopics(Map<String, Set<AclOperation>> denied) {
        this.denied = Map.copyOf(denied);
    }

    /** The policy topic (null when the policy is a file) and the audit topic (null when audit is not sent to Kafka). */
    public static ReservedTopics of(String policyTopic, String auditTopic) {
        Map<String, Set<AclOperation>> denied = new java.util.HashMap<>();
        if (auditTopic != null) {
            denied.put(auditTopic, AUDIT_TOPIC_DENIED);
        }
        if (policyTopic != null) {
            denied.put(policyTopic, POLICY_TOPIC_DENIED);
        }
        return new ReservedTopics(denied);
    }

    /** True when clients may never perform this operation on this resource. */
    public boolean denies(AclOperation operation, ResourceType type, String name) {
        if (type != ResourceType.TOPIC || denied.isEmpty()) {
            return false;
        }
        Set<AclOperation> ops = denied.get(name);
        return ops != null && ops.contains(operation);
    }

    /**
     * {@code access} with these topics taken out of its reach: refused by {@link Access#allowed} and reported by
     * {@link Access#reserved}, for the requests where Kafka lets a permission on the cluster cover every topic.
     */
    public Access guard(Access access) {
        if (denied.isEmpty()) {
            return access;
        }
        return new DelegatingAccess(access) {
            @Override
            public boolean allowed(AclOperation operation, ResourceType type, String name) {
                return !denies(operation, type, name) && delegate.allowed(operation, type, name);
            }

            @Override
            public boolean reserved(AclOperation operation, String topic) {
                return denies(operation, ResourceType.TOPIC, topic) || delegate.reserved(operation, topic);
            }
        };
    }
}
