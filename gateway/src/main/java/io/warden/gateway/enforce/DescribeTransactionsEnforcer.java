package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TopicData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TransactionState;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

import java.util.Iterator;
import java.util.List;

/**
 * DescribeTransactions (KafkaApis.handleDescribeTransactionsRequest): DESCRIBE on each transactional id, else that
 * transaction is answered TRANSACTIONAL_ID_AUTHORIZATION_FAILED; the partitions a described transaction holds are
 * shown only for topics the principal may DESCRIBE, the others are left out silently.
 */
final class DescribeTransactionsEnforcer implements ApiEnforcer {

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        DescribeTransactionsRequestData request = (DescribeTransactionsRequestData) message;
        List<String> denied = null;
        for (String transactionalId : request.transactionalIds()) {
            if (!access.allowed(AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, transactionalId)) {
                denied = Parts.add(denied, transactionalId);
            }
        }
        if (denied != null) {
            Parts.removeAll(request.transactionalIds(), denied);
        }
        List<String> refused = denied;
        if (refused != null && request.transactionalIds().isEmpty()) {
            DescribeTransactionsResponseData response = new DescribeTransactionsResponseData();
            refused.forEach(id -> response.transactionStates().add(denied(id)));
            return new Verdict.Respond(response);
        }
        return new Verdict.Forward(refused == null ? null : request, edit -> {
            DescribeTransactionsResponseData response = (DescribeTransactionsResponseData) edit;
            for (TransactionState state : response.transactionStates()) {
                for (Iterator<TopicData> it = state.topics().iterator(); it.hasNext(); ) {
                    if (!access.allowed(AclOperation.DESCRIBE, ResourceType.TOPIC, it.next().topic())) {
                        it.remove();
                    }
                }
            }
            if (refused != null) {
                refused.forEach(id -> response.transactionStates().add(denied(id)));
            }
        });
    }

    private static TransactionState denied(String transactionalId) {
        return new TransactionState().setTransactionalId(transactionalId).setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code());
    }
}
