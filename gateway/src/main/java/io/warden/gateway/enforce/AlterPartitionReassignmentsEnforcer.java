package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignableTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayList;
import java.util.List;

/**
 * AlterPartitionReassignments (ControllerApis, authorizeClusterOperation): ALTER on the cluster, else the whole
 * request fails with CLUSTER_AUTHORIZATION_FAILED. ALTER on the cluster moves the replicas of any topic but Warden's
 * own ({@link Access#reserved}): their partitions get TOPIC_AUTHORIZATION_FAILED and are not moved, the others go to
 * the broker.
 */
final class AlterPartitionReassignmentsEnforcer implements ApiEnforcer {

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        if (!access.allowedOnCluster(AclOperation.ALTER)) {
            return new Verdict.Respond(KafkaErrorResponse.of(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, version, message,
                    Errors.CLUSTER_AUTHORIZATION_FAILED));
        }
        AlterPartitionReassignmentsRequestData request = (AlterPartitionReassignmentsRequestData) message;
        List<ReassignableTopic> denied = null;
        for (ReassignableTopic topic : request.topics()) {
            if (access.reserved(AclOperation.ALTER, topic.name())) {
                denied = Parts.add(denied, topic);
            }
        }
        if (denied == null) {
            return Verdict.FORWARD;
        }
        Parts.removeAll(request.topics(), denied);
        List<ReassignableTopicResponse> errors = denied.stream().map(AlterPartitionReassignmentsEnforcer::denied).toList();
        if (request.topics().isEmpty()) {
            return new Verdict.Respond(new AlterPartitionReassignmentsResponseData().setResponses(new ArrayList<>(errors)));
        }
        return new Verdict.Forward(request, edit -> ((AlterPartitionReassignmentsResponseData) edit).responses().addAll(errors));
    }

    private static ReassignableTopicResponse denied(ReassignableTopic topic) {
        ReassignableTopicResponse out = new ReassignableTopicResponse().setName(topic.name());
        topic.partitions().forEach(p -> out.partitions().add(new ReassignablePartitionResponse().setPartitionIndex(p.partitionIndex())
                .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setErrorMessage(Errors.TOPIC_AUTHORIZATION_FAILED.message())));
        return out;
    }
}
