package io.warden.gateway.cluster;

import org.apache.kafka.common.Uuid;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Topic id to topic name, learned from Metadata responses passing through the gateway and looked up from the
 * cluster on a miss. Requests that name topics by id (Fetch v13+, Produce v13+, OffsetCommit v10+) are resolved
 * here before anything checks or records them. Thread-safe.
 */
public final class TopicNames {

    private final Map<Uuid, String> names = new ConcurrentHashMap<>();
    private final ClusterMetadataClient cluster;

    public TopicNames(ClusterMetadataClient cluster) {
        this.cluster = cluster;
    }

    public void learn(Uuid id, String name) {
        if (id != null && !Uuid.ZERO_UUID.equals(id) && name != null) {
            names.put(id, name);
        }
    }

    /** The name if already known, without any lookup. */
    /**
     * How a request names a topic, for audit and metrics: its name when it carries one (older versions), else the
     * cached name of its id, else the id itself; empty when it carries neither.
     */
    public String nameOf(String name, Uuid id) {
        if (name != null && !name.isEmpty()) {
            return name;
        }
        if (id == null || Uuid.ZERO_UUID.equals(id)) {
            return "";
        }
        return cached(id).orElse(id.toString());
    }

    public Optional<String> cached(Uuid id) {
        return Optional.ofNullable(names.get(id));
    }

    /**
     * The name of a topic id: from the cache, else from a metadata lookup on the cluster. Completes with empty when
     * the cluster does not know the id (a deleted topic, or one that never existed).
     */
    public CompletionStage<Optional<String>> resolve(Uuid id) {
        String known = names.get(id);
        if (known != null) {
            return CompletableFuture.completedFuture(Optional.of(known));
        }
        return cluster.topicNames(Set.of(id)).thenApply(found -> {
            found.forEach(this::learn);
            return Optional.ofNullable(found.get(id));
        });
    }
}
