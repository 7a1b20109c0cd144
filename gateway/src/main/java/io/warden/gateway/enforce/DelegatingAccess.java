package io.warden.gateway.enforce;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;

import java.util.Optional;

/** An {@link Access} that passes every question on to another; subclasses change what they must. */
public abstract class DelegatingAccess implements Access {

    protected final Access delegate;

    protected DelegatingAccess(Access delegate) {
        this.delegate = delegate;
    }

    @Override
    public String principal() {
        return delegate.principal();
    }

    @Override
    public boolean allowed(AclOperation operation, ResourceType type, String name) {
        return delegate.allowed(operation, type, name);
    }

    @Override
    public boolean reserved(AclOperation operation, String topic) {
        return delegate.reserved(operation, topic);
    }

    @Override
    public boolean allowedOnAny(AclOperation operation, ResourceType type) {
        return delegate.allowedOnAny(operation, type);
    }

    @Override
    public Optional<String> topicName(Uuid id) {
        return delegate.topicName(id);
    }

    @Override
    public boolean clusterAutoCreatesTopics() {
        return delegate.clusterAutoCreatesTopics();
    }
}
