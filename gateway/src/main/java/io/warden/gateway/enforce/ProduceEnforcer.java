package io.warden.gateway.enforce;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Produce: WRITE on the transactional id of a transactional request, WRITE on every topic. Partitions of topics the
 * principal may not write are removed and answered with TOPIC_AUTHORIZATION_FAILED; the rest go to the broker. An
 * acks=0 request has no response to carry that error, so, as Kafka does, the connection is closed.
 */
final class ProduceEnforcer implements ApiEnforcer {

    /** First Produce version that names topics by id. */
    static final short TOPIC_IDS = 13;

    @Override
    public Collection<Uuid> topicIds(short version, ApiMessage request) {
        if (version < TOPIC_IDS) {
            return List.of();
        }
        List<Uuid> ids = new ArrayList<>();
        ((ProduceRequestData) request).topicData().forEach(t -> ids.add(t.topicId()));
        return ids;
    }

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        ProduceRequestData request = (ProduceRequestData) message;
        String transactionalId = request.transactionalId();
        if (transactionalId != null && !access.allowed(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, transactionalId)) {
            if (request.acks() == 0) {
                return new Verdict.Refuse("acks=0 Produce with transactional id '" + transactionalId + "' the principal may not write",
                        Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
            }
            return new Verdict.Respond(errorResponse(request.topicData(), Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
        }
        List<TopicProduceData> denied = new ArrayList<>();
        List<Errors> errors = new ArrayList<>();
        for (TopicProduceData topic : request.topicData()) {
            Errors error = check(access, version, topic);
            if (error != Errors.NONE) {
                denied.add(topic);
                errors.add(error);
            }
        }
        if (denied.isEmpty()) {
            return Verdict.FORWARD;
        }
        if (request.acks() == 0) {
            String reason = "acks=0 Produce to topic '" + label(denied.get(0)) + "': " + errors.get(0).name();
            if (denied.size() == request.topicData().size()) {
                return new Verdict.Refuse(reason, errors.get(0));
            }
            // As Kafka: the allowed partitions are appended, then the connection closes (no response to carry errors).
            denied.forEach(request.topicData()::remove);
            return new Verdict.Forward(request, null, reason);
        }
        if (denied.size() == request.topicData().size()) {
            ProduceResponseData response = new ProduceResponseData();
            for (int i = 0; i < denied.size(); i++) {
                response.responses().add(errorTopic(denied.get(i), errors.get(i)));
            }
            return new Verdict.Respond(response);
        }
        denied.forEach(request.topicData()::remove);
        return new Verdict.Forward(request, edit -> {
            ProduceResponseData response = (ProduceResponseData) edit;
            for (int i = 0; i < denied.size(); i++) {
                response.responses().add(errorTopic(denied.get(i), errors.get(i)));
            }
        });
    }

    private static Errors check(Access access, short version, TopicProduceData topic) {
        String name = topic.name();
        if (version >= TOPIC_IDS) {
            name = access.topicName(topic.topicId()).orElse(null);
            if (name == null) {
                return Errors.UNKNOWN_TOPIC_ID;
            }
        }
        return access.allowed(AclOperation.WRITE, ResourceType.TOPIC, name) ? Errors.NONE : Errors.TOPIC_AUTHORIZATION_FAILED;
    }

    private static String label(TopicProduceData topic) {
        return topic.name() != null && !topic.name().isEmpty() ? topic.name() : topic.topicId().toString();
    }

    private static ProduceResponseData errorResponse(Iterable<TopicProduceData> topics, Errors error) {
        ProduceResponseData response = new ProduceResponseData();
        topics.forEach(t -> response.responses().add(errorTopic(t, error)));
        return response;
    }

    private static TopicProduceResponse errorTopic(TopicProduceData topic, Errors error) {
        TopicProduceResponse out = new TopicProduceResponse().setName(topic.name()).setTopicId(topic.topicId());
        topic.partitionData().forEach(p -> out.partitionResponses().add(new PartitionProduceResponse()
                .setIndex(p.index()).setErrorCode(error.code())
                .setBaseOffset(-1).setLogAppendTimeMs(-1).setLogStartOffset(-1)));
        return out;
    }
}
