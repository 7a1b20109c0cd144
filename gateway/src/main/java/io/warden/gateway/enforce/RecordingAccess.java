package io.warden.gateway.enforce;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An {@link Access} that remembers every check it denied, as {@code OPERATION TYPE:name}, so that a refusal can be
 * audited with the resources it concerned. Authorized-operations bit fields only report and are not remembered.
 */
public final class RecordingAccess implements Access {

    /** At most this many denials are remembered. */
    static final int MAX_REMEMBERED = 32;

    private final Access delegate;
    private List<String> denied;

    public RecordingAccess(Access delegate) {
        this.delegate = delegate;
    }

    @Override
    public String principal() {
        return delegate.principal();
    }

    @Override
    public boolean allowed(AclOperation operation, ResourceType type, String name) {
        boolean allowed = delegate.allowed(operation, type, name);
        if (!allowed) {
            if (denied == null) {
                denied = new ArrayList<>();
            }
            if (denied.size() < MAX_REMEMBERED) {
                denied.add(operation.name() + " " + type.name().toLowerCase(Locale.ROOT) + ":" + name);
            }
        }
        return allowed;
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
    public int authorizedOperations(ResourceType type, String name, List<AclOperation> operations) {
        return delegate.authorizedOperations(type, name, operations);
    }

    /** The denied checks, in order, at most {@link #MAX_REMEMBERED}. */
    public List<String> denied() {
        return denied == null ? List.of() : List.copyOf(denied);
    }

}
