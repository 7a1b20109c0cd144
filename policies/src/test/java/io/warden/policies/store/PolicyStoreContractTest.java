package io.warden.policies.store;

import io.warden.policies.PolicyDocument;
import io.warden.policies.PolicyParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * What every {@link PolicyStore} promises, run against each store: numbering, optimistic changes, history,
 * listeners, several stores on one backing (gateways sharing a policy), races, and closing.
 */
abstract class PolicyStoreContractTest {

    /** How long a second store on the same backing may take to see a change. */
    static final Duration CONVERGENCE = Duration.ofSeconds(10);

    private final List<PolicyStore> opened = new CopyOnWriteArrayList<>();

    /** A store on a new backing (a file, a topic) whose version 1 is {@code initial}. */
    protected abstract PolicyStore newStore(PolicyDocument initial) throws Exception;

    /** Another store on the backing of {@code store}, as a second gateway would open it. */
    protected abstract PolicyStore sameBacking(PolicyStore store) throws Exception;

    /** Whether the threads (and clients) of a closed store are gone. */
    protected abstract boolean resourcesReleased(PolicyStore store);

    /** A policy granting read on one topic; a different topic is a different policy. */
    static PolicyDocument readOn(String topic) {
        return PolicyParser.parse("test", "superUsers: [User:admin]\nacls:\n  - principal: User:alice\n"
                + "    operations: [read]\n    topic: " + topic + "\n");
    }

    private PolicyStore open(PolicyDocument initial) throws Exception {
        return track(newStore(initial));
    }

    private PolicyStore second(PolicyStore store) throws Exception {
        return track(sameBacking(store));
    }

    /** Closes {@code store} after the test. */
    protected PolicyStore track(PolicyStore store) {
        opened.add(store);
        return store;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(PolicyStore::close);
    }

