package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * APIs that Kafka authorizes with one operation on the cluster resource, failing the whole request with
 * CLUSTER_AUTHORIZATION_FAILED in the request's own error shape ({@code getErrorResponse}):
 * <ul>
 *   <li>DescribeLogDirs: DESCRIBE (KafkaApis.handleDescribeLogDirsRequest: no results, top-level error from v3)</li>
 *   <li>ElectLeaders: ALTER (ControllerApis, authorizeClusterOperation)</li>
 *   <li>ListPartitionReassignments: DESCRIBE (ControllerApis, authorizeClusterOperation)</li>
 * </ul>
 */
final class ClusterOperationEnforcer implements ApiEnforcer {

    private final ApiKeys api;
    private final AclOperation operation;

    ClusterOperationEnforcer(ApiKeys api, AclOperation operation) {
        this.api = api;
        this.operation = operation;
    }

    @Override
    public Verdict enforce(Access access, short version, ApiMessage request) {
        if (access.allowedOnCluster(operation)) {
            return Verdict.FORWARD;
        }
        return new Verdict.Respond(KafkaErrorResponse.of(api, version, request, Errors.CLUSTER_AUTHORIZATION_FAILED));
    }
}
