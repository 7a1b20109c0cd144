package io.warden.gateway.enforce;

import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * DescribeCluster (KafkaApis.handleDescribeCluster, AuthHelper.computeDescribeClusterResponse): a broker answers any
 * principal. (Only a controller endpoint requires ALTER on the cluster; a broker answers a request for the controller
 * endpoint type with MISMATCHED_ENDPOINT_TYPE.) Asked for the cluster's authorized operations, the client gets its
 * own: the bit field of {@link Access#CLUSTER_OPERATIONS} it may perform when it may DESCRIBE the cluster, else 0 —
 * never the broker's answer, which describes the gateway's principal.
 */
final class DescribeClusterEnforcer implements ApiEnforcer {

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        if (!((DescribeClusterRequestData) message).includeClusterAuthorizedOperations()) {
            return Verdict.FORWARD;
        }
        return new Verdict.Forward(null, edit -> {
            DescribeClusterResponseData response = (DescribeClusterResponseData) edit;
            if (response.errorCode() == Errors.NONE.code()) {
                response.setClusterAuthorizedOperations(access.clusterAuthorizedOperations());
            }
        });
    }
}
