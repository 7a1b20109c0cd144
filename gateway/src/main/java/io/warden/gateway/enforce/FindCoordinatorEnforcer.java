package io.warden.gateway.enforce;

import org.apache.kafka.common.Node;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * FindCoordinator, as Kafka 4.1's {@code getCoordinator}: a group key needs DESCRIBE on the group (else
 * GROUP_AUTHORIZATION_FAILED), a transaction key DESCRIBE on the transactional id (else
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED); a share key (v6+) needs CLUSTER_ACTION on the cluster, whose denial fails
 * the whole request with CLUSTER_AUTHORIZATION_FAILED. Before v4 the one key's error is the response's (with Kafka's
 * message and no node); from v4 each key has its own entry, in the order of the request. Denied keys carry no broker
 * address; the broker's entries for the others have theirs rewritten to the gateway after this edit.
 */
final class FindCoordinatorEnforcer implements ApiEnforcer {

    /** First FindCoordinator version with a batch of keys. */
    static final short BATCH = 4;

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        FindCoordinatorRequestData request = (FindCoordinatorRequestData) message;
        byte keyType = request.keyType();
        if (keyType == CoordinatorType.SHARE.id() && version >= 6 && !access.allowedOnCluster(AclOperation.CLUSTER_ACTION)) {
            return new Verdict.Respond(FindCoordinatorResponse.prepareErrorResponse(Errors.CLUSTER_AUTHORIZATION_FAILED,
                    request.coordinatorKeys()).data());
        }
        if (version < BATCH) {
            Errors error = check(access, keyType, request.key());
            return error == Errors.NONE ? Verdict.FORWARD
                    : new Verdict.Respond(FindCoordinatorResponse.prepareOldResponse(error, Node.noNode()).data());
        }
        List<String> keys = request.coordinatorKeys();
        Errors[] errors = null;
        int denied = 0;
        for (int i = 0; i < keys.size(); i++) {
            Errors error = check(access, keyType, keys.get(i));
            if (error != Errors.NONE) {
                if (errors == null) {
                    errors = new Errors[keys.size()];
                }
                errors[i] = error;
                denied++;
            }
        }
        if (errors == null) {
            return Verdict.FORWARD;
        }
        if (denied == keys.size()) {
            FindCoordinatorResponseData response = new FindCoordinatorResponseData();
            for (int i = 0; i < keys.size(); i++) {
                response.coordinators().add(denied(keys.get(i), errors[i]));
            }
            return new Verdict.Respond(response);
        }
        List<String> allowed = new ArrayList<>(keys.size() - denied);
        for (int i = 0; i < keys.size(); i++) {
            if (errors[i] == null) {
                allowed.add(keys.get(i));
            }
        }
        request.setCoordinatorKeys(allowed);
        Errors[] keyErrors = errors;
        return new Verdict.Forward(request, edit -> {
            FindCoordinatorResponseData response = (FindCoordinatorResponseData) edit;
            Map<String, ArrayDeque<Coordinator>> answered = new HashMap<>();
            response.coordinators().forEach(c -> answered.computeIfAbsent(c.key(), k -> new ArrayDeque<>()).add(c));
            List<Coordinator> out = new ArrayList<>(keys.size());
            for (int i = 0; i < keys.size(); i++) {
                if (keyErrors[i] != null) {
                    out.add(denied(keys.get(i), keyErrors[i]));
                } else {
                    ArrayDeque<Coordinator> queue = answered.get(keys.get(i));
                    Coordinator answer = queue == null ? null : queue.poll();
                    if (answer != null) {
                        out.add(answer);
                    }
                }
            }
            answered.values().forEach(out::addAll);
            response.setCoordinators(out);
        });
    }

    private static Errors check(Access access, byte keyType, String key) {
        if (keyType == CoordinatorType.GROUP.id()) {
            return access.allowed(AclOperation.DESCRIBE, ResourceType.GROUP, key) ? Errors.NONE : Errors.GROUP_AUTHORIZATION_FAILED;
        }
        if (keyType == CoordinatorType.TRANSACTION.id()) {
            return access.allowed(AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, key)
                    ? Errors.NONE : Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
        }
        return Errors.NONE;
    }

    /** Kafka's entry for a key it refuses: the error and no node. */
    private static Coordinator denied(String key, Errors error) {
        Node none = Node.noNode();
        return new Coordinator().setKey(key).setErrorCode(error.code()).setNodeId(none.id()).setHost(none.host()).setPort(none.port());
    }
}
