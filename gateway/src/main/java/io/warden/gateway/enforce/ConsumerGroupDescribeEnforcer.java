package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.Assignment;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.Member;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.TopicPartitions;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.List;

/**
 * ConsumerGroupDescribe (KIP-848), as Kafka 4.1's {@code handleConsumerGroupDescribe}: DESCRIBE on each group, else
 * that group gets GROUP_AUTHORIZATION_FAILED (first in the answer, as Kafka puts them). Authorized operations, when
 * asked for, are the client's. A described group any of whose members' current or target assignment names a topic
 * the client may not DESCRIBE is replaced, as Kafka does, by an entry with TOPIC_AUTHORIZATION_FAILED, Kafka's message
 * and no members.
 */
final class ConsumerGroupDescribeEnforcer implements ApiEnforcer {

    static final String TOPIC_DENIED_MESSAGE = "The group has described topic(s) that the client is not authorized to describe.";

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        ConsumerGroupDescribeRequestData request = (ConsumerGroupDescribeRequestData) message;
        List<String> denied = new ArrayList<>();
        List<String> allowed = new ArrayList<>(request.groupIds().size());
        for (String groupId : request.groupIds()) {
            if (access.allowed(AclOperation.DESCRIBE, ResourceType.GROUP, groupId)) {
                allowed.add(groupId);
            } else {
                denied.add(groupId);
            }
        }
        if (allowed.isEmpty()) {
            ConsumerGroupDescribeResponseData response = new ConsumerGroupDescribeResponseData();
            denied.forEach(g -> response.groups().add(groupError(g)));
            return new Verdict.Respond(response);
        }
        if (!denied.isEmpty()) {
            request.setGroupIds(allowed);
        }
        boolean operations = request.includeAuthorizedOperations();
        return new Verdict.Forward(denied.isEmpty() ? null : request, edit -> {
            ConsumerGroupDescribeResponseData response = (ConsumerGroupDescribeResponseData) edit;
            List<DescribedGroup> out = new ArrayList<>(denied.size() + response.groups().size());
            denied.forEach(g -> out.add(groupError(g)));
            for (DescribedGroup group : response.groups()) {
                if (!assignedTopicsDescribable(access, group)) {
                    out.add(new DescribedGroup().setGroupId(group.groupId())
                            .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setErrorMessage(TOPIC_DENIED_MESSAGE));
                    continue;
                }
                if (operations && group.errorCode() == Errors.NONE.code()) {
                    group.setAuthorizedOperations(access.authorizedOperations(ResourceType.GROUP, group.groupId(), Access.GROUP_OPERATIONS));
                }
                out.add(group);
            }
            response.setGroups(out);
        });
    }

    private static DescribedGroup groupError(String groupId) {
        return new DescribedGroup().setGroupId(groupId).setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code());
    }

    private static boolean assignedTopicsDescribable(Access access, DescribedGroup group) {
        for (Member member : group.members()) {
            if (!describable(access, member.assignment()) || !describable(access, member.targetAssignment())) {
                return false;
            }
        }
        return true;
    }

    private static boolean describable(Access access, Assignment assignment) {
        if (assignment == null) {
            return true;
        }
        for (TopicPartitions tp : assignment.topicPartitions()) {
            if (!access.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, tp.topicName())) {
                return false;
            }
        }
        return true;
    }
}
