package io.warden.gateway.enforce;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Fetch: READ on every topic. A replica fetch (a replica id of 0 or more) comes from brokers only and is refused
 * from a client. Topics the principal may not read are removed from the request and answered with
 * TOPIC_AUTHORIZATION_FAILED; the request always goes on to the broker, so fetch sessions stay in step.
 */
final class FetchEnforcer implements ApiEnforcer {

    /** First Fetch version that names topics by id. */
    static final short TOPIC_IDS = 13;
    /** First Fetch version that carries the replica id in ReplicaState. */
    static final short REPLICA_STATE = 15;

    @Override
    public Collection<Uuid> topicIds(short version, ApiMessage request) {
        if (version < TOPIC_IDS) {
            return List.of();
        }
        List<Uuid> ids = new ArrayList<>();
        ((FetchRequestData) request).topics().forEach(t -> ids.add(t.topicId()));
        return ids;
    }

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        FetchRequestData request = (FetchRequestData) message;
        int replicaId = version >= REPLICA_STATE ? request.replicaState().replicaId() : request.replicaId();
        if (replicaId >= 0) {
            return new Verdict.Refuse("replica fetch (replica id " + replicaId + ") from a client");
        }
        List<FetchTopic> denied = new ArrayList<>();
        List<Errors> errors = new ArrayList<>();
        for (FetchTopic topic : request.topics()) {
            String name = topic.topic();
            Errors error = Errors.NONE;
            if (version >= TOPIC_IDS) {
                name = access.topicName(topic.topicId()).orElse(null);
                if (name == null) {
                    error = Errors.UNKNOWN_TOPIC_ID;
                }
            }
            if (name != null && !access.allowed(AclOperation.READ, ResourceType.TOPIC, name)) {
                error = Errors.TOPIC_AUTHORIZATION_FAILED;
            }
            if (error != Errors.NONE) {
                denied.add(topic);
                errors.add(error);
            }
        }
        if (denied.isEmpty()) {
            return Verdict.FORWARD;
        }
        request.topics().removeAll(denied);
        return new Verdict.Forward(request, edit -> {
            FetchResponseData response = (FetchResponseData) edit;
            for (int i = 0; i < denied.size(); i++) {
                FetchTopic topic = denied.get(i);
                short code = errors.get(i).code();
                FetchableTopicResponse out = new FetchableTopicResponse().setTopic(topic.topic()).setTopicId(topic.topicId());
                topic.partitions().forEach(p -> out.partitions().add(new FetchResponseData.PartitionData()
                        .setPartitionIndex(p.partition()).setErrorCode(code)
                        .setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1)
                        .setRecords(MemoryRecords.EMPTY)));
                response.responses().add(out);
            }
        });
    }
}
