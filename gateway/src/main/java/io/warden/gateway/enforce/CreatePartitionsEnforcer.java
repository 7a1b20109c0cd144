package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

import java.util.List;
import java.util.Set;

/**
 * CreatePartitions (ControllerApis.createPartitions, the same for validateOnly): ALTER on each topic; a topic without
 * it gets TOPIC_AUTHORIZATION_FAILED (no message), the others go to the broker. A name given twice is left to the
 * broker, which answers INVALID_REQUEST before any check.
 */
final class CreatePartitionsEnforcer implements ApiEnforcer {

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        CreatePartitionsRequestData request = (CreatePartitionsRequestData) message;
        List<CreatePartitionsTopic> denied = null;
        for (CreatePartitionsTopic topic : request.topics()) {
            if (!access.allowed(AclOperation.ALTER, ResourceType.TOPIC, topic.name())) {
                denied = Parts.add(denied, topic);
            }
        }
        if (denied == null) {
            return Verdict.FORWARD;
        }
        Set<String> repeated = Parts.repeated(request.topics(), CreatePartitionsTopic::name);
        denied.removeIf(topic -> repeated.contains(topic.name()));
        if (denied.isEmpty()) {
            return Verdict.FORWARD;
        }
        Parts.removeAll(request.topics(), denied);
        List<CreatePartitionsTopic> refused = denied;
        if (request.topics().isEmpty()) {
            CreatePartitionsResponseData response = new CreatePartitionsResponseData();
            refused.forEach(topic -> response.results().add(denied(topic)));
            return new Verdict.Respond(response);
        }
        return new Verdict.Forward(request, edit -> refused.forEach(topic -> ((CreatePartitionsResponseData) edit).results().add(denied(topic))));
    }

    private static CreatePartitionsTopicResult denied(CreatePartitionsTopic topic) {
        return new CreatePartitionsTopicResult().setName(topic.name()).setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
    }
}
