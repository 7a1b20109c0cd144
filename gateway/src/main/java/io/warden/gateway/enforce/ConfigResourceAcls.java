package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Which ACL resource guards a config resource in Kafka's config APIs, and the error a denied one gets
 * (ConfigHelper.handleDescribeConfigsRequest; ConfigAdminManager.preprocess and ControllerApis.authorizeAlterResource):
 * broker, broker-logger and client-metrics configs are guarded by the cluster (CLUSTER_AUTHORIZATION_FAILED), topic
 * configs by the topic (TOPIC_AUTHORIZATION_FAILED), group configs by the group (GROUP_AUTHORIZATION_FAILED).
 */
final class ConfigResourceAcls {

    /** A config resource as Kafka tells duplicates apart: by type and name. */
    record Key(byte type, String name) {
    }

    private ConfigResourceAcls() {
    }

    /**
     * NONE when the principal may perform {@code operation} on the config resource, the error Kafka gives when it may
     * not, or null for a resource type Kafka refuses whatever the principal may do: unknown types, and broker loggers
     * when {@code brokerLoggers} is false (legacy AlterConfigs does not support them).
     */
    static Errors check(Access access, AclOperation operation, byte resourceType, String resourceName, boolean brokerLoggers) {
        return switch (ConfigResource.Type.forId(resourceType)) {
            case BROKER, CLIENT_METRICS -> cluster(access, operation);
            case BROKER_LOGGER -> brokerLoggers ? cluster(access, operation) : null;
            case TOPIC -> access.allowed(operation, ResourceType.TOPIC, resourceName) ? Errors.NONE : Errors.TOPIC_AUTHORIZATION_FAILED;
            case GROUP -> access.allowed(operation, ResourceType.GROUP, resourceName) ? Errors.NONE : Errors.GROUP_AUTHORIZATION_FAILED;
            default -> null;
        };
    }

    private static Errors cluster(Access access, AclOperation operation) {
        return access.allowedOnCluster(operation) ? Errors.NONE : Errors.CLUSTER_AUTHORIZATION_FAILED;
    }
}
