package io.warden.gateway.proxy;

import io.warden.gateway.enforce.Verdict;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

/**
 * Group members' client hosts as Kafka shows them, through the gateway: a member's host is learned from the
 * membership requests passing through (a classic member's id from its successful JoinGroup's answer, a KIP-848 member's
 * from its ConsumerGroupHeartbeat's), forgotten when it leaves (LeaveGroup, a heartbeat at epoch -1 or -2), and put in
 * place of the broker's (the gateway's own address) in DescribeGroups and ConsumerGroupDescribe answers. A member the
 * gateway has not seen join (through another gateway, or directly) keeps the host the broker gives.
 */
final class GroupMemberHostEdits {

    /** Kafka's member epoch of a heartbeat that leaves the group, and of one whose static member will come back. */
    private static final int LEAVE_EPOCH = -1;
    private static final int STATIC_LEAVE_EPOCH = -2;

    private GroupMemberHostEdits() {
    }

    /** Whether the request must be decoded for its API's edit: the responses of these do not name the group. */
    static boolean needsRequest(ApiKeys api) {
        return api == ApiKeys.JOIN_GROUP || api == ApiKeys.LEAVE_GROUP || api == ApiKeys.CONSUMER_GROUP_HEARTBEAT;
    }

    /**
     * The edit of the answer to a request on its way to the broker, or null when there is none. A member leaving is
     * forgotten here. {@code clientHost} is the client's address in Kafka's form ("/" and the IP address), null when
     * the connection has none.
     */
    static Verdict.ResponseEdit forRequest(GroupMemberHosts hosts, ApiKeys api, ApiMessage request, String clientHost) {
        return switch (api) {
            case DESCRIBE_GROUPS -> response -> describedGroups(hosts, (DescribeGroupsResponseData) response);
            case CONSUMER_GROUP_DESCRIBE -> response -> describedConsumerGroups(hosts, (ConsumerGroupDescribeResponseData) response);
            case JOIN_GROUP -> clientHost == null ? null : joined(hosts, ((JoinGroupRequestData) request).groupId(), clientHost);
            case CONSUMER_GROUP_HEARTBEAT -> heartbeat(hosts, (ConsumerGroupHeartbeatRequestData) request, clientHost);
            case LEAVE_GROUP -> {
                left(hosts, (LeaveGroupRequestData) request);
                yield null;
            }
            default -> null;
        };
    }

    private static Verdict.ResponseEdit joined(GroupMemberHosts hosts, String groupId, String clientHost) {
        return response -> {
            JoinGroupResponseData join = (JoinGroupResponseData) response;
            if (join.errorCode() == Errors.NONE.code()) {
                hosts.record(groupId, join.memberId(), clientHost);
            }
        };
    }

    private static Verdict.ResponseEdit heartbeat(GroupMemberHosts hosts, ConsumerGroupHeartbeatRequestData request, String clientHost) {
        if (request.memberEpoch() == LEAVE_EPOCH || request.memberEpoch() == STATIC_LEAVE_EPOCH) {
            hosts.forget(request.groupId(), request.memberId());
            return null;
        }
        if (clientHost == null) {
            return null;
        }
        String groupId = request.groupId();
        return response -> {
            ConsumerGroupHeartbeatResponseData heartbeat = (ConsumerGroupHeartbeatResponseData) response;
            if (heartbeat.errorCode() == Errors.NONE.code()) {
                // v0 has the coordinator assign the member id in its first answer; from v1 the client's is echoed
                hosts.record(groupId, heartbeat.memberId(), clientHost);
            }
        };
    }

    /** v0-v2 name one member; v3+ a batch (an admin's removal of static members may name only instance ids). */
    private static void left(GroupMemberHosts hosts, LeaveGroupRequestData request) {
        hosts.forget(request.groupId(), request.memberId());
        for (LeaveGroupRequestData.MemberIdentity member : request.members()) {
            hosts.forget(request.groupId(), member.memberId());
        }
    }

    private static void describedGroups(GroupMemberHosts hosts, DescribeGroupsResponseData response) {
        for (DescribeGroupsResponseData.DescribedGroup group : response.groups()) {
            for (DescribeGroupsResponseData.DescribedGroupMember member : group.members()) {
                String host = hosts.hostOf(group.groupId(), member.memberId());
                if (host != null) {
                    member.setClientHost(host);
                }
            }
        }
    }

    private static void describedConsumerGroups(GroupMemberHosts hosts, ConsumerGroupDescribeResponseData response) {
        for (ConsumerGroupDescribeResponseData.DescribedGroup group : response.groups()) {
            for (ConsumerGroupDescribeResponseData.Member member : group.members()) {
                String host = hosts.hostOf(group.groupId(), member.memberId());
                if (host != null) {
                    member.setClientHost(host);
                }
            }
        }
    }
}
