package io.warden.gateway.enforce;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * OffsetCommit, as Kafka 4.1's {@code handleOffsetCommitRequest}: READ on the group, else every partition gets
 * GROUP_AUTHORIZATION_FAILED; then READ on each topic, else its partitions get TOPIC_AUTHORIZATION_FAILED. From v10
 * topics are named by id: an id the gateway cannot resolve gets UNKNOWN_TOPIC_ID. When no topic is left, Kafka answers
 * without reaching the group coordinator, and so does the gateway; otherwise the denied topics are removed and their
 * errors come first in the broker's answer, as Kafka's response builder puts them.
 */
final class OffsetCommitEnforcer implements ApiEnforcer {

    /** First OffsetCommit version that names topics by id. */
    static final short TOPIC_IDS = 10;

    @Override
    public Collection<Uuid> topicIds(short version, ApiMessage request) {
        if (version < TOPIC_IDS) {
            return List.of();
        }
        List<Uuid> ids = new ArrayList<>();
        ((OffsetCommitRequestData) request).topics().forEach(t -> ids.add(t.topicId()));
        return ids;
    }

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        OffsetCommitRequestData request = (OffsetCommitRequestData) message;
        if (!access.allowed(AclOperation.READ, ResourceType.GROUP, request.groupId())) {
            return new Verdict.Respond(OffsetCommitRequest.getErrorResponse(request, Errors.GROUP_AUTHORIZATION_FAILED));
        }
        boolean byId = version >= TOPIC_IDS;
        List<OffsetCommitRequestTopic> denied = null;
        List<Errors> errors = null;
        for (OffsetCommitRequestTopic topic : request.topics()) {
            Errors error = check(access, byId, topic);
            if (error != Errors.NONE) {
                if (denied == null) {
                    denied = new ArrayList<>();
                    errors = new ArrayList<>();
                }
                denied.add(topic);
                errors.add(error);
            }
        }
        if (denied == null) {
            return Verdict.FORWARD;
        }
        OffsetCommitResponseData errorTopics = errorTopics(byId, denied, errors);
        if (denied.size() == request.topics().size()) {
            return new Verdict.Respond(errorTopics);
        }
        request.topics().removeAll(denied);
        return new Verdict.Forward(request, edit -> {
            OffsetCommitResponseData response = (OffsetCommitResponseData) edit;
            response.topics().addAll(0, errorTopics.topics());
        });
    }

    private static Errors check(Access access, boolean byId, OffsetCommitRequestTopic topic) {
        String name = topic.name();
        if (byId) {
            name = access.topicName(topic.topicId()).orElse(null);
            if (name == null || name.isEmpty()) {
                return Errors.UNKNOWN_TOPIC_ID;
            }
        }
        return access.allowed(AclOperation.READ, ResourceType.TOPIC, name) ? Errors.NONE : Errors.TOPIC_AUTHORIZATION_FAILED;
    }

    /** One response topic per denied topic (repeats merged, as Kafka's response builder does), in request order. */
    private static OffsetCommitResponseData errorTopics(boolean byId, List<OffsetCommitRequestTopic> denied, List<Errors> errors) {
        OffsetCommitResponseData out = new OffsetCommitResponseData();
        for (int i = 0; i < denied.size(); i++) {
            OffsetCommitRequestTopic topic = denied.get(i);
            OffsetCommitResponseTopic target = null;
            for (OffsetCommitResponseTopic existing : out.topics()) {
                if (byId ? Objects.equals(existing.topicId(), topic.topicId()) : Objects.equals(existing.name(), topic.name())) {
                    target = existing;
                    break;
                }
            }
            if (target == null) {
                target = new OffsetCommitResponseTopic().setName(topic.name()).setTopicId(topic.topicId());
                out.topics().add(target);
            }
            short code = errors.get(i).code();
            for (OffsetCommitRequestData.OffsetCommitRequestPartition p : topic.partitions()) {
                target.partitions().add(new OffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex()).setErrorCode(code));
            }
        }
        return out;
    }
}
