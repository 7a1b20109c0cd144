package io.warden.gateway.enforce;

import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiMessage;

import java.util.List;

/**
 * AlterConfigs, the legacy API (KafkaApis.handleAlterConfigsRequest, ConfigAdminManager.preprocess,
 * ControllerApis.handleLegacyAlterConfigs): ALTER_CONFIGS on the cluster for broker and client-metrics resources, on
 * the topic or group for theirs (see {@link ConfigResourceAcls}); a denied resource gets its authorization error. A
 * resource named twice, a broker logger and an unknown type are left to the broker, which answers INVALID_REQUEST
 * for them before any check and changes nothing.
 */
final class AlterConfigsEnforcer implements ApiEnforcer {

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        AlterConfigsRequestData request = (AlterConfigsRequestData) message;
        List<ConfigResourceAcls.Refusal> refused = ConfigResourceAcls.refuseDenied(access, request.resources(),
                AlterConfigsResource::resourceType, AlterConfigsResource::resourceName, false);
        if (refused.isEmpty()) {
            return Verdict.FORWARD;
        }
        List<AlterConfigsResourceResponse> results = refused.stream().map(r -> new AlterConfigsResourceResponse()
                .setResourceType(r.type()).setResourceName(r.name())
                .setErrorCode(r.error().code()).setErrorMessage(r.error().message())).toList();
        if (request.resources().isEmpty()) {
            return new Verdict.Respond(new AlterConfigsResponseData().setResponses(new java.util.ArrayList<>(results)));
        }
        return new Verdict.Forward(request, edit -> ((AlterConfigsResponseData) edit).responses().addAll(results));
    }
}
