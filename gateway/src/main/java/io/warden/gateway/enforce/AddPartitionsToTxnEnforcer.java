package io.warden.gateway.enforce;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.resource.ResourceType;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * AddPartitionsToTxn from a producer (versions 0-3, KafkaApis.handleAddPartitionsToTxnRequest): WRITE on the
 * transactional id, else every partition gets TRANSACTIONAL_ID_AUTHORIZATION_FAILED; WRITE on every topic (never
 * granted for Kafka's internal topics). One denied topic fails the whole transaction's request, as in Kafka: its
 * partitions get TOPIC_AUTHORIZATION_FAILED, all others OPERATION_NOT_ATTEMPTED, and nothing is added. Versions 4+
 * batch transactions for brokers: as in Kafka they need CLUSTER_ACTION on the cluster, and without it the answer is
 * CLUSTER_AUTHORIZATION_FAILED (the connection stays open).
 */
final class AddPartitionsToTxnEnforcer implements ApiEnforcer {

    /** First version sent only by brokers. */
    static final short BROKER_BATCHES = 4;

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        AddPartitionsToTxnRequestData request = (AddPartitionsToTxnRequestData) message;
        if (version >= BROKER_BATCHES) {
            if (access.allowedOnCluster(AclOperation.CLUSTER_ACTION)) {
                return Verdict.FORWARD;
            }
            return new Verdict.Respond(new AddPartitionsToTxnRequest(request, version)
                    .getErrorResponse(0, Errors.CLUSTER_AUTHORIZATION_FAILED.exception()).data());
        }
        String transactionalId = request.v3AndBelowTransactionalId();
        if (transactionalId == null) {
            return new Verdict.Refuse("AddPartitionsToTxn without a transactional id", Errors.CLUSTER_AUTHORIZATION_FAILED);
        }
        if (!access.allowed(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, transactionalId)) {
            return respond(transactionalId, request, topic -> Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
        }
        boolean anyDenied = false;
        for (AddPartitionsToTxnTopic topic : request.v3AndBelowTopics()) {
            anyDenied |= !mayWrite(access, topic.name());
        }
        if (!anyDenied) {
            return Verdict.FORWARD;
        }
        return respond(transactionalId, request,
                topic -> mayWrite(access, topic) ? Errors.OPERATION_NOT_ATTEMPTED : Errors.TOPIC_AUTHORIZATION_FAILED);
    }

    private static boolean mayWrite(Access access, String topic) {
        return !Topic.isInternal(topic) && access.allowed(AclOperation.WRITE, ResourceType.TOPIC, topic);
    }

    private static Verdict respond(String transactionalId, AddPartitionsToTxnRequestData request, Function<String, Errors> errorOf) {
        Map<TopicPartition, Errors> errors = new LinkedHashMap<>();
        for (AddPartitionsToTxnTopic topic : request.v3AndBelowTopics()) {
            Errors error = errorOf.apply(topic.name());
            topic.partitions().forEach(p -> errors.put(new TopicPartition(topic.name(), p), error));
        }
        return new Verdict.Respond(new AddPartitionsToTxnResponseData()
                .setResultsByTopicV3AndBelow(AddPartitionsToTxnResponse.resultForTransaction(transactionalId, errors).topicResults()));
    }
}
