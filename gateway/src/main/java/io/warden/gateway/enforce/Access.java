package io.warden.gateway.enforce;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;

import java.util.List;
import java.util.Optional;

/**
 * What one request may do: the connection's principal and host, checked against the policy snapshot current when
 * the request arrived. Enforcers ask only this, so the same enforcer serves tests and the running gateway.
 */
public interface Access {

    /** The cluster resource's name in Kafka ACLs. */
    String CLUSTER = "kafka-cluster";

    /**
     * Operations Kafka reports in topic authorized-operations fields (Metadata, DescribeTopicPartitions): as for every
     * resource type, those its brokers support on it ({@code AclEntry.supportedOperations}).
     */
    List<AclOperation> TOPIC_OPERATIONS = List.of(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE,
            AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS,
            AclOperation.ALTER_CONFIGS);

    /** Operations Kafka reports in cluster authorized-operations fields. */
    List<AclOperation> CLUSTER_OPERATIONS = List.of(AclOperation.CREATE, AclOperation.ALTER, AclOperation.DESCRIBE,
            AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS,
            AclOperation.IDEMPOTENT_WRITE);

    /** Operations Kafka reports in group authorized-operations fields (groups have configs since KIP-848). */
    List<AclOperation> GROUP_OPERATIONS = List.of(AclOperation.READ, AclOperation.DELETE, AclOperation.DESCRIBE,
            AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS);

    String principal();

    /** Kafka's authorize(): may the principal perform {@code operation} on this resource? */
    boolean allowed(AclOperation operation, ResourceType type, String name);

    /**
     * True when no client may perform {@code operation} on this topic, whatever the policy says: Warden's own topics.
     * {@link #allowed} already refuses it; enforcers ask this where Kafka lets an operation on the cluster stand for
     * the same operation on every topic (CreateTopics, DeleteTopics, Metadata's auto-creation).
     */
    default boolean reserved(AclOperation operation, String topic) {
        return false;
    }

    /** Kafka's authorizeByResourceType(): may the principal perform the operation on some resource of this type? */
    boolean allowedOnAny(AclOperation operation, ResourceType type);

    /** The name of a topic id, when the gateway knows it (ids are resolved before enforcement). */
    Optional<String> topicName(Uuid id);

    /**
     * Whether the cluster's brokers auto-create topics ({@code auto.create.topics.enable}), as the gateway last learned
     * it; true while it does not know.
     */
    default boolean clusterAutoCreatesTopics() {
        return true;
    }

    default boolean allowedOnCluster(AclOperation operation) {
        return allowed(operation, ResourceType.CLUSTER, CLUSTER);
    }

    /**
     * Kafka's cluster authorized-operations field (DescribeCluster, Metadata v8-10): the bits of
     * {@link #CLUSTER_OPERATIONS} the principal may perform when it may DESCRIBE the cluster, else 0.
     */
    default int clusterAuthorizedOperations() {
        return allowedOnCluster(AclOperation.DESCRIBE) ? authorizedOperations(ResourceType.CLUSTER, CLUSTER, CLUSTER_OPERATIONS) : 0;
    }

    /** Kafka's 32-bit authorized-operations field for a resource: one bit per allowed operation code. */
    default int authorizedOperations(ResourceType type, String name, List<AclOperation> operations) {
        int bits = 0;
        for (AclOperation op : operations) {
            if (allowed(op, type, name)) {
                bits |= 1 << op.code();
            }
        }
        return bits;
    }
}
