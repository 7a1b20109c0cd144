package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

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
 * gateway's own principal, so the gateway does that filtering on the way back: topics of the assignment that it
 * knows by name and the client may not describe are removed from what the client sees. Ids the gateway cannot name
 * yet are left in (their names stay hidden: Metadata shows the client only topics it may describe).
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
        return new Verdict.Forward(null, edit -> {
            ConsumerGroupHeartbeatResponseData.Assignment assignment = ((ConsumerGroupHeartbeatResponseData) edit).assignment();
            if (assignment != null) {
                assignment.topicPartitions().removeIf(tp -> {
                    Optional<String> name = access.topicName(tp.topicId());
                    return name.isPresent() && !access.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, name.get());
                });
            }
        });
    }

    private static ConsumerGroupHeartbeatResponseData error(Errors error) {
        return new ConsumerGroupHeartbeatResponseData().setErrorCode(error.code());
    }
}
