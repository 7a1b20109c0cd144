package io.warden.gateway.auth;

import io.warden.authz.Policy;
import io.warden.authz.PolicyHolder;
import io.warden.gateway.cluster.TopicNames;
import io.warden.gateway.enforce.Access;
import io.warden.gateway.enforce.AuthorizerAccess;
import io.warden.policies.PolicyDocument;

import java.util.function.BooleanSupplier;

/**
 * The gateway's ACL policy: the current snapshot, replaced atomically when the policy file changes, so the next
 * request on every open connection is checked against the new policy.
 */
public final class Authorization {

    private final PolicyHolder holder;
    private final TopicNames topicNames;
    private final ReservedTopics reserved;
    private final BooleanSupplier clusterAutoCreatesTopics;

    public Authorization(PolicyDocument initial, TopicNames topicNames) {
        this(initial, topicNames, ReservedTopics.NONE);
    }

    /** With Warden's own topics ({@code reserved}) out of every client's reach, whatever the policy says. */
    public Authorization(PolicyDocument initial, TopicNames topicNames, ReservedTopics reserved) {
        this(initial, topicNames, reserved, () -> true);
    }

    /** Also telling enforcers whether the cluster's brokers auto-create topics ({@link Access#clusterAutoCreatesTopics}). */
    public Authorization(PolicyDocument initial, TopicNames topicNames, ReservedTopics reserved, BooleanSupplier clusterAutoCreatesTopics) {
        this.holder = new PolicyHolder(toPolicy(initial));
        this.topicNames = topicNames;
        this.reserved = reserved;
        this.clusterAutoCreatesTopics = clusterAutoCreatesTopics;
    }

    /** Applies a new policy to every request from now on. */
    public void replace(PolicyDocument document) {
        holder.replace(toPolicy(document));
    }

    /** What this principal, connected from this host, may do under the current policy. */
    public Access access(String principal, String host) {
        return reserved.guard(new AuthorizerAccess(holder.current(), principal, host, topicNames::cached, clusterAutoCreatesTopics));
    }

    /** Kafka's decision for one operation under the current policy, with the rule that made it. */
    public io.warden.authz.AuthorizationDecision explain(String principal, String host,
                                                         org.apache.kafka.common.acl.AclOperation operation,
                                                         org.apache.kafka.common.resource.ResourceType type, String name) {
        return holder.current().authorize(principal, host, operation, type, name);
    }

    public static Policy toPolicy(PolicyDocument document) {
        return new Policy(document.superUsers(), document.allowEveryoneIfNoAclFound(), document.bindings());
    }
}
