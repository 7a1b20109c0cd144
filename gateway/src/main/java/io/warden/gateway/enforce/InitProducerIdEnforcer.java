package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;

/**
 * InitProducerId (KafkaApis.handleInitProducerIdRequest): with a transactional id, WRITE on it, and for a two-phase
 * commit producer (v6+ enable2Pc, KIP-939) also TWO_PHASE_COMMIT on it, else TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
 * without one (an idempotent producer), IDEMPOTENT_WRITE on the cluster or WRITE on some topic, else
 * CLUSTER_AUTHORIZATION_FAILED. A denied request is answered here, as Kafka answers it (no producer id or epoch).
 */
final class InitProducerIdEnforcer implements ApiEnforcer {

    /** First version with the enable2Pc flag. */
    static final short TWO_PHASE_COMMIT = 6;

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        InitProducerIdRequestData request = (InitProducerIdRequestData) message;
        String transactionalId = request.transactionalId();
        Errors error = Errors.NONE;
        if (transactionalId != null) {
            if (!access.allowed(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, transactionalId)
                    || version >= TWO_PHASE_COMMIT && request.enable2Pc()
                    && !access.allowed(AclOperation.TWO_PHASE_COMMIT, ResourceType.TRANSACTIONAL_ID, transactionalId)) {
                error = Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
            }
        } else if (!access.allowedOnCluster(AclOperation.IDEMPOTENT_WRITE) && !access.allowedOnAny(AclOperation.WRITE, ResourceType.TOPIC)) {
            error = Errors.CLUSTER_AUTHORIZATION_FAILED;
        }
        if (error == Errors.NONE) {
            return Verdict.FORWARD;
        }
        return new Verdict.Respond(KafkaErrorResponse.of(ApiKeys.INIT_PRODUCER_ID, version, request, error));
    }
}
