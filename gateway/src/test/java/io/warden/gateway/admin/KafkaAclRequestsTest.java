package io.warden.gateway.admin;

import io.warden.audit.AuditUnavailableException;
import io.warden.policies.PolicyException;
import io.warden.policies.PolicyParser;
import io.warden.policies.store.PolicyConflictException;
import io.warden.policies.store.PolicyStoreException;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class KafkaAclRequestsTest {

    /** A refused ACL edit is answered with the error a broker would give for the same kind of failure. */
    @Test
    void aRefusedEditIsAnsweredWithTheErrorOfItsKind() {
        assertThat(KafkaAclRequests.error(new AuditUnavailableException("audit sink failed"))).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        assertThat(KafkaAclRequests.error(new PolicyStoreException("cannot write the history"))).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        PolicyException invalid = catchThrowableOfType(PolicyException.class, () -> PolicyParser.parse("policy", "acls: [1"));
        assertThat(KafkaAclRequests.error(invalid)).isEqualTo(Errors.POLICY_VIOLATION);
        assertThat(KafkaAclRequests.error(new PolicyConflictException(1, 2))).isEqualTo(Errors.UNKNOWN_SERVER_ERROR);
        assertThat(Errors.KAFKA_STORAGE_ERROR.exception()).isInstanceOf(org.apache.kafka.common.errors.RetriableException.class);
    }
}
