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
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Fetch: READ on every topic. A replica fetch (a replica id of 0 or more) comes from brokers only and is refused
 * from a client. Topics the principal may not read are removed from the request and answered with
 * TOPIC_AUTHORIZATION_FAILED.
 *
 * <p>Fetch sessions (KIP-227, v7+) are not passed on: every Fetch reaches the broker as a sessionless full fetch
 * (session id 0, epoch -1), so the broker creates no session and every partition a client reads is named, and
 * checked, in every request. In a session the broker would go on returning partitions the request does not name,
 * which Kafka re-authorizes on each fetch but which a gateway checking requests would never see again: a revoked
 * READ would not stop a running consumer. A client asking for a new session gets a response without one, as from a
 * broker whose session cache is full, and goes on with full fetches; an incremental fetch (epoch above 0) cannot be
 * for a session made through Warden and is answered FETCH_SESSION_ID_NOT_FOUND, after which clients fetch in full.
 */
final class FetchEnforcer implements ApiEnforcer {

    /** First Fetch version that names topics by id. */
    static final short TOPIC_IDS = 13;
    /** First Fetch version that carries the replica id in ReplicaState. */
    static final short REPLICA_STATE = 15;
    /** First Fetch version with a session id and epoch. */
    static final short SESSIONS = 7;

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
            return new Verdict.Refuse("replica fetch (replica id " + replicaId + ") from a client", Errors.CLUSTER_AUTHORIZATION_FAILED);
        }
        boolean sessionless = true;
        if (version >= SESSIONS) {
            if (request.sessionEpoch() > 0) {
                return new Verdict.Respond(new FetchResponseData()
                        .setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code())
                        .setSessionId(FetchMetadata.INVALID_SESSION_ID));
            }
            sessionless = request.sessionId() == FetchMetadata.INVALID_SESSION_ID
                    && request.sessionEpoch() == FetchMetadata.FINAL_EPOCH;
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
        if (!sessionless) {
            request.setSessionId(FetchMetadata.INVALID_SESSION_ID).setSessionEpoch(FetchMetadata.FINAL_EPOCH);
        }
        if (denied.isEmpty()) {
            return sessionless ? Verdict.FORWARD : new Verdict.Forward(request, null);
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
