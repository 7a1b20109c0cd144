package io.warden.gateway.cluster;

import org.apache.kafka.common.Uuid;

import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Topic id to topic name, learned from Metadata responses passing through the gateway and looked up from the
 * cluster on a miss. Requests that name topics by id (Fetch v13+, Produce v13+, OffsetCommit v10+) are resolved
 * here before anything checks or records them. Holds at most {@link #MAX_CACHED} ids: beyond that an arbitrary one
 * is forgotten for each new one, which costs only a lookup should it be named again. Thread-safe.
 */
public final class TopicNames {

    /**
     * The most ids one request may have looked up from the cluster; further ones stay unknown (and are answered
     * UNKNOWN_TOPIC_ID), so a request listing many made-up ids costs one bounded lookup, as any request does.
     */
    public static final int MAX_LOOKUP_PER_REQUEST = 1000;

    /** The most ids held; far more topics than a cluster has, so eviction happens only when something floods it. */
    public static final int MAX_CACHED = 100_000;

    private final Map<Uuid, String> names = new ConcurrentHashMap<>();
    private final int maxCached;
    /** Names of ids from the cluster, in one metadata request; ids it does not know are absent from the result. */
    private final Function<Set<Uuid>, CompletionStage<Map<Uuid, String>>> lookup;

    public TopicNames(ClusterMetadataClient cluster) {
        this(cluster::topicNames);
    }

    TopicNames(Function<Set<Uuid>, CompletionStage<Map<Uuid, String>>> lookup) {
        this(lookup, MAX_CACHED);
    }

    TopicNames(Function<Set<Uuid>, CompletionStage<Map<Uuid, String>>> lookup, int maxCached) {
        this.lookup = lookup;
        this.maxCached = maxCached;
    }

    public void learn(Uuid id, String name) {
        if (id == null || Uuid.ZERO_UUID.equals(id) || name == null) {
            return;
        }
        if (names.put(id, name) == null) {
            evictBeyondMax(id);
        }
    }

    /** Random ids hash evenly, so the first in iteration order is as good a victim as any and costs nothing to find. */
    private void evictBeyondMax(Uuid learned) {
        Iterator<Uuid> ids = names.keySet().iterator();
        while (names.size() > maxCached && ids.hasNext()) {
            if (!ids.next().equals(learned)) {
                ids.remove();
            }
        }
    }

    /** How many ids are cached. */
    int size() {
        return names.size();
    }

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

    /** The name if already known, without any lookup. */
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
        return lookup.apply(Set.of(id)).thenApply(found -> {
            found.forEach(this::learn);
            return Optional.ofNullable(found.get(id));
        });
    }

    /**
     * The ids of one request that are not cached, each once and at most {@link #MAX_LOOKUP_PER_REQUEST} of them: what
     * {@link #lookUp} is to fetch. Empty (allocating nothing) when every id is known, as on almost every request.
     */
    public Set<Uuid> missing(Collection<Uuid> ids) {
        Set<Uuid> missing = Set.of();
        for (Uuid id : ids) {
            if (!names.containsKey(id)) {
                if (missing.isEmpty()) {
                    missing = new LinkedHashSet<>();
                }
                missing.add(id);
                if (missing.size() == MAX_LOOKUP_PER_REQUEST) {
                    break;
                }
            }
        }
        return missing;
    }

    /**
     * Looks these ids up in one metadata request. Completes (normally, even when the lookup fails) once the names
     * found are learned; ids still unknown then are unknown to the cluster.
     */
    public CompletionStage<Void> lookUp(Set<Uuid> missing) {
        if (missing.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletionStage<Map<Uuid, String>> found;
        try {
            found = lookup.apply(missing);
        } catch (RuntimeException e) {
            found = CompletableFuture.failedFuture(e);
        }
        return found.handle((byId, error) -> {
            if (byId != null) {
                byId.forEach(this::learn);
            }
            return null;
        });
    }

    /** {@link #lookUp} of the {@link #missing} ids of one request. */
    public CompletionStage<Void> resolveAll(Collection<Uuid> ids) {
        return lookUp(missing(ids));
    }
}
