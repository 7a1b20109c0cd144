package io.warden.gateway.enforce;

import io.warden.authz.AclAuthorizer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;

import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/** {@link Access} for one request: a principal and host checked against one policy snapshot. */
public final class AuthorizerAccess implements Access {

    private final AclAuthorizer authorizer;
    private final String principal;
    private final String host;
    private final Function<Uuid, Optional<String>> topicNames;
    private final BooleanSupplier clusterAutoCreatesTopics;

    public AuthorizerAccess(AclAuthorizer authorizer, String principal, String host, Function<Uuid, Optional<String>> topicNames) {
        this(authorizer, principal, host, topicNames, () -> true);
    }

    public AuthorizerAccess(AclAuthorizer authorizer, String principal, String host, Function<Uuid, Optional<String>> topicNames,
                            BooleanSupplier clusterAutoCreatesTopics) {
        this.authorizer = authorizer;
        this.principal = principal;
        this.host = host;
        this.topicNames = topicNames;
        this.clusterAutoCreatesTopics = clusterAutoCreatesTopics;
    }

    @Override
    public String principal() {
        return principal;
    }

    @Override
    public boolean allowed(AclOperation operation, ResourceType type, String name) {
        return authorizer.authorize(principal, host, operation, type, name).allowed();
    }

    @Override
    public boolean allowedOnAny(AclOperation operation, ResourceType type) {
        return authorizer.authorizeByResourceType(principal, host, operation, type);
    }

    @Override
    public Optional<String> topicName(Uuid id) {
        return topicNames.apply(id);
    }

    @Override
    public boolean clusterAutoCreatesTopics() {
        return clusterAutoCreatesTopics.getAsBoolean();
    }
}
