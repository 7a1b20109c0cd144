package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.List;

/**
 * DescribeGroups, as Kafka 4.1's {@code handleDescribeGroupsRequest}: DESCRIBE on each group, else that group gets
 * Kafka's error entry with GROUP_AUTHORIZATION_FAILED, ahead of the described groups as Kafka orders them. With
 * includeAuthorizedOperations (v3+) the described groups carry the client's authorized operations, not the gateway's.
 */
final class DescribeGroupsEnforcer implements ApiEnforcer {

    /** First DescribeGroups version with authorized operations. */
    static final short AUTHORIZED_OPERATIONS = 3;

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        DescribeGroupsRequestData request = (DescribeGroupsRequestData) message;
        boolean operations = version >= AUTHORIZED_OPERATIONS && request.includeAuthorizedOperations();
        List<String> denied = null;
        for (String groupId : request.groups()) {
            if (!access.allowed(AclOperation.DESCRIBE, ResourceType.GROUP, groupId)) {
                if (denied == null) {
                    denied = new ArrayList<>();
                }
                denied.add(groupId);
            }
        }
        if (denied == null) {
            return operations ? new Verdict.Forward(null, edit -> clientOperations(access, (DescribeGroupsResponseData) edit))
                    : Verdict.FORWARD;
        }
        if (denied.size() == request.groups().size()) {
            DescribeGroupsResponseData response = new DescribeGroupsResponseData();
            denied.forEach(g -> response.groups().add(DescribeGroupsResponse.groupError(g, Errors.GROUP_AUTHORIZATION_FAILED)));
            return new Verdict.Respond(response);
        }
        List<String> allowed = new ArrayList<>(request.groups());
        allowed.removeAll(denied);
        request.setGroups(allowed);
        List<String> deniedGroups = denied;
        return new Verdict.Forward(request, edit -> {
            DescribeGroupsResponseData response = (DescribeGroupsResponseData) edit;
            if (operations) {
                clientOperations(access, response);
            }
            List<DescribedGroup> errors = new ArrayList<>(deniedGroups.size());
            deniedGroups.forEach(g -> errors.add(DescribeGroupsResponse.groupError(g, Errors.GROUP_AUTHORIZATION_FAILED)));
            response.groups().addAll(0, errors);
        });
    }

    private static void clientOperations(Access access, DescribeGroupsResponseData response) {
        for (DescribedGroup group : response.groups()) {
            if (group.errorCode() == Errors.NONE.code()) {
                group.setAuthorizedOperations(access.authorizedOperations(ResourceType.GROUP, group.groupId(), Access.GROUP_OPERATIONS));
            }
        }
    }
}
