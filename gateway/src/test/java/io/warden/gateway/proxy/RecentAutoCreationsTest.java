package io.warden.gateway.proxy;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Which missing topics are asked of a broker to auto-create, and which are not asked for again yet. */
class RecentAutoCreationsTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final RecentAutoCreations recent = new RecentAutoCreations(Duration.ofSeconds(1), 3);

    @Test
    void aTopicIsNotAskedForAgainWhileItsRequestIsOutNorForASecondAfterItsAnswer() {
        long t = 42;
        assertThat(recent.claim(List.of("a"), t)).containsExactly("a");
        // its request takes long: still not asked again, whatever the time
        assertThat(recent.claim(List.of("a", "b"), t + 5 * SECOND)).containsExactly("b");

        recent.answered(List.of("a"), t + 6 * SECOND);
        assertThat(recent.claim(List.of("a"), t + 6 * SECOND + SECOND - 1)).isEmpty();
        assertThat(recent.claim(List.of("a"), t + 7 * SECOND)).containsExactly("a");
    }

    @Test
    void aTopicIsRememberedOnlyWithinTheCapacityAndForgottenOnceQuiet() {
        long t = -SECOND / 2; // System.nanoTime may be negative
        assertThat(recent.claim(List.of("a", "b", "c", "d"), t)).containsExactly("a", "b", "c");
        assertThat(recent.size()).isEqualTo(3);
        // full: a topic not remembered is not asked for now; the client asks again
        assertThat(recent.claim(List.of("d"), t)).isEmpty();

        recent.answered(List.of("a", "b"), t);
        assertThat(recent.claim(List.of("d"), t + SECOND - 1)).as("still full while a and b are quiet").isEmpty();
        assertThat(recent.claim(List.of("d"), t + SECOND)).containsExactly("d");
        assertThat(recent.size()).as("a and b forgotten, c in flight, d claimed").isEqualTo(2);
    }

    @Test
    void answeringTopicsNotClaimedChangesNothing() {
        recent.answered(List.of("x"), 0);
        assertThat(recent.size()).isZero();
        assertThat(recent.claim(List.of("x"), 0)).containsExactly("x");
    }

    @Test
    void clientsOnManyThreadsAskingForTheSameTopicAtOnceHaveItAskedForOnce() throws Exception {
        RecentAutoCreations shared = new RecentAutoCreations();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<String>>> claims = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                claims.add(threads.submit(() -> {
                    start.await();
                    return shared.claim(List.of("orders.new"));
                }));
            }
            start.countDown();
            List<String> claimed = new ArrayList<>();
            for (Future<List<String>> claim : claims) {
                claimed.addAll(claim.get(10, TimeUnit.SECONDS));
            }
            assertThat(claimed).containsExactly("orders.new");
        } finally {
            threads.shutdownNow();
        }
    }
}
