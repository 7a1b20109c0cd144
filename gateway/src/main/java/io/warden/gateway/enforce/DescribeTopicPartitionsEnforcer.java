package io.warden.gateway.enforce;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * DescribeTopicPartitions, as Kafka 4.1's {@code DescribeTopicPartitionsRequestHandler}: DESCRIBE on each topic.
 * Named topics (from the cursor's topic on) that the client may not describe get TOPIC_AUTHORIZATION_FAILED after
 * the described ones, whether they exist or not; asked for all topics (an empty list), the client sees only those it
 * may describe, silently. Every described topic carries the client's authorized operations. Requests Kafka rejects
 * before authorizing (a cursor outside the named topics, a negative cursor partition) go to the broker unchanged.
 *
 * <p>Paging: Kafka pages over the topics the client may describe; the broker pages over all of them, so its next
 * cursor may name a hidden topic. The gateway never shows that name: it points the cursor past the page's last
 * visible topic instead (and drops the empty entry that cursor brings back as the next page's first topic). A page
 * with no visible topic gets a {@link SealedCursor} instead, which the client hands back to go on listing without
 * learning the hidden topic (Kafka, which filters before paging, has no such page).
 */
final class DescribeTopicPartitionsEnforcer implements ApiEnforcer {

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        DescribeTopicPartitionsRequestData request = (DescribeTopicPartitionsRequestData) message;
        DescribeTopicPartitionsRequestData.Cursor cursor = request.cursor();
        if (request.topics().isEmpty()) {
            if (cursor == null || !SealedCursor.isSealed(cursor.topicName())) {
                return new Verdict.Forward(null, edit -> filterAll(access, cursor, (DescribeTopicPartitionsResponseData) edit));
            }
            DescribeTopicPartitionsRequestData.Cursor opened = SealedCursor.open(cursor.topicName()).orElse(null);
            if (opened == null) {
                // Sealed by another gateway, or before a restart: as Kafka answers a cursor it cannot use.
                return new Verdict.Respond(KafkaErrorResponse.of(ApiKeys.DESCRIBE_TOPIC_PARTITIONS, version, request, Errors.INVALID_REQUEST));
            }
            request.setCursor(opened);
            return new Verdict.Forward(request, edit -> filterAll(access, opened, (DescribeTopicPartitionsResponseData) edit));
        }
        if (cursor != null && (cursor.partitionIndex() < 0 || !named(request, cursor.topicName()))) {
            return Verdict.FORWARD;
        }
        String from = cursor == null ? "" : cursor.topicName();
        TreeSet<String> denied = null;
        List<TopicRequest> allowed = new ArrayList<>(request.topics().size());
        TreeSet<String> allowedFrom = new TreeSet<>();
        for (TopicRequest topic : request.topics()) {
            if (access.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, topic.name())) {
                allowed.add(topic);
                if (topic.name().compareTo(from) >= 0) {
                    allowedFrom.add(topic.name());
                }
            } else if (topic.name().compareTo(from) >= 0) {
                if (denied == null) {
                    denied = new TreeSet<>();
                }
                denied.add(topic.name());
            }
        }
        if (denied == null && allowed.size() == request.topics().size()) {
            return new Verdict.Forward(null, edit -> clientOperations(access, (DescribeTopicPartitionsResponseData) edit));
        }
        List<DescribeTopicPartitionsResponseTopic> errors = new ArrayList<>();
        if (denied != null) {
            denied.forEach(name -> errors.add(new DescribeTopicPartitionsResponseTopic().setName(name)
                    .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setTopicId(Uuid.ZERO_UUID).setIsInternal(false)));
        }
        if (allowedFrom.isEmpty()) {
            DescribeTopicPartitionsResponseData response = new DescribeTopicPartitionsResponseData();
            errors.forEach(response.topics()::add);
            return new Verdict.Respond(response);
        }
        request.setTopics(allowed);
        if (cursor != null && denied != null && denied.contains(cursor.topicName())) {
            request.setCursor(new DescribeTopicPartitionsRequestData.Cursor().setTopicName(allowedFrom.first()).setPartitionIndex(0));
        }
        return new Verdict.Forward(request, edit -> {
            DescribeTopicPartitionsResponseData response = (DescribeTopicPartitionsResponseData) edit;
            clientOperations(access, response);
            errors.forEach(response.topics()::add);
        });
    }

    private static boolean named(DescribeTopicPartitionsRequestData request, String name) {
        for (TopicRequest topic : request.topics()) {
            if (topic.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static void clientOperations(Access access, DescribeTopicPartitionsResponseData response) {
        for (DescribeTopicPartitionsResponseTopic topic : response.topics()) {
            topic.setTopicAuthorizedOperations(access.authorizedOperations(ResourceType.TOPIC, topic.name(), Access.TOPIC_OPERATIONS));
        }
    }

    /** All topics: hide what the client may not describe, including from the next cursor. */
    private static void filterAll(Access access, DescribeTopicPartitionsRequestData.Cursor requestCursor,
                                  DescribeTopicPartitionsResponseData response) {
        List<DescribeTopicPartitionsResponseTopic> hidden = new ArrayList<>();
        for (DescribeTopicPartitionsResponseTopic topic : response.topics()) {
            if (!access.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, topic.name())) {
                hidden.add(topic);
            }
        }
        hidden.forEach(response.topics()::remove);
        if (requestCursor != null && requestCursor.partitionIndex() > 0 && !response.topics().isEmpty()) {
            DescribeTopicPartitionsResponseTopic first = response.topics().iterator().next();
            if (first.name().equals(requestCursor.topicName()) && first.partitions().isEmpty()) {
                response.topics().remove(first);
            }
        }
        clientOperations(access, response);
        DescribeTopicPartitionsResponseData.Cursor next = response.nextCursor();
        if (next == null || access.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, next.topicName())) {
            return;
        }
        DescribeTopicPartitionsResponseTopic last = null;
        for (DescribeTopicPartitionsResponseTopic topic : response.topics()) {
            last = topic;
        }
        if (last == null || last.partitions().isEmpty()) {
            response.setNextCursor(SealedCursor.seal(next));
            return;
        }
        int end = 0;
        for (DescribeTopicPartitionsResponsePartition p : last.partitions()) {
            end = Math.max(end, p.partitionIndex() + 1);
        }
        response.setNextCursor(new DescribeTopicPartitionsResponseData.Cursor().setTopicName(last.name()).setPartitionIndex(end));
    }
}
