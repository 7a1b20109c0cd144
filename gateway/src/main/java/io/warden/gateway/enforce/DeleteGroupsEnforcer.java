package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * DeleteGroups, as Kafka 4.1's {@code handleDeleteGroupsRequest}: DELETE on each (distinct) group, else that group's
 * result is GROUP_AUTHORIZATION_FAILED, after the broker's results as Kafka orders them. Denied groups never reach
 * the coordinator; with none left the gateway answers alone.
 */
final class DeleteGroupsEnforcer implements ApiEnforcer {

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        DeleteGroupsRequestData request = (DeleteGroupsRequestData) message;
        Set<String> denied = null;
        for (String groupId : request.groupsNames()) {
            if (!access.allowed(AclOperation.DELETE, ResourceType.GROUP, groupId)) {
                if (denied == null) {
                    denied = new LinkedHashSet<>();
                }
                denied.add(groupId);
            }
        }
        if (denied == null) {
            return Verdict.FORWARD;
        }
        List<String> allowed = new ArrayList<>(request.groupsNames());
        allowed.removeAll(denied);
        Set<String> deniedGroups = denied;
        if (allowed.isEmpty()) {
            DeleteGroupsResponseData response = new DeleteGroupsResponseData();
            addDenied(response, deniedGroups);
            return new Verdict.Respond(response);
        }
        request.setGroupsNames(allowed);
        return new Verdict.Forward(request, edit -> addDenied((DeleteGroupsResponseData) edit, deniedGroups));
    }

    private static void addDenied(DeleteGroupsResponseData response, Set<String> denied) {
        denied.forEach(g -> response.results().add(new DeletableGroupResult().setGroupId(g)
                .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code())));
    }
}
