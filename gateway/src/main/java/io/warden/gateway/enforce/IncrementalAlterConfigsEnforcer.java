package io.warden.gateway.enforce;

import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiMessage;

import java.util.List;

/**
 * IncrementalAlterConfigs (KafkaApis.handleIncrementalAlterConfigsRequest, ConfigAdminManager.preprocess,
 * ControllerApis.handleIncrementalAlterConfigs): ALTER_CONFIGS on the cluster for broker, broker-logger and
 * client-metrics resources, on the topic or group for theirs (see {@link ConfigResourceAcls}); a denied resource gets
 * its authorization error. A resource named twice and an unknown type are left to the broker, which answers
 * INVALID_REQUEST for them before any check and changes nothing.
 */
final class IncrementalAlterConfigsEnforcer implements ApiEnforcer {

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        IncrementalAlterConfigsRequestData request = (IncrementalAlterConfigsRequestData) message;
        List<ConfigResourceAcls.Refusal> refused = ConfigResourceAcls.refuseDenied(access, request.resources(),
                AlterConfigsResource::resourceType, AlterConfigsResource::resourceName, true);
        if (refused.isEmpty()) {
            return Verdict.FORWARD;
        }
        List<AlterConfigsResourceResponse> results = refused.stream().map(r -> new AlterConfigsResourceResponse()
                .setResourceType(r.type()).setResourceName(r.name())
                .setErrorCode(r.error().code()).setErrorMessage(r.error().message())).toList();
        if (request.resources().isEmpty()) {
            return new Verdict.Respond(new IncrementalAlterConfigsResponseData().setResponses(new java.util.ArrayList<>(results)));
        }
        return new Verdict.Forward(request, edit -> ((IncrementalAlterConfigsResponseData) edit).responses().addAll(results));
    }
}
