package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

import java.util.List;

/**
 * TxnOffsetCommit (KafkaApis.handleTxnOffsetCommitRequest): WRITE on the transactional id, else every partition gets
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED; READ on the group, else every partition gets GROUP_AUTHORIZATION_FAILED;
 * READ on each topic, else its partitions get TOPIC_AUTHORIZATION_FAILED while the other topics are committed.
 */
final class TxnOffsetCommitEnforcer implements ApiEnforcer {

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        TxnOffsetCommitRequestData request = (TxnOffsetCommitRequestData) message;
        if (!access.allowed(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId())) {
            return new Verdict.Respond(KafkaErrorResponse.of(ApiKeys.TXN_OFFSET_COMMIT, version, request, Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED));
        }
        if (!access.allowed(AclOperation.READ, ResourceType.GROUP, request.groupId())) {
            return new Verdict.Respond(KafkaErrorResponse.of(ApiKeys.TXN_OFFSET_COMMIT, version, request, Errors.GROUP_AUTHORIZATION_FAILED));
        }
        List<TxnOffsetCommitRequestTopic> denied = null;
        for (TxnOffsetCommitRequestTopic topic : request.topics()) {
            if (!access.allowed(AclOperation.READ, ResourceType.TOPIC, topic.name())) {
                denied = Parts.add(denied, topic);
            }
        }
        if (denied == null) {
            return Verdict.FORWARD;
        }
        Parts.removeAll(request.topics(), denied);
        List<TxnOffsetCommitRequestTopic> refused = denied;
        if (request.topics().isEmpty()) {
            TxnOffsetCommitResponseData response = new TxnOffsetCommitResponseData();
            refused.forEach(topic -> response.topics().add(denied(topic)));
            return new Verdict.Respond(response);
        }
        return new Verdict.Forward(request, edit -> refused.forEach(topic -> ((TxnOffsetCommitResponseData) edit).topics().add(denied(topic))));
    }

    private static TxnOffsetCommitResponseTopic denied(TxnOffsetCommitRequestTopic topic) {
        TxnOffsetCommitResponseTopic out = new TxnOffsetCommitResponseTopic().setName(topic.name());
        topic.partitions().forEach(p -> out.partitions().add(new TxnOffsetCommitResponsePartition()
                .setPartitionIndex(p.partitionIndex()).setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())));
        return out;
    }
}
