package io.warden.gateway.admin;

import io.warden.authn.store.CredentialStore;
import io.warden.gateway.enforce.Access;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.CredentialInfo;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.DescribeUserScramCredentialsResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * DescribeUserScramCredentials (KIP-554) answered from the gateway's own users: clients log in to the gateway with
 * those, so they are the SCRAM credentials of this endpoint, and the brokers' (the gateway's own service login among
 * them) are none of a client's business. Answered as Kafka answers it: every user with a credential when none is
 * named; a named user without one is {@code RESOURCE_NOT_FOUND}, a user named twice {@code DUPLICATE_RESOURCE}.
 * Only the mechanism and iteration count of each credential are told, never a salt or key.
 */
public final class ScramCredentialsAnswer {

    private ScramCredentialsAnswer() {
    }

    /**
     * The answer to {@code request}; with a policy, only for a principal that may DESCRIBE the cluster, as Kafka asks.
     *
     * @param access the principal's rights, null without a policy
     * @param store  the gateway's SCRAM credentials; null when it has none (no SCRAM or PLAIN users configured)
     */
    public static ApiMessage answer(AbstractRequest request, Access access, CredentialStore store) {
        if (access != null && !access.allowedOnCluster(AclOperation.DESCRIBE)) {
            return KafkaAclRequests.denied(request, AclOperation.DESCRIBE);
        }
        return answer((DescribeUserScramCredentialsRequestData) request.data(), store);
    }

    static DescribeUserScramCredentialsResponseData answer(DescribeUserScramCredentialsRequestData request, CredentialStore store) {
        List<DescribeUserScramCredentialsResult> results = new ArrayList<>();
        if (request.users() == null || request.users().isEmpty()) {
            for (String user : store == null ? Set.<String>of() : new TreeSet<>(store.users())) {
                List<CredentialInfo> infos = credentials(store, user);
                if (!infos.isEmpty()) {
                    results.add(new DescribeUserScramCredentialsResult().setUser(user).setCredentialInfos(infos));
                }
            }
            return new DescribeUserScramCredentialsResponseData().setResults(results);
        }
        Map<String, Integer> named = new LinkedHashMap<>(); // one result per user, as Kafka gives
        request.users().forEach(u -> named.merge(u.name(), 1, Integer::sum));
        named.forEach((user, times) -> {
            DescribeUserScramCredentialsResult result = new DescribeUserScramCredentialsResult().setUser(user);
            List<CredentialInfo> infos = store == null ? List.of() : credentials(store, user);
            if (times > 1) {
                result.setErrorCode(Errors.DUPLICATE_RESOURCE.code())
                        .setErrorMessage("Cannot describe SCRAM credentials for the same user twice in a single request: " + user);
            } else if (infos.isEmpty()) {
                result.setErrorCode(Errors.RESOURCE_NOT_FOUND.code())
                        .setErrorMessage("Attempt to describe a user credential that does not exist: " + user);
            } else {
                result.setCredentialInfos(infos);
            }
            results.add(result);
        });
        return new DescribeUserScramCredentialsResponseData().setResults(results);
    }

    private static List<CredentialInfo> credentials(CredentialStore store, String user) {
        List<CredentialInfo> infos = new ArrayList<>();
        for (ScramMechanism mechanism : List.of(ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512)) {
            store.credential(user, mechanism).ifPresent(c -> infos.add(new CredentialInfo()
                    .setMechanism(org.apache.kafka.clients.admin.ScramMechanism.fromMechanismName(mechanism.mechanismName()).type())
                    .setIterations(c.iterations())));
        }
        return infos;
    }
}
