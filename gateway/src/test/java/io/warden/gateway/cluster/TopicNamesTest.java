package io.warden.gateway.cluster;

import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** How a request's unknown topic ids are looked up: once each, together, and no more than a bounded number. */
class TopicNamesTest {

    private final List<Set<Uuid>> lookups = new ArrayList<>();
    private final Uuid known = Uuid.randomUuid();
    private final TopicNames names = new TopicNames(ids -> {
        lookups.add(Set.copyOf(ids));
        return CompletableFuture.completedFuture(ids.contains(known) ? Map.of(known, "orders") : Map.of());
    });

    @Test
    void aRequestsUnknownIdsAreLookedUpOnceEachInOneLookup() throws Exception {
        Uuid cached = Uuid.randomUuid();
        names.learn(cached, "payments");
        Uuid missing = Uuid.randomUuid();
        names.resolveAll(List.of(known, missing, known, cached, missing, known)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(lookups).containsExactly(Set.of(known, missing));
        assertThat(names.cached(known)).contains("orders");
        assertThat(names.cached(missing)).isEmpty();
    }

    @Test
    void aRequestListingAnyNumberOfMadeUpIdsCostsOneBoundedLookup() throws Exception {
        List<Uuid> ids = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            ids.add(Uuid.randomUuid());
        }
        names.resolveAll(ids).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(lookups).hasSize(1);
        assertThat(lookups.get(0)).hasSize(TopicNames.MAX_LOOKUP_PER_REQUEST);
    }

    @Test
    void nothingIsLookedUpWhenEveryIdIsCached() throws Exception {
        names.learn(known, "orders");
        names.resolveAll(List.of(known, known)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(lookups).isEmpty();
    }

    @Test
    void aFailedLookupCompletesWithTheIdsStillUnknown() throws Exception {
        TopicNames failing = new TopicNames(ids -> CompletableFuture.failedFuture(new IllegalStateException("cluster unreachable")));
        failing.resolveAll(List.of(known)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(failing.cached(known)).isEmpty();
        TopicNames throwing = new TopicNames(ids -> {
            throw new IllegalStateException("cannot create the metadata client");
        });
        throwing.resolveAll(List.of(known)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(throwing.cached(known)).isEmpty();
    }

    @Test
    void theCacheHoldsNoMoreThanItsBoundAndKeepsTheIdJustLearned() {
        TopicNames bounded = new TopicNames(ids -> CompletableFuture.completedFuture(Map.of()), 100);
        Uuid last = null;
        for (int i = 0; i < 10_000; i++) {
            last = Uuid.randomUuid();
            bounded.learn(last, "topic-" + i);
        }
        assertThat(bounded.size()).isEqualTo(100);
        assertThat(bounded.cached(last)).contains("topic-9999");
    }

    @Test
    void theDefaultBoundIsWhatTheCacheHolds() {
        for (int i = 0; i < TopicNames.MAX_CACHED + 1_000; i++) {
            names.learn(Uuid.randomUuid(), "t");
        }
        assertThat(names.size()).isEqualTo(TopicNames.MAX_CACHED);
    }
}
