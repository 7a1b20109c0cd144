package io.warden.gateway.enforce;

import io.warden.authz.AclAuthorizer;
import io.warden.gateway.auth.Authorization;
import io.warden.policies.PolicyParser;
import org.apache.kafka.common.Uuid;

import java.util.Optional;
import java.util.function.Function;

/** {@link Access} from a policy document's text, as scenario files give it. */
final class PolicyAccess {

    private PolicyAccess() {
    }

    static Access of(String policyYaml, String principal, String host, Function<Uuid, Optional<String>> topicNames) {
        AclAuthorizer authorizer = new AclAuthorizer(Authorization.toPolicy(PolicyParser.parse("scenario policy", policyYaml)));
        return new AuthorizerAccess(authorizer, principal, host, topicNames);
    }
}