    private static void awaitVersion(PolicyStore store, long version, PolicyDocument document) {
        await().atMost(CONVERGENCE).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            assertThat(store.current().version()).isEqualTo(version);
            assertThat(store.current().document().sameRulesAs(document)).isTrue();
        });
    }

    @Test
    void versionsStartAtOneAndGrowByOne() throws Exception {
        PolicyStore store = open(readOn("t1"));

        assertThat(store.current().version()).isEqualTo(1);
        assertThat(store.current().document().sameRulesAs(readOn("t1"))).isTrue();
        for (int n = 2; n <= 4; n++) {
            PolicyVersion v = store.apply(readOn("t" + n), n - 1, "User:alice", "change " + n);

            assertThat(v.version()).isEqualTo(n);
            assertThat(v.document().sameRulesAs(readOn("t" + n))).isTrue();
            assertThat(store.current()).isEqualTo(v);
        }
        assertThat(store.history()).extracting(PolicyVersion::version).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void aChangeAgainstAStaleVersionConflictsAndNamesBothVersions() throws Exception {
        PolicyStore store = open(readOn("t1"));
        PolicyVersion v2 = store.apply(readOn("t2"), 1, "User:alice", "");

        PolicyConflictException stale = catchThrowableOfType(PolicyConflictException.class,
                () -> store.apply(readOn("t3"), 1, "User:bob", ""));
        PolicyConflictException ahead = catchThrowableOfType(PolicyConflictException.class,
                () -> store.apply(readOn("t3"), 7, "User:bob", ""));

        assertThat(stale).isNotNull();
        assertThat(stale.expectedVersion()).isEqualTo(1);
        assertThat(stale.currentVersion()).isEqualTo(2);
        assertThat(stale.getMessage()).contains("version 1", "version is 2");
        assertThat(ahead).isNotNull();
        assertThat(ahead.expectedVersion()).isEqualTo(7);
        assertThat(ahead.currentVersion()).isEqualTo(2);
        assertThat(store.current()).isEqualTo(v2);
        assertThat(store.history()).hasSize(2);
    }

    @Test
    void anyVersionAlwaysApplies() throws Exception {
        PolicyStore a = open(readOn("t1"));
        PolicyStore b = second(a);

        assertThat(a.apply(readOn("t2"), PolicyStore.ANY_VERSION, "User:alice", "").version()).isEqualTo(2);
        // b may not have seen version 2 yet; its change still applies, on top of it
        assertThat(b.apply(readOn("t3"), PolicyStore.ANY_VERSION, "User:bob", "").version()).isEqualTo(3);
        assertThat(a.apply(readOn("t4"), PolicyStore.ANY_VERSION, "User:alice", "").version()).isEqualTo(4);

        awaitVersion(b, 4, readOn("t4"));
        assertThat(b.version(3).orElseThrow().author()).isEqualTo("User:bob");
    }

    @Test
    void historyIsOldestFirstAndEachVersionCanBeLookedUp() throws Exception {
        Instant before = Instant.now().minusSeconds(1);
        PolicyStore store = open(readOn("t1"));
        store.apply(readOn("t2"), 1, "User:alice", "first change");
        store.apply(readOn("t3"), 2, "User:bob", "naïve \"quoted\"\nsecond line");
        store.apply(readOn("t4"), 3, "", "");
        Instant after = Instant.now().plusSeconds(1);

        List<PolicyVersion> history = store.history();

        assertThat(history).extracting(PolicyVersion::version).containsExactly(1L, 2L, 3L, 4L);
        for (PolicyVersion v : history) {
            assertThat(store.version(v.version())).contains(v);
            assertThat(v.document().sameRulesAs(readOn("t" + v.version()))).isTrue();
            assertThat(PolicyParser.parse("yaml", v.yaml()).sameRulesAs(v.document())).isTrue();
            assertThat(v.time()).isBetween(before, after);
        }
        assertThat(history).extracting(PolicyVersion::time).isSorted();
        assertThat(history.get(1).author()).isEqualTo("User:alice");
        assertThat(history.get(1).comment()).isEqualTo("first change");
        assertThat(history.get(2).author()).isEqualTo("User:bob");
        assertThat(history.get(2).comment()).isEqualTo("naïve \"quoted\"\nsecond line");
        assertThat(store.version(0)).isEmpty();
        assertThat(store.version(5)).isEmpty();
        assertThat(store.version(-1)).isEmpty();
    }

    @Test
    void listenersSeeEveryNewVersionOnceAndInOrder() throws Exception {
        PolicyStore a = open(readOn("t1"));
        PolicyStore b = second(a);
        List<Long> seenByA = new CopyOnWriteArrayList<>();
        List<Long> seenByB = new CopyOnWriteArrayList<>();
        a.onChange(v -> seenByA.add(v.version()));
        b.onChange(v -> seenByB.add(v.version()));

        for (int n = 2; n <= 4; n++) {
            a.apply(readOn("t" + n), n - 1, "User:alice", "");
            // told before apply returns
            assertThat(seenByA).last().isEqualTo((long) n);
        }
        awaitVersion(b, 4, readOn("t4"));
        b.apply(readOn("t5"), 4, "User:bob", "");
        b.apply(readOn("t6"), 5, "User:bob", "");
        awaitVersion(a, 6, readOn("t6"));
        Thread.sleep(300);

        assertThat(seenByA).containsExactly(2L, 3L, 4L, 5L, 6L);
        assertThat(seenByB).containsExactly(2L, 3L, 4L, 5L, 6L);
    }

    @Test
    void aSecondStoreOnTheSameBackingConvergesBothWays() throws Exception {
        PolicyStore a = open(readOn("t1"));
        PolicyStore b = second(a);
        assertThat(b.current().version()).isEqualTo(1);
        assertThat(b.current().document().sameRulesAs(readOn("t1"))).isTrue();

        a.apply(readOn("t2"), 1, "User:alice", "from a");
        awaitVersion(b, 2, readOn("t2"));
        b.apply(readOn("t3"), 2, "User:bob", "from b");
        awaitVersion(a, 3, readOn("t3"));

        assertThat(b.history()).isEqualTo(a.history());
        assertThat(a.current().author()).isEqualTo("User:bob");
        assertThat(a.current().comment()).isEqualTo("from b");
        assertThat(a.current().yaml()).isEqualTo(b.current().yaml());
    }

    @Test
    void ofTwoConcurrentChangesFromTwoThreadsExactlyOneWins() throws Exception {
        PolicyStore store = open(readOn("t1"));
        for (int round = 1; round <= 5; round++) {
            race(store, store, round);
        }
    }

    @Test
    void ofTwoConcurrentChangesFromTwoStoresExactlyOneWins() throws Exception {
        PolicyStore a = open(readOn("t1"));
        PolicyStore b = second(a);
        for (int round = 1; round <= 4; round++) {
            PolicyVersion winner = race(a, b, round);
            awaitVersion(a, round + 1, winner.document());
            awaitVersion(b, round + 1, winner.document());
        }
        assertThat(b.history()).isEqualTo(a.history());
    }

    /** Two changes against version {@code base}, at once; returns the one that won. */
    private static PolicyVersion race(PolicyStore first, PolicyStore second, int base) throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<PolicyVersion> x = threads.submit(change(first, start, readOn("x" + base), base, "User:x"));
            Future<PolicyVersion> y = threads.submit(change(second, start, readOn("y" + base), base, "User:y"));
            List<PolicyVersion> won = new ArrayList<>();
            List<PolicyConflictException> lost = new ArrayList<>();
            for (Future<PolicyVersion> f : List.of(x, y)) {
                try {
                    won.add(f.get(30, TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(PolicyConflictException.class);
                    lost.add((PolicyConflictException) e.getCause());
                }
            }
            assertThat(won).as("round %s", base).hasSize(1);
            assertThat(lost).as("round %s", base).hasSize(1);
            assertThat(won.get(0).version()).isEqualTo(base + 1);
            assertThat(lost.get(0).expectedVersion()).isEqualTo(base);
            assertThat(lost.get(0).currentVersion()).isEqualTo(base + 1);
            assertThat(first.version(base + 1).orElseThrow().author()).isEqualTo(won.get(0).author());
            return won.get(0);
        } finally {
            threads.shutdownNow();
        }
    }

    private static Callable<PolicyVersion> change(PolicyStore store, CyclicBarrier start, PolicyDocument doc,
                                                  long base, String author) {
        return () -> {
            start.await(10, TimeUnit.SECONDS);
            return store.apply(doc, base, author, "");
        };
    }

    @Test
    void closeReleasesTheStoresResources() throws Exception {
        PolicyStore store = open(readOn("t1"));
        List<Long> seen = new CopyOnWriteArrayList<>();
        store.onChange(v -> seen.add(v.version()));
        PolicyStore other = second(store);

        store.close();
        other.apply(readOn("t2"), 1, "User:bob", "after the first store closed");

        await().atMost(CONVERGENCE).until(() -> resourcesReleased(store));
        assertThatThrownBy(() -> store.apply(readOn("t3"), PolicyStore.ANY_VERSION, "User:alice", ""))
                .isInstanceOf(IllegalStateException.class);
        store.close();
        Thread.sleep(300);
        assertThat(seen).isEmpty();
        assertThat(store.current().version()).isEqualTo(1);
    }
}
