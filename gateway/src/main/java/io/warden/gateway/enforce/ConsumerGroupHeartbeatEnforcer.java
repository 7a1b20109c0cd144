package io.warden.gateway.enforce;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * ConsumerGroupHeartbeat (KIP-848), as Kafka 4.1's {@code handleConsumerGroupHeartbeat}: READ on the group, else
 * GROUP_AUTHORIZATION_FAILED; when the heartbeat carries subscribed topic names, DESCRIBE on every one of them, else
 * TOPIC_AUTHORIZATION_FAILED (no message, as Kafka 4.1.1) and the coordinator never sees the heartbeat.
 *
 * <p>A regex subscription is not checked at the API, as in Kafka: Kafka's coordinator resolves the regex against all
 * topics and keeps those the member's principal may DESCRIBE. Behind the gateway the coordinator resolves it for the
 * gateway's own principal, so the gateway does that filtering on the way back: topics of the assignment the client
 * may not describe are removed from what the client sees. Their ids are named first (looked up on the cluster when the
 * gateway has not seen them named, as for a topic no client was ever shown); an id the cluster cannot name either is
 * removed too.
 */
final class ConsumerGroupHeartbeatEnforcer implements ApiEnforcer {

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        ConsumerGroupHeartbeatRequestData request = (ConsumerGroupHeartbeatRequestData) message;
        if (!access.allowed(AclOperation.READ, ResourceType.GROUP, request.groupId())) {
            return new Verdict.Respond(error(Errors.GROUP_AUTHORIZATION_FAILED));
        }
        List<String> names = request.subscribedTopicNames();
        if (names != null && !names.isEmpty()) {
            for (String name : new HashSet<>(names)) {
                if (!access.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, name)) {
                    return new Verdict.Respond(error(Errors.TOPIC_AUTHORIZATION_FAILED));
                }
            }
        }
        return new Verdict.Forward(null, new AssignmentFilter(access));
    }

    /** Removes from the assignment every topic the client may not describe, or that the gateway cannot name. */
    private record AssignmentFilter(Access access) implements Verdict.ResponseEdit {

        @Override
        public void edit(ApiMessage response) {
            ConsumerGroupHeartbeatResponseData.Assignment assignment = ((ConsumerGroupHeartbeatResponseData) response).assignment();
            if (assignment != null) {
                assignment.topicPartitions().removeIf(tp -> {
                    Optional<String> name = access.topicName(tp.topicId());
                    return name.isEmpty() || !access.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, name.get());
                });
            }
        }

        @Override
        public Collection<Uuid> topicIds(ApiMessage response) {
            ConsumerGroupHeartbeatResponseData.Assignment assignment = ((ConsumerGroupHeartbeatResponseData) response).assignment();
            return assignment == null ? List.of()
                    : assignment.topicPartitions().stream().map(ConsumerGroupHeartbeatResponseData.TopicPartitions::topicId).toList();
        }
    }

    private static ConsumerGroupHeartbeatResponseData error(Errors error) {
        return new ConsumerGroupHeartbeatResponseData().setErrorCode(error.code());
    }
}
