package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData.TopicResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

import java.util.List;

/**
 * DescribeProducers (KafkaApis.handleDescribeProducersRequest): READ on each topic; the partitions of a topic without
 * it get TOPIC_AUTHORIZATION_FAILED, the others go to the broker. Kafka validates the topic name first, so an invalid
 * name is left to the broker, which answers INVALID_TOPIC_EXCEPTION whatever the principal may do.
 */
final class DescribeProducersEnforcer implements ApiEnforcer {

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        DescribeProducersRequestData request = (DescribeProducersRequestData) message;
        List<TopicRequest> denied = null;
        for (TopicRequest topic : request.topics()) {
            if (!access.allowed(AclOperation.READ, ResourceType.TOPIC, topic.name()) && isValid(topic.name())) {
                denied = Parts.add(denied, topic);
            }
        }
        if (denied == null) {
            return Verdict.FORWARD;
        }
        Parts.removeAll(request.topics(), denied);
        List<TopicRequest> refused = denied;
        if (request.topics().isEmpty()) {
            DescribeProducersResponseData response = new DescribeProducersResponseData();
            refused.forEach(topic -> response.topics().add(denied(topic)));
            return new Verdict.Respond(response);
        }
        return new Verdict.Forward(request, edit -> refused.forEach(topic -> ((DescribeProducersResponseData) edit).topics().add(denied(topic))));
    }

    private static boolean isValid(String topic) {
        try {
            Topic.validate(topic);
            return true;
        } catch (InvalidTopicException e) {
            return false;
        }
    }

    private static TopicResponse denied(TopicRequest topic) {
        TopicResponse out = new TopicResponse().setName(topic.name());
        topic.partitionIndexes().forEach(p -> out.partitions().add(new PartitionResponse().setPartitionIndex(p)
                .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setErrorMessage(Errors.TOPIC_AUTHORIZATION_FAILED.message())));
        return out;
    }
}
