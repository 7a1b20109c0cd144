package io.warden.gateway.enforce;

import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An {@link Access} that remembers every check it denied, as {@code OPERATION TYPE:name}, so that a refusal can be
 * audited with the resources it concerned. Authorized-operations bit fields only report and are not remembered.
 */
public final class RecordingAccess extends DelegatingAccess {

    /** At most this many denials are remembered. */
    static final int MAX_REMEMBERED = 32;

    private List<String> denied;

    public RecordingAccess(Access delegate) {
        super(delegate);
    }

    @Override
    public boolean allowed(AclOperation operation, ResourceType type, String name) {
        boolean allowed = delegate.allowed(operation, type, name);
        if (!allowed) {
            remember(operation, type, name);
        }
        return allowed;
    }

    @Override
    public boolean reserved(AclOperation operation, String topic) {
        boolean reserved = delegate.reserved(operation, topic);
        if (reserved) {
            remember(operation, ResourceType.TOPIC, topic);
        }
        return reserved;
    }

    private void remember(AclOperation operation, ResourceType type, String name) {
        if (denied == null) {
            denied = new ArrayList<>();
        }
        if (denied.size() < MAX_REMEMBERED) {
            denied.add(operation.name() + " " + type.name().toLowerCase(Locale.ROOT) + ":" + name);
        }
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
