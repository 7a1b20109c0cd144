package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/** EndTxn (KafkaApis.handleEndTxnRequest): WRITE on the transactional id, else TRANSACTIONAL_ID_AUTHORIZATION_FAILED. */
final class EndTxnEnforcer implements ApiEnforcer {

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        EndTxnRequestData request = (EndTxnRequestData) message;
        if (access.allowed(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, request.transactionalId())) {
            return Verdict.FORWARD;
        }
        return new Verdict.Respond(new EndTxnResponseData().setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()));
    }
}
