package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

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

    /** A config resource of an alter request the principal may not alter, and the error it is answered with. */
    record Refusal(byte type, String name, Errors error) {
    }

    /**
     * The alter-configs check shared by AlterConfigs and IncrementalAlterConfigs: ALTER_CONFIGS on every resource;
     * the denied ones are removed from {@code resources} and returned with their errors. A resource named twice is
     * left in place for the broker, which refuses the whole request with INVALID_REQUEST before any check.
     */
    static <R> List<Refusal> refuseDenied(Access access, Iterable<R> resources, Function<R, Byte> type, Function<R, String> name,
                                          boolean brokerLoggers) {
        List<R> denied = null;
        List<Errors> errors = null;
        for (R resource : resources) {
            Errors error = check(access, AclOperation.ALTER_CONFIGS, type.apply(resource), name.apply(resource), brokerLoggers);
            if (error != null && error != Errors.NONE) {
                denied = Parts.add(denied, resource);
                errors = Parts.add(errors, error);
            }
        }
        if (denied == null) {
            return List.of();
        }
        Set<Key> repeated = Parts.repeated(resources, r -> new Key(type.apply(r), name.apply(r)));
        List<Refusal> refusals = new ArrayList<>();
        List<R> refused = new ArrayList<>();
        for (int i = 0; i < denied.size(); i++) {
            R resource = denied.get(i);
            if (!repeated.contains(new Key(type.apply(resource), name.apply(resource)))) {
                refused.add(resource);
                refusals.add(new Refusal(type.apply(resource), name.apply(resource), errors.get(i)));
            }
        }
        Parts.removeAll(resources, refused);
        return refusals;
    }
}
