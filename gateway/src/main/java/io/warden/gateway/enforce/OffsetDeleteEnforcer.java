package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartition;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopic;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopicCollection;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.List;

/**
 * OffsetDelete, as Kafka 4.1's {@code handleOffsetDeleteRequest}: DELETE on the group, else the whole request gets
 * GROUP_AUTHORIZATION_FAILED; then READ on each topic, else its partitions get TOPIC_AUTHORIZATION_FAILED. Kafka still
 * asks the coordinator when no topic is left (its group-level answer, e.g. GROUP_ID_NOT_FOUND, then replaces the
 * topic errors), so the gateway forwards the remaining topics, possibly none, and puts the denied topics first in the
 * broker's answer unless that answer is a group-level error.
 */
final class OffsetDeleteEnforcer implements ApiEnforcer {

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        OffsetDeleteRequestData request = (OffsetDeleteRequestData) message;
        if (!access.allowed(AclOperation.DELETE, ResourceType.GROUP, request.groupId())) {
            return new Verdict.Respond(new OffsetDeleteResponseData().setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()));
        }
        List<OffsetDeleteRequestTopic> denied = null;
        for (OffsetDeleteRequestTopic topic : request.topics()) {
            if (!access.allowed(AclOperation.READ, ResourceType.TOPIC, topic.name())) {
                if (denied == null) {
                    denied = new ArrayList<>();
                }
                denied.add(topic);
            }
        }
        if (denied == null) {
            return Verdict.FORWARD;
        }
        List<OffsetDeleteResponseTopic> errors = new ArrayList<>(denied.size());
        for (OffsetDeleteRequestTopic topic : denied) {
            OffsetDeleteResponseTopic out = new OffsetDeleteResponseTopic().setName(topic.name());
            topic.partitions().forEach(p -> out.partitions().add(new OffsetDeleteResponsePartition()
                    .setPartitionIndex(p.partitionIndex()).setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())));
            errors.add(out);
            request.topics().remove(topic);
        }
        return new Verdict.Forward(request, edit -> {
            OffsetDeleteResponseData response = (OffsetDeleteResponseData) edit;
            if (response.errorCode() != Errors.NONE.code()) {
                return;
            }
            OffsetDeleteResponseTopicCollection topics = new OffsetDeleteResponseTopicCollection();
            errors.forEach(topics::add);
            for (OffsetDeleteResponseTopic topic : response.topics()) {
                if (topics.find(topic.name()) == null) {
                    topics.add(topic.duplicate());
                } else {
                    topic.partitions().forEach(p -> topics.find(topic.name()).partitions().add(p.duplicate()));
                }
            }
            response.setTopics(topics);
        });
    }
}
