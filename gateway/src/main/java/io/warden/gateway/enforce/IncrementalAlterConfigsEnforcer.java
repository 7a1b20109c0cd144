package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

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
        List<AlterConfigsResource> denied = null;
        List<Errors> errors = null;
        for (AlterConfigsResource resource : request.resources()) {
            Errors error = ConfigResourceAcls.check(access, AclOperation.ALTER_CONFIGS, resource.resourceType(), resource.resourceName(), true);
            if (error != null && error != Errors.NONE) {
                denied = Parts.add(denied, resource);
                errors = Parts.add(errors, error);
            }
        }
        if (denied == null) {
            return Verdict.FORWARD;
        }
        Set<ConfigResourceAcls.Key> repeated = Parts.repeated(request.resources(), r -> new ConfigResourceAcls.Key(r.resourceType(), r.resourceName()));
        List<AlterConfigsResourceResponse> results = new ArrayList<>();
        List<AlterConfigsResource> refused = new ArrayList<>();
        for (int i = 0; i < denied.size(); i++) {
            AlterConfigsResource resource = denied.get(i);
            if (!repeated.contains(new ConfigResourceAcls.Key(resource.resourceType(), resource.resourceName()))) {
                refused.add(resource);
                results.add(new AlterConfigsResourceResponse().setResourceType(resource.resourceType())
                        .setResourceName(resource.resourceName()).setErrorCode(errors.get(i).code()).setErrorMessage(errors.get(i).message()));
            }
        }
        if (refused.isEmpty()) {
            return Verdict.FORWARD;
        }
        Parts.removeAll(request.resources(), refused);
        if (request.resources().isEmpty()) {
            return new Verdict.Respond(new IncrementalAlterConfigsResponseData().setResponses(results));
        }
        return new Verdict.Forward(request, edit -> ((IncrementalAlterConfigsResponseData) edit).responses().addAll(results));
    }
}
