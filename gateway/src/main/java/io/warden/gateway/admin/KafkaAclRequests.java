package io.warden.gateway.admin;

import io.warden.gateway.enforce.Access;
import io.warden.policies.AclValidation;
import io.warden.policies.store.PolicyStore;
import io.warden.policies.store.PolicyStoreException;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.message.DescribeAclsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.CreateAclsRequest;
import org.apache.kafka.common.requests.DeleteAclsRequest;
import org.apache.kafka.common.requests.DeleteAclsResponse;
import org.apache.kafka.common.requests.DescribeAclsRequest;
import org.apache.kafka.common.requests.DescribeAclsResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Kafka's own ACL administration — CreateAcls, DescribeAcls, DeleteAcls, as {@code kafka-acls --bootstrap-server} and
 * {@code Admin.createAcls} send them — answered by the gateway from and into its own policy, never forwarded.
 * Authorized as Kafka authorizes them: ALTER on the cluster to create or delete, DESCRIBE on the cluster to list.
 * Each creation is checked on its own, as a broker does: a bad one is answered with INVALID_REQUEST and its reason,
 * the others are added. Blocking (the policy store); call off the event loop.
 */
public final class KafkaAclRequests {

    private final PolicyAdmin admin;

    public KafkaAclRequests(PolicyAdmin admin) {
        this.admin = admin;
    }

    public static boolean handles(ApiKeys api) {
        return api == ApiKeys.CREATE_ACLS || api == ApiKeys.DESCRIBE_ACLS || api == ApiKeys.DELETE_ACLS;
    }

    /** The response body for {@code request}, made by {@code access}'s principal. */
    public ApiMessage answer(AbstractRequest request, Access access) {
        if (request instanceof DescribeAclsRequest describe) {
            if (!access.allowedOnCluster(AclOperation.DESCRIBE)) {
                return denied(request, AclOperation.DESCRIBE);
            }
            AclBindingFilter filter = describe.filter();
            if (filter.isUnknown()) {
                return new DescribeAclsResponseData().setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("the filter has an unknown resource type, pattern type, operation or permission");
            }
            return new DescribeAclsResponseData().setResources(DescribeAclsResponse.aclsResources(admin.describe(filter)));
        }
        if (!access.allowedOnCluster(AclOperation.ALTER)) {
            return denied(request, AclOperation.ALTER);
        }
        if (request instanceof CreateAclsRequest create) {
            return create(create, access.principal());
        }
        if (request instanceof DeleteAclsRequest delete) {
            return delete(delete, access.principal());
        }
        throw new IllegalArgumentException("not an ACL request: " + request.apiKey());
    }

    private ApiMessage create(CreateAclsRequest request, String principal) {
        List<CreateAclsResponseData.AclCreationResult> results = new ArrayList<>();
        List<AclBinding> valid = new ArrayList<>();
        List<CreateAclsResponseData.AclCreationResult> validResults = new ArrayList<>();
        for (CreateAclsRequestData.AclCreation creation : request.aclCreations()) {
            CreateAclsResponseData.AclCreationResult result = new CreateAclsResponseData.AclCreationResult();
            results.add(result);
            AclBinding binding;
            Optional<String> problem;
            try {
                binding = CreateAclsRequest.aclBinding(creation);
                problem = AclValidation.problem(binding);
            } catch (RuntimeException e) {
                binding = null;
                problem = Optional.of(e.getMessage());
            }
            if (problem.isPresent()) {
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(problem.get());
            } else {
                valid.add(binding);
                validResults.add(result);
            }
        }
        if (!valid.isEmpty()) {
            try {
                admin.addAcls(valid, PolicyStore.ANY_VERSION, principal, PolicyAdmin.KAFKA_ACLS);
            } catch (Exception e) {
                validResults.forEach(r -> r.setErrorCode(error(e).code())
                        .setErrorMessage("the policy could not be changed: " + e.getMessage()));
            }
        }
        return new CreateAclsResponseData().setResults(results);
    }

    private ApiMessage delete(DeleteAclsRequest request, String principal) {
        List<AclBindingFilter> filters = request.filters();
        List<AclBindingFilter> valid = filters.stream().filter(f -> !f.isUnknown()).toList();
        List<AclBinding> removed = List.of();
        String failure = null;
        Errors failed = Errors.NONE;
        if (!valid.isEmpty()) {
            try {
                removed = admin.removeAcls(valid, PolicyStore.ANY_VERSION, principal, PolicyAdmin.KAFKA_ACLS).removed();
            } catch (Exception e) {
                failure = "the policy could not be changed: " + e.getMessage();
                failed = error(e);
            }
        }
        List<DeleteAclsResponseData.DeleteAclsFilterResult> results = new ArrayList<>();
        for (AclBindingFilter filter : filters) {
            DeleteAclsResponseData.DeleteAclsFilterResult result = new DeleteAclsResponseData.DeleteAclsFilterResult();
            if (filter.isUnknown()) {
                result.setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("the filter has an unknown resource type, pattern type, operation or permission");
            } else if (failure != null) {
                result.setErrorCode(failed.code()).setErrorMessage(failure);
            } else {
                List<DeleteAclsResponseData.DeleteAclsMatchingAcl> matching = new ArrayList<>();
                AclBindingFilter kept = AclValidation.canonical(filter); // the hosts the policy keeps
                removed.stream().filter(kept::matches).forEach(b -> matching.add(DeleteAclsResponse.matchingAcl(b, ApiError.NONE)));
                result.setMatchingAcls(matching);
            }
            results.add(result);
        }
        return new DeleteAclsResponseData().setFilterResults(results);
    }

    /**
     * The error an ACL edit the policy did not take is answered with. Where a broker could have failed the same way, as
     * it would answer: {@code KAFKA_STORAGE_ERROR}, which clients may retry, when the audit trail could not take the
     * edit's event (as a Produce refused for that reason gets) or the policy store could not write the new version;
     * {@code POLICY_VIOLATION} when the policy could not hold the change (over its size limits). Anything else is
     * {@code UNKNOWN_SERVER_ERROR}.
     */
    static Errors error(Exception failure) {
        if (failure instanceof io.warden.audit.AuditUnavailableException || failure instanceof PolicyStoreException) {
            return Errors.KAFKA_STORAGE_ERROR;
        }
        if (failure instanceof io.warden.policies.PolicyException) {
            return Errors.POLICY_VIOLATION;
        }
        return Errors.UNKNOWN_SERVER_ERROR;
    }

    /** The request's answer when the principal may not perform {@code needed} on the cluster. */
    static ApiMessage denied(AbstractRequest request, AclOperation needed) {
        return request.getErrorResponse(0, new ClusterAuthorizationException(
                "Cluster authorization failed: " + needed + " on the cluster is needed")).data();
    }
}
