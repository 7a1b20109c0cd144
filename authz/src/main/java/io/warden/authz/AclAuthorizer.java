package io.warden.authz;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Decides Kafka requests exactly as Kafka's {@code StandardAuthorizer} does, from an immutable
 * snapshot of a {@link Policy}, so that the gateway can refuse what the brokers would refuse
 * (and audit why) before a request leaves it.
 *
 * <p>The rules, in order: a super user is allowed; any matching DENY denies; any matching ALLOW
 * allows; a resource that no ACL names at all (any principal, host or operation) follows
 * {@code allow.everyone.if.no.acl.found}; anything else is denied. An ACL matches when its
 * principal is the requester's or {@code User:*}; its host is {@code *}, the client's address
 * string, or a CIDR block containing it (an extension to Kafka); its operation is the requested
 * one or ALL, or, for ALLOW only, one implying it (READ, WRITE, DELETE and ALTER imply DESCRIBE;
 * ALTER_CONFIGS implies DESCRIBE_CONFIGS); and its resource is the same type with the same
 * literal name, the literal name {@code *}, or a prefix of the name.
 *
 * <p>ACLs are indexed per resource type by literal name, wildcard and prefix, and within each by
 * principal, so a decision costs a few hash probes however many ACLs there are, and allocates
 * nothing. Instances are immutable and safe to share between threads; {@link PolicyHolder}
 * swaps them when the policy changes.
 */
public final class AclAuthorizer {

    /** The principal that matches every principal in an ACL. */
    public static final String WILDCARD_PRINCIPAL = "User:*";
    /** The literal resource name that matches every resource name of its type. */
    public static final String WILDCARD_RESOURCE = "*";

    /** The resource name Kafka probes in {@code authorizeByResourceType} to let super users through. */
    private static final String PROBE_RESOURCE = "hardcode";

    private final Policy policy;
    private final Set<String> superUsers;
    private final AuthorizationDecision noAclFound;
    private final ResourceTypeIndex[] indexes;
    private final int aclCount;

    /** Builds the index for a policy. */
    public AclAuthorizer(Policy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.superUsers = policy.superUsers();
        this.noAclFound = policy.allowEveryoneIfNoAclFound()
            ? AuthorizationDecision.NO_ACL_FOUND_ALLOW_EVERYONE
            : AuthorizationDecision.NO_ALLOW_ACL;
        Set<AclBinding> distinct = new LinkedHashSet<>(policy.bindings());
        Map<ResourceType, List<CompiledAcl>> byType = new EnumMap<>(ResourceType.class);
        for (AclBinding binding : distinct) {
            byType.computeIfAbsent(binding.pattern().resourceType(), t -> new ArrayList<>()).add(new CompiledAcl(binding));
        }
        this.indexes = new ResourceTypeIndex[ResourceType.values().length];
        byType.forEach((type, acls) -> indexes[type.ordinal()] = new ResourceTypeIndex(acls));
        this.aclCount = distinct.size();
    }

    /** The policy this snapshot was built from. */
    public Policy policy() {
        return policy;
    }

    /** The number of distinct ACL bindings in this snapshot. */
    public int aclCount() {
        return aclCount;
    }

    /** Whether the principal is a super user. */
    public boolean isSuperUser(String principal) {
        return superUsers.contains(principal);
    }

    /** Whether any ACL exists for the resource type. */
    public boolean hasAnyAcl(ResourceType resourceType) {
        return indexes[checkType(resourceType).ordinal()] != null;
    }

    /**
     * Kafka's decision for one operation on one resource.
     *
     * @param principal    the client's principal, such as {@code User:alice}
     * @param host         the client's address as text, such as {@code 10.1.2.3}
     * @param operation    the operation; not ANY or UNKNOWN
     * @param resourceType the resource type; not ANY or UNKNOWN
     * @param resourceName the resource's name (for the cluster, {@code kafka-cluster})
     * @return the decision and the rule that made it
     */
    public AuthorizationDecision authorize(String principal, String host, AclOperation operation,
                                           ResourceType resourceType, String resourceName) {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(resourceName, "resourceName");
        int operationBit = Operations.requestBit(operation);
        ResourceTypeIndex index = indexes[checkType(resourceType).ordinal()];
        if (superUsers.contains(principal)) {
            return AuthorizationDecision.SUPER_USER;
        }
        if (index == null) {
            return noAclFound;
        }
        return index.authorize(principal, host, operationBit, resourceName, noAclFound);
    }

    /**
     * Kafka's {@code Authorizer#authorizeByResourceType}: whether the principal may perform the
     * operation on at least one resource of the type, as used for idempotent producers without
     * IDEMPOTENT_WRITE on the cluster (WRITE on any topic) and similar checks.
     *
     * <p>As in Kafka's default implementation, a request for a resource named {@code hardcode}
     * that {@link #authorize} allows answers yes (this lets super users through, and also
     * applies ACLs and {@code allow.everyone.if.no.acl.found} to that name); otherwise the
     * principal's own and {@code User:*} ACLs for exactly this operation or ALL decide: see
     * {@link ResourceTypeAccess}.
     */
    public boolean authorizeByResourceType(String principal, String host, AclOperation operation,
                                           ResourceType resourceType) {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(host, "host");
        if (operation == AclOperation.ANY || operation == AclOperation.UNKNOWN) {
            throw new IllegalArgumentException("cannot authorize operation " + operation);
        }
        checkType(resourceType);
        if (authorize(principal, host, operation, resourceType, PROBE_RESOURCE).allowed()) {
            return true;
        }
        ResourceTypeIndex index = indexes[resourceType.ordinal()];
        if (index == null) {
            return false;
        }
        return ResourceTypeAccess.anyAllowed(index.aclsOf(principal), index.aclsOf(WILDCARD_PRINCIPAL), host, operation);
    }

    private static ResourceType checkType(ResourceType resourceType) {
        if (resourceType == ResourceType.ANY || resourceType == ResourceType.UNKNOWN) {
            throw new IllegalArgumentException("cannot authorize resource type " + resourceType);
        }
        return resourceType;
    }
}
