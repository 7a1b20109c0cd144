package io.warden.gateway.enforce;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;

/**
 * Kafka's own answer to a request that fails as a whole ({@code AbstractRequest#getErrorResponse}), which KafkaApis
 * and ControllerApis send when a request-level check fails, e.g. {@code authorizeClusterOperation}. Built from the
 * request itself so that it has exactly the shape Kafka gives it (per-partition errors included). Only denied
 * requests come here, so the re-encoding this takes is off the hot path.
 */
final class KafkaErrorResponse {

    private KafkaErrorResponse() {
    }

    static ApiMessage of(ApiKeys api, short version, ApiMessage request, Errors error) {
        AbstractRequest parsed = AbstractRequest.parseRequest(api, version, MessageUtil.toByteBufferAccessor(request, version)).request;
        return parsed.getErrorResponse(0, error.exception()).data();
    }
}
