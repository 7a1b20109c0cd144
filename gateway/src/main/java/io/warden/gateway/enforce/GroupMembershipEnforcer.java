package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The classic group protocol's JoinGroup, SyncGroup, Heartbeat and LeaveGroup, as Kafka 4.1's handlers: READ on the
 * group, else the request is answered with GROUP_AUTHORIZATION_FAILED (each API's getErrorResponse shape: JoinGroup
 * with generation -1 and no member or leader; LeaveGroup with the top-level error and no member entries) and the
 * coordinator never sees it. A v5+ SyncGroup without protocol type or name is rejected by Kafka with
 * INCONSISTENT_GROUP_PROTOCOL before any authorization, so it goes to the broker unchanged.
 */
final class GroupMembershipEnforcer implements ApiEnforcer {

    /** First SyncGroup version in which protocol type and name are mandatory. */
    static final short SYNC_PROTOCOL_REQUIRED = 5;
    /** First JoinGroup version whose protocol name is nullable. */
    static final short JOIN_NULLABLE_PROTOCOL = 7;

    @Override
    public Verdict enforce(Access access, short version, ApiMessage request) {
        if (request instanceof JoinGroupRequestData join) {
            return allowed(access, join.groupId()) ? Verdict.FORWARD : new Verdict.Respond(new JoinGroupResponseData()
                    .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()).setGenerationId(-1)
                    .setProtocolName(version >= JOIN_NULLABLE_PROTOCOL ? null : "").setLeader("").setMemberId(""));
        }
        if (request instanceof SyncGroupRequestData sync) {
            if (version >= SYNC_PROTOCOL_REQUIRED && (sync.protocolType() == null || sync.protocolName() == null)) {
                return Verdict.FORWARD;
            }
            return allowed(access, sync.groupId()) ? Verdict.FORWARD : new Verdict.Respond(new SyncGroupResponseData()
                    .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()).setAssignment(new byte[0]));
        }
        if (request instanceof HeartbeatRequestData heartbeat) {
            return allowed(access, heartbeat.groupId()) ? Verdict.FORWARD
                    : new Verdict.Respond(new HeartbeatResponseData().setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()));
        }
        LeaveGroupRequestData leave = (LeaveGroupRequestData) request;
        return allowed(access, leave.groupId()) ? Verdict.FORWARD
                : new Verdict.Respond(new LeaveGroupResponseData().setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()));
    }

    private static boolean allowed(Access access, String groupId) {
        return access.allowed(AclOperation.READ, ResourceType.GROUP, groupId);
    }
}
