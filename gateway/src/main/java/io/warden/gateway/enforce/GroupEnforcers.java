package io.warden.gateway.enforce;

import org.apache.kafka.common.protocol.ApiKeys;

import java.util.Map;

/**
 * The enforcers of the consumer group APIs (classic and KIP-848), their offsets and coordinator lookup, and the two
 * consumer-side topic APIs that go with them: OffsetForLeaderEpoch and DescribeTopicPartitions.
 */
final class GroupEnforcers {

    private GroupEnforcers() {
    }

    static void register(Map<ApiKeys, ApiEnforcer> into) {
        into.put(ApiKeys.OFFSET_COMMIT, new OffsetCommitEnforcer());
        into.put(ApiKeys.OFFSET_FETCH, new OffsetFetchEnforcer());
        into.put(ApiKeys.OFFSET_DELETE, new OffsetDeleteEnforcer());
        into.put(ApiKeys.FIND_COORDINATOR, new FindCoordinatorEnforcer());
        GroupMembershipEnforcer membership = new GroupMembershipEnforcer();
        into.put(ApiKeys.JOIN_GROUP, membership);
        into.put(ApiKeys.SYNC_GROUP, membership);
        into.put(ApiKeys.HEARTBEAT, membership);
        into.put(ApiKeys.LEAVE_GROUP, membership);
        into.put(ApiKeys.CONSUMER_GROUP_HEARTBEAT, new ConsumerGroupHeartbeatEnforcer());
        into.put(ApiKeys.CONSUMER_GROUP_DESCRIBE, new ConsumerGroupDescribeEnforcer());
        into.put(ApiKeys.DESCRIBE_GROUPS, new DescribeGroupsEnforcer());
        into.put(ApiKeys.LIST_GROUPS, new ListGroupsEnforcer());
        into.put(ApiKeys.DELETE_GROUPS, new DeleteGroupsEnforcer());
        into.put(ApiKeys.OFFSET_FOR_LEADER_EPOCH, new OffsetForLeaderEpochEnforcer());
        into.put(ApiKeys.DESCRIBE_TOPIC_PARTITIONS, new DescribeTopicPartitionsEnforcer());
    }
}
