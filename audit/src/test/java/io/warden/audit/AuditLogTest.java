package io.warden.audit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class AuditLogTest {

    /** A sink that records what it got and can be held, slowed or made to fail. */
    static class ControlledSink implements AuditSink {
        final List<String> written = Collections.synchronizedList(new ArrayList<>());
        final List<String> flushed = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch release;
        final AtomicBoolean fail = new AtomicBoolean();
        /** Calls of {@link #write}: how many batches the events came in. */
        final AtomicInteger writes = new AtomicInteger();
        final long delayMs;
        volatile boolean closed;

        ControlledSink(CountDownLatch release, long delayMs) {
            this.release = release;
            this.delayMs = delayMs;
        }

        @Override
        public void write(List<EncodedEvent> batch) throws IOException {
            try {
                release.await();
                Thread.sleep(delayMs);
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            if (fail.get()) {
                throw new IOException("disk full");
            }
            writes.incrementAndGet();
            batch.forEach(e -> written.add(e.event().requestId()));
        }

        @Override
        public void flush() {
            synchronized (written) {
                flushed.clear();
                flushed.addAll(written);
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void bestEffortGathersEventsThatArriveCloseTogetherIntoFewWrites() {
        assertThat(writesFor20EventsOneMillisecondApart(TimeUnit.MILLISECONDS.toNanos(100))).isLessThanOrEqualTo(2);
        // Without a linger the writer takes each event as it comes: the same events make many writes.
        assertThat(writesFor20EventsOneMillisecondApart(0)).isGreaterThanOrEqualTo(8);
    }

    /** Batches a best-effort log with this linger writes for 20 events offered 1 ms apart, after a warm-up. */
    private static int writesFor20EventsOneMillisecondApart(long lingerNanos) {
        ControlledSink sink = new ControlledSink(new CountDownLatch(0), 0);
        try (AuditLog log = new AuditLog(AuditLog.Mode.BEST_EFFORT, 1000, 512, List.of(sink), new OcsfEncoder(), lingerNanos)) {
            // First warm the writer (a cold encoder is slow enough to gather events by itself).
            offerSpaced(log, 0, 300, 100_000);
            await().atMost(5, TimeUnit.SECONDS).until(() -> sink.written.size() == 300);
            sink.writes.set(0);
            offerSpaced(log, 300, 20, 1_000_000);
            await().atMost(5, TimeUnit.SECONDS).until(() -> sink.written.size() == 320);
            return sink.writes.get();
        }
    }

    private static void offerSpaced(AuditLog log, int first, int count, long spacingNanos) {
        for (int i = first; i < first + count; i++) {
            assertThat(log.offer(Events.produce(i))).isTrue();
            long next = System.nanoTime() + spacingNanos;
            while (System.nanoTime() < next) {
                Thread.onSpinWait();
            }
        }
    }

    @Test
    void bestEffortNeverBlocksAndCountsWhatItDrops() {
        CountDownLatch held = new CountDownLatch(1);
        ControlledSink sink = new ControlledSink(held, 0);
        AuditLog log = new AuditLog(AuditLog.Mode.BEST_EFFORT, 10, 4, List.of(sink), new OcsfEncoder());
        long start = System.nanoTime();
        int accepted = 0;
        for (int i = 0; i < 100; i++) {
            if (log.offer(Events.produce(i))) {
                accepted++;
            }
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        // 10 fit in the queue and at most one batch of 4 is taken out by the held writer.
        assertThat(accepted).isBetween(10, 14);
        assertThat(log.dropped()).isEqualTo(100 - accepted);
        assertThat(log.record(Events.produce(100))).isDone();
        held.countDown();
        log.close();
        assertThat(log.written()).isEqualTo(accepted + (log.dropped() == 100 - accepted ? 1 : 0));
        assertThat(log.written() + log.dropped()).isEqualTo(101);
        assertThat(sink.closed).isTrue();
    }

    @Test
    void bestEffortWithASlowSinkLosesOnlyWhatItCounts() {
        ControlledSink sink = new ControlledSink(new CountDownLatch(0), 20);
        AuditLog log = new AuditLog(AuditLog.Mode.BEST_EFFORT, 50, 10, List.of(sink), new OcsfEncoder());
        for (int i = 0; i < 2_000; i++) {
            log.offer(Events.produce(i));
        }
        log.close();
        assertThat(log.dropped()).isPositive();
        assertThat(log.written() + log.dropped()).isEqualTo(2_000);
        assertThat(sink.written).hasSize((int) log.written());
    }

    @Test
    void failClosedCompletesOnlyAfterTheSinkWroteAndFlushed() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        ControlledSink sink = new ControlledSink(held, 0);
        try (AuditLog log = new AuditLog(AuditLog.Mode.FAIL_CLOSED, 10, 10, List.of(sink), new OcsfEncoder())) {
            CompletableFuture<Void> done = log.record(Events.produce(1));
            Thread.sleep(200);
            assertThat(done).isNotDone();
            assertThat(sink.flushed).isEmpty();
            held.countDown();
            done.get(5, TimeUnit.SECONDS);
            assertThat(sink.flushed).containsExactly("c1-1");
            assertThat(log.written()).isEqualTo(1);
        }
    }

    @Test
    void failClosedNotedEventsAreForcedWithTheNextAwaitedOneNotEachOnItsOwn() throws Exception {
        ControlledSink sink = new ControlledSink(new CountDownLatch(0), 0);
        try (AuditLog log = new AuditLog(AuditLog.Mode.FAIL_CLOSED, 100, 100, List.of(sink), new OcsfEncoder())) {
            for (int i = 1; i <= 5; i++) {
                log.note(Events.produce(i));
            }
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1)).until(() -> sink.written.size() == 5);
            // Written, but no flush of their own (the writer flushes noted events by themselves only after 100 ms idle).
            assertThat(sink.flushed).isEmpty();
            log.record(Events.produce(6)).get(5, TimeUnit.SECONDS);
            assertThat(sink.flushed).containsExactly("c1-1", "c1-2", "c1-3", "c1-4", "c1-5", "c1-6");
            assertThat(log.written()).isEqualTo(6);
        }
    }

    @Test
    void failClosedNotedEventsReachTheDiskWhenNothingElseComes() {
        ControlledSink sink = new ControlledSink(new CountDownLatch(0), 0);
        try (AuditLog log = new AuditLog(AuditLog.Mode.FAIL_CLOSED, 100, 100, List.of(sink), new OcsfEncoder())) {
            log.note(Events.produce(1));
            await().atMost(Duration.ofSeconds(5)).until(() -> sink.flushed.equals(List.of("c1-1")));
        }
    }

    @Test
    void failClosedFailsWhenTheSinkThrows() {
        ControlledSink sink = new ControlledSink(new CountDownLatch(0), 0);
        sink.fail.set(true);
        try (AuditLog log = new AuditLog(AuditLog.Mode.FAIL_CLOSED, 10, 10, List.of(sink), new OcsfEncoder())) {
            CompletableFuture<Void> done = log.append(Events.produce(1));
            await().atMost(Duration.ofSeconds(5)).until(done::isDone);
            assertThat(done).isCompletedExceptionally();
            assertThat(done.handle((v, e) -> e).join()).isInstanceOf(AuditUnavailableException.class).hasMessageContaining("disk full");
            assertThat(log.failed()).isEqualTo(1);
            assertThat(log.written()).isZero();
        }
    }

    @Test
    void eventsNothingWaitsForAreWrittenAgainWithTheNextBatchAfterTheirsFailed() throws Exception {
        ControlledSink sink = new ControlledSink(new CountDownLatch(0), 0);
        sink.fail.set(true);
        try (AuditLog log = new AuditLog(AuditLog.Mode.FAIL_CLOSED, 10, 10, List.of(sink), new OcsfEncoder())) {
            log.note(Events.produce(1)); // the outcome of a request the broker already has
            CompletableFuture<Void> refused = log.append(Events.produce(2));
            await().atMost(Duration.ofSeconds(5)).until(refused::isDone);
            assertThat(refused).isCompletedExceptionally();
            sink.fail.set(false);
            log.append(Events.produce(3)).get(5, TimeUnit.SECONDS);
            assertThat(sink.flushed).containsExactly("c1-1", "c1-3");
            assertThat(log.written()).isEqualTo(2);
            assertThat(log.failed()).isEqualTo(1);
        }
    }

    @Test
    void eventsASinkOwesAreTriedAgainWhenNoBatchComes() {
        ControlledSink sink = new ControlledSink(new CountDownLatch(0), 0);
        sink.fail.set(true);
        try (AuditLog log = new AuditLog(AuditLog.Mode.BEST_EFFORT, 10, 10, List.of(sink), new OcsfEncoder())) {
            log.note(Events.produce(1));
            await().atMost(Duration.ofSeconds(5)).until(() -> log.unavailableReason() != null);
            sink.fail.set(false);
            await().atMost(Duration.ofSeconds(5)).until(() -> sink.flushed.equals(List.of("c1-1")));
            assertThat(log.written()).isEqualTo(1);
            assertThat(log.failed()).isZero();
        }
    }

    @Test
    void aSinkThatFailedABatchGetsItsEventsLaterWhileTheOthersGetThemOnce() throws Exception {
        ControlledSink steady = new ControlledSink(new CountDownLatch(0), 0);
        ControlledSink flaky = new ControlledSink(new CountDownLatch(0), 0);
        flaky.fail.set(true);
        try (AuditLog log = new AuditLog(AuditLog.Mode.FAIL_CLOSED, 10, 10, List.of(flaky, steady), new OcsfEncoder())) {
            log.note(Events.produce(1));
            await().atMost(Duration.ofSeconds(5)).until(() -> steady.written.contains("c1-1"));
            flaky.fail.set(false);
            log.append(Events.produce(2)).get(5, TimeUnit.SECONDS);
            assertThat(steady.written).containsExactly("c1-1", "c1-2");
            assertThat(flaky.written).containsExactly("c1-1", "c1-2");
            assertThat(log.written()).isEqualTo(2);
        }
    }

    @Test
    void whatASinkStillOwesAtCloseIsCountedAsLost() {
        ControlledSink sink = new ControlledSink(new CountDownLatch(0), 0);
        sink.fail.set(true);
        AuditLog log = new AuditLog(AuditLog.Mode.FAIL_CLOSED, 10, 10, List.of(sink), new OcsfEncoder());
        log.note(Events.produce(1));
        log.note(Events.produce(2));
        log.close();
        assertThat(log.failed()).isEqualTo(2);
        assertThat(log.written()).isZero();
        assertThat(sink.written).isEmpty();
    }

    @Test
    void anErrorFromASinkFailsItsBatchAndTheWriterGoesOn() {
        AtomicBoolean thrown = new AtomicBoolean();
        ControlledSink sink = new ControlledSink(new CountDownLatch(0), 0) {
            @Override
            public void write(List<EncodedEvent> batch) throws IOException {
                if (thrown.compareAndSet(false, true)) {
                    throw new Error("sink buffer"); // as an OutOfMemoryError would, without taking the test JVM with it
                }
                super.write(batch);
            }
        };
        try (AuditLog log = new AuditLog(AuditLog.Mode.FAIL_CLOSED, 10, 10, List.of(sink), new OcsfEncoder())) {
            CompletableFuture<Void> first = log.append(Events.produce(1));
            await().atMost(Duration.ofSeconds(5)).until(first::isDone);
            assertThat(first.handle((v, e) -> e).join()).isInstanceOf(AuditUnavailableException.class)
                    .hasMessageContaining("sink buffer");
            CompletableFuture<Void> next = log.append(Events.produce(2));
            await().atMost(Duration.ofSeconds(5)).until(next::isDone);
            assertThat(next).isCompletedWithValue(null);
            assertThat(log.failed()).isEqualTo(1);
            assertThat(log.written()).isEqualTo(1);
        }
        assertThat(sink.written).hasSize(1);
        assertThat(sink.closed).isTrue();
    }

    @Test
    void aWriterStoppedByAnErrorOutsideABatchFailsEveryWaitingAndLaterEventAtOnce() {
        ControlledSink sink = new ControlledSink(new CountDownLatch(0), 0) {
            @Override
            public void idle() {
                throw new Error("between batches");
            }
        };
        try (AuditLog log = new AuditLog(AuditLog.Mode.FAIL_CLOSED, 10, 10, List.of(sink), new OcsfEncoder())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> log.unavailableReason() != null);
            assertThat(log.unavailableReason()).startsWith("audit writer stopped: ").contains("between batches");
            CompletableFuture<Void> later = log.append(Events.produce(1));
            assertThat(later).isCompletedExceptionally();
            assertThat(later.handle((v, e) -> e).join()).isInstanceOf(AuditUnavailableException.class)
                    .hasMessageContaining("audit writer stopped");
        }
        assertThat(sink.closed).isTrue();
    }

    @Test
    void failClosedFailsFastWhenTheQueueIsFull() {
        CountDownLatch held = new CountDownLatch(1);
        ControlledSink sink = new ControlledSink(held, 0);
        AuditLog log = new AuditLog(AuditLog.Mode.FAIL_CLOSED, 2, 1, List.of(sink), new OcsfEncoder());
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            all.add(log.append(Events.produce(i)));
        }
        long refused = all.stream().filter(CompletableFuture::isCompletedExceptionally).count();
        assertThat(refused).isBetween(7L, 8L);
        held.countDown();
        log.close();
        assertThat(all).allMatch(CompletableFuture::isDone);
        assertThat(log.written()).isEqualTo(10 - refused);
        assertThat(log.failed()).isEqualTo(refused);
    }

    /** A Produce event listing {@link AuditEvent#MAX_PARTITIONS} partitions: about 80 KB in memory. */
    private static AuditEvent wide(int i) {
        AuditEvent.Builder e = AuditEvent.builder(AuditEventType.PRODUCE, Instant.now()).requestId("wide-" + i);
        for (int p = 0; p < AuditEvent.MAX_PARTITIONS; p++) {
            e.partition(new PartitionDetail("orders", p, (short) 0, 0, 0, -1, -1, -1, -1));
        }
        return e.build();
    }

    @Test
    void theQueueHoldsNoMoreThanItsByteBudgetHoweverFewTheEvents() {
        CountDownLatch held = new CountDownLatch(1);
        ControlledSink sink = new ControlledSink(held, 0);
        long budget = 1024 * 1024;
        AuditLog log = new AuditLog(AuditLog.Mode.BEST_EFFORT, 10_000, budget, 1, List.of(sink), new OcsfEncoder());
        assertThat(wide(0).estimatedBytes()).isBetween(70_000L, 120_000L);
        int taken = 0;
        for (int i = 0; i < 100; i++) {
            taken += log.offer(wide(i)) ? 1 : 0;
        }
        // Far below the count of 10,000: about 13 such events fit in 1 MiB, and the writer holds one more.
        assertThat(taken).isBetween(10, 16);
        assertThat(log.dropped()).isEqualTo(100 - taken);
        assertThat(log.unavailableReason()).startsWith("audit queue full");

        // Written events free their share of the budget.
        held.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> log.queued() == 0 && log.written() == 100 - log.dropped());
        assertThat(log.unavailableReason()).isNull();
        assertThat(log.offer(wide(100))).isTrue();
        log.close();
        assertThat(log.written()).isEqualTo(taken + 1);
    }

    @Test
    void failClosedRefusesEventsPastTheByteBudget() {
        CountDownLatch held = new CountDownLatch(1);
        AuditLog log = new AuditLog(AuditLog.Mode.FAIL_CLOSED, 10_000, 1024 * 1024, 1, List.of(new ControlledSink(held, 0)),
                new OcsfEncoder());
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            all.add(log.append(wide(i)));
        }
        List<CompletableFuture<Void>> refused = all.stream().filter(CompletableFuture::isCompletedExceptionally).toList();
        assertThat(refused).hasSizeBetween(14, 20);
        assertThatThrownBy(() -> refused.get(0).join()).hasCauseInstanceOf(AuditUnavailableException.class)
                .hasMessageContaining("audit queue full");
        held.countDown();
        log.close();
        assertThat(log.written()).isEqualTo(30 - refused.size());
    }

    @Test
    void closeDrainsEverythingQueuedToTheFile(@TempDir Path tmp) throws Exception {
        Path key = TestKeys.write(TestKeys.ed25519(), tmp.resolve("keys"));
        Path dir = tmp.resolve("audit");
        FileSink file = new FileSink(new FileSinkConfig(dir, 1 << 20, null, key));
        AuditLog log = new AuditLog(AuditLog.Mode.BEST_EFFORT, 10_000, 64, List.of(file), new OcsfEncoder());
        for (int i = 0; i < 5_000; i++) {
            assertThat(log.offer(Events.produce(i))).isTrue();
        }
        log.close();
        assertThat(log.written()).isEqualTo(5_000);
        assertThat(log.dropped()).isZero();
        long lines = 0;
        for (Path s : Segments.list(dir)) {
            lines += Files.readAllLines(s).size();
            assertThat(Segments.digestOf(s)).exists();
        }
        assertThat(lines).isEqualTo(5_000);
        assertThat(log.offer(Events.produce(0))).isFalse();
        assertThat(log.append(Events.produce(0))).isCompletedExceptionally();
    }
}
