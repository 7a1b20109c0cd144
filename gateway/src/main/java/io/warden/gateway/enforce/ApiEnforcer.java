package io.warden.gateway.enforce;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiMessage;

import java.util.Collection;
import java.util.List;

/**
 * Kafka's authorization checks for one API (as KafkaApis makes them), applied by the gateway before the request
 * reaches a broker: which resources the request touches, which operation each needs, and what a client is told about
 * the parts it may not touch — exactly what Kafka would tell it, including not whether a hidden topic exists.
 */
public interface ApiEnforcer {

    Verdict enforce(Access access, short version, ApiMessage request);

    /** Topic ids the request names, resolved to names before {@link #enforce} runs. */
    default Collection<Uuid> topicIds(short version, ApiMessage request) {
        return List.of();
    }
}
