package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.List;

/**
 * OffsetForLeaderEpoch, as Kafka 4.1's {@code handleOffsetForLeaderEpochRequest}: CLUSTER_ACTION on the cluster
 * authorizes every topic; otherwise DESCRIBE on each topic, else its partitions get TOPIC_AUTHORIZATION_FAILED, after
 * the broker's topics as Kafka orders them. A follower's request (replica id 0 or more; v3+) comes from brokers only
 * and is refused from a client, like a replica Fetch (Kafka itself does not look at the replica id here).
 */
final class OffsetForLeaderEpochEnforcer implements ApiEnforcer {

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        OffsetForLeaderEpochRequestData request = (OffsetForLeaderEpochRequestData) message;
        if (request.replicaId() >= 0) {
            return new Verdict.Refuse("OffsetForLeaderEpoch as replica " + request.replicaId() + " from a client",
                    Errors.CLUSTER_AUTHORIZATION_FAILED);
        }
        if (access.allowedOnCluster(AclOperation.CLUSTER_ACTION)) {
            return Verdict.FORWARD;
        }
        List<OffsetForLeaderTopic> denied = null;
        for (OffsetForLeaderTopic topic : request.topics()) {
            if (!access.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, topic.topic())) {
                if (denied == null) {
                    denied = new ArrayList<>();
                }
                denied.add(topic);
            }
        }
        if (denied == null) {
            return Verdict.FORWARD;
        }
        List<OffsetForLeaderTopicResult> errors = new ArrayList<>(denied.size());
        denied.forEach(t -> errors.add(errorTopic(t)));
        if (denied.size() == request.topics().size()) {
            OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
            errors.forEach(response.topics()::add);
            return new Verdict.Respond(response);
        }
        denied.forEach(request.topics()::remove);
        return new Verdict.Forward(request, edit -> errors.forEach(((OffsetForLeaderEpochResponseData) edit).topics()::add));
    }

    private static OffsetForLeaderTopicResult errorTopic(OffsetForLeaderTopic topic) {
        OffsetForLeaderTopicResult out = new OffsetForLeaderTopicResult().setTopic(topic.topic());
        topic.partitions().forEach(p -> out.partitions().add(new EpochEndOffset()
                .setPartition(p.partition()).setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())));
        return out;
    }
}
