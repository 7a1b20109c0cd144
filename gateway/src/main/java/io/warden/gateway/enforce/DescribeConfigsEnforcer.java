package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;

import java.util.ArrayList;
import java.util.List;

/**
 * DescribeConfigs (ConfigHelper.handleDescribeConfigsRequest): DESCRIBE_CONFIGS on the cluster for broker,
 * broker-logger and client-metrics resources, on the topic or group for theirs (see {@link ConfigResourceAcls}). A
 * denied resource gets its authorization error and message and no configs; the others go to the broker. A request
 * naming an unknown resource type goes to the broker untouched: Kafka fails all of it with INVALID_REQUEST.
 */
final class DescribeConfigsEnforcer implements ApiEnforcer {

    @Override
    public Verdict enforce(Access access, short version, ApiMessage message) {
        DescribeConfigsRequestData request = (DescribeConfigsRequestData) message;
        List<DescribeConfigsResource> denied = null;
        List<Errors> errors = null;
        for (DescribeConfigsResource resource : request.resources()) {
            Errors error = ConfigResourceAcls.check(access, AclOperation.DESCRIBE_CONFIGS, resource.resourceType(), resource.resourceName(), true);
            if (error == null) {
                return Verdict.FORWARD;
            }
            if (error != Errors.NONE) {
                denied = Parts.add(denied, resource);
                errors = Parts.add(errors, error);
            }
        }
        if (denied == null) {
            return Verdict.FORWARD;
        }
        Parts.removeAll(request.resources(), denied);
        List<DescribeConfigsResult> results = new ArrayList<>(denied.size());
        for (int i = 0; i < denied.size(); i++) {
            DescribeConfigsResource resource = denied.get(i);
            Errors error = errors.get(i);
            results.add(new DescribeConfigsResult().setResourceType(resource.resourceType()).setResourceName(resource.resourceName())
                    .setErrorCode(error.code()).setErrorMessage(error.message()).setConfigs(new ArrayList<>()));
        }
        if (request.resources().isEmpty()) {
            return new Verdict.Respond(new DescribeConfigsResponseData().setResults(results));
        }
        return new Verdict.Forward(request, edit -> ((DescribeConfigsResponseData) edit).results().addAll(results));
    }
}
