package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.resource.ResourceType;

/**
 * ListTransactions (KafkaApis.handleListTransactionsRequest): the broker's list, with only the transactional ids the
 * principal may DESCRIBE; the others are left out silently.
 */
final class ListTransactionsEnforcer implements ApiEnforcer {

    @Override
    public Verdict enforce(Access access, short version, ApiMessage request) {
        return new Verdict.Forward(null, edit -> ((ListTransactionsResponseData) edit).transactionStates()
                .removeIf(state -> !access.allowed(AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, state.transactionalId())));
    }
}
