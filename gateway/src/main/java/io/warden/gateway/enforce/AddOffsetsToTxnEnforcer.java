package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * AddOffsetsToTxn (KafkaApis.handleAddOffsetsToTxnRequest): WRITE on the transactional id, else
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED; then READ on the group, else GROUP_AUTHORIZATION_FAILED.
 */
final class AddOffsetsToTxnEnforcer implements ApiEnforcer {

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        AddOffsetsToTxnRequestData request = (AddOffsetsToTxnRequestData) message;
        Errors error = Errors.NONE;
        if (!access.allowed(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId())) {
            error = Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
        } else if (!access.allowed(AclOperation.READ, ResourceType.GROUP, request.groupId())) {
            error = Errors.GROUP_AUTHORIZATION_FAILED;
        }
        return error == Errors.NONE ? Verdict.FORWARD : new Verdict.Respond(new AddOffsetsToTxnResponseData().setErrorCode(error.code()));
    }
}
