package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.List;

/**
 * ListOffsets: DESCRIBE on every topic; a follower's request (replica id 0 or more) is refused from a client. Topics
 * the principal may not describe get TOPIC_AUTHORIZATION_FAILED; the others go to the broker.
 */
final class ListOffsetsEnforcer implements ApiEnforcer {

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        ListOffsetsRequestData request = (ListOffsetsRequestData) message;
        if (request.replicaId() >= 0) {
            return new Verdict.Refuse("ListOffsets as replica " + request.replicaId() + " from a client", Errors.CLUSTER_AUTHORIZATION_FAILED);
        }
        List<ListOffsetsTopic> denied = new ArrayList<>();
        for (ListOffsetsTopic topic : request.topics()) {
            if (!access.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, topic.name())) {
                denied.add(topic);
            }
        }
        if (denied.isEmpty()) {
            return Verdict.FORWARD;
        }
        if (denied.size() == request.topics().size()) {
            ListOffsetsResponseData response = new ListOffsetsResponseData();
            denied.forEach(t -> response.topics().add(errorTopic(t)));
            return new Verdict.Respond(response);
        }
        request.topics().removeAll(denied);
        return new Verdict.Forward(request, edit -> denied.forEach(t -> ((ListOffsetsResponseData) edit).topics().add(errorTopic(t))));
    }

    private static ListOffsetsTopicResponse errorTopic(ListOffsetsTopic topic) {
        ListOffsetsTopicResponse out = new ListOffsetsTopicResponse().setName(topic.name());
        topic.partitions().forEach(p -> out.partitions().add(new ListOffsetsPartitionResponse()
                .setPartitionIndex(p.partitionIndex()).setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                .setTimestamp(-1).setOffset(-1)));
        return out;
    }
}
