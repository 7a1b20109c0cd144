package io.warden.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The audit pipeline: a bounded queue that callers on the event loop add to without ever blocking, drained by one
 * writer thread that encodes events and writes them in batches to every sink, then flushes them (the durability
 * point: an fsync for the file sink) — in fail-closed mode after every batch holding an {@link #append}ed event
 * (events only {@link #note}d ride along with the next such batch), otherwise at most once a second and whenever the
 * writer falls idle. In best-effort mode the writer also lets a batch gather for 20 ms after its first event, so
 * that a busy gateway's events cost few writes and few thread wake-ups: a writer woken for a few events at a time
 * pays several times the CPU per event of one that works in bursts.
 * In {@link Mode#BEST_EFFORT} a full queue drops the event, counted and logged at most once per interval; in
 * {@link Mode#FAIL_CLOSED} {@link #append} hands back a future that completes once every sink has durably
 * written the event and fails fast when it cannot be, so the caller can refuse the request. {@link #close()} writes
 * everything still queued before closing the sinks.
 */
public final class AuditLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    private static final long DROP_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /**
     * How long written events that nothing waits for (all of them in best-effort mode, {@link #note}d ones in
     * fail-closed mode) may wait for the sinks' flush (the file sink's fsync).
     */
    static final long UNFORCED_FLUSH_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * In best-effort mode, how long the writer lets events gather after the first of a batch arrives, so that a busy
     * gateway's events go out in a few large writes instead of one write (and one wake-up of the writer) each.
     */
    static final long BEST_EFFORT_LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** How long events a sink owes wait, when no batch comes to take them along, before they are tried again. */
    static final long RETRY_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    /** The queue's byte budget unless configured: see {@link #AuditLog(Mode, int, long, int, List, OcsfEncoder)}. */
    public static final long DEFAULT_MAX_QUEUED_BYTES = 64L * 1024 * 1024;
    /** About the memory of an event listing {@link AuditEvent#MAX_PARTITIONS} partitions, with room to spare. */
    private static final long LARGE_EVENT_BYTES = 128 * 1024;

    /** How the gateway waits for auditing. */
    public enum Mode {
        /** Never slows traffic; an event that does not fit is dropped and counted. */
        BEST_EFFORT,
        /** Nothing is forwarded before its event is durably written; when it cannot be, the request is refused. */
        FAIL_CLOSED
    }

    /**
     * A queued event; when someone waits for it, the future to complete; and whether its batch must be forced to
     * disk before that (fail-closed).
     */
    private record Entry(AuditEvent event, CompletableFuture<Void> done, boolean force, long bytes) {
    }

    /** An event nothing waits for that some sinks failed to take, and how many of them still owe it. */
    private static final class Owed {
        final EncodedEvent event;
        int sinks;
        boolean lost;

        Owed(EncodedEvent event) {
            this.event = event;
        }
    }

    private final Mode mode;
    private final List<AuditSink> sinks;
    private final OcsfEncoder encoder;
    private final BlockingQueue<Entry> queue;
    /** The most memory the queued events may hold, by {@link AuditEvent#estimatedBytes()}, and what they hold now. */
    private final long maxQueuedBytes;
    private final AtomicLong queuedBytes = new AtomicLong();
    private final int maxBatch;
    /** Best effort: how long a batch may gather after its first event ({@link #BEST_EFFORT_LINGER_NANOS}). */
    private final long lingerNanos;
    private final Thread writer;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong lastDropLog = new AtomicLong(System.nanoTime() - DROP_LOG_INTERVAL_NANOS);
    private volatile boolean closing;
    /** Why the writer thread stopped, or null while it runs. */
    private volatile String stopped;
    private long sequence;
    /** Writer thread only: events written since the sinks were last flushed, and when that was. */
    private boolean unflushed;
    /** Why the last batch failed, or null after a batch that was written. */
    private volatile String lastFailure;
    private long lastFlush = System.nanoTime();
    /** Writer thread only: per sink (by index), the events it owes from batches it failed, oldest first. */
    private final List<List<Owed>> owed = new ArrayList<>();
    /** Most events one sink may owe: the queue's capacity. */
    private final int capacity;
    /** Writer thread only: when a sink last failed a batch. */
    private long lastSinkFailure;

    /**
     * Starts the writer thread.
     *
     * @param capacity events the queue holds before it refuses more
     * @param maxBatch most events written and flushed together
     */
    public AuditLog(Mode mode, int capacity, int maxBatch, List<AuditSink> sinks, OcsfEncoder encoder) {
        this(mode, capacity, DEFAULT_MAX_QUEUED_BYTES, maxBatch, sinks, encoder);
    }

    /**
     * As above, with a byte budget besides the count: events are refused as when the queue is full while those queued
     * hold {@code maxQueuedBytes} or more (an event is always taken when nothing is queued). Events differ in size a
     * thousandfold (a login, a Produce naming a thousand partitions), so the count alone does not bound the memory.
     */
    public AuditLog(Mode mode, int capacity, long maxQueuedBytes, int maxBatch, List<AuditSink> sinks, OcsfEncoder encoder) {
        this(mode, capacity, maxQueuedBytes, maxBatch, sinks, encoder, BEST_EFFORT_LINGER_NANOS);
    }

    /** As above, with the best-effort linger given (0: none). */
    AuditLog(Mode mode, int capacity, int maxBatch, List<AuditSink> sinks, OcsfEncoder encoder, long lingerNanos) {
        this(mode, capacity, DEFAULT_MAX_QUEUED_BYTES, maxBatch, sinks, encoder, lingerNanos);
    }

    private AuditLog(Mode mode, int capacity, long maxQueuedBytes, int maxBatch, List<AuditSink> sinks, OcsfEncoder encoder,
                     long lingerNanos) {
        if (capacity <= 0 || maxBatch <= 0 || maxQueuedBytes <= 0) {
            throw new IllegalArgumentException("capacity, maxQueuedBytes and maxBatch must be positive");
        }
        this.maxQueuedBytes = maxQueuedBytes;
        if (sinks.isEmpty()) {
            throw new IllegalArgumentException("at least one audit sink is needed");
        }
        this.mode = Objects.requireNonNull(mode, "mode");
        this.sinks = List.copyOf(sinks);
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.maxBatch = maxBatch;
        this.capacity = capacity;
        for (int i = 0; i < this.sinks.size(); i++) {
            owed.add(new ArrayList<>());
        }
        this.lingerNanos = mode == Mode.BEST_EFFORT ? lingerNanos : 0;
        this.writer = new Thread(this::run, "warden-audit-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    public Mode mode() {
        return mode;
    }

    /**
     * Queues an event without waiting for it to be written. Never blocks; returns false when the queue is full or
     * the log is closing, in which case the event is dropped and counted.
     */
    public boolean offer(AuditEvent event) {
        if (!closing && enqueue(new Entry(event, null, false, event.estimatedBytes()))) {
            return true;
        }
        dropped.incrementAndGet();
        logDrop();
        return false;
    }

    /**
     * Queues an event and returns a future that completes once every sink has durably written it. Never blocks: the
     * future fails at once with {@link AuditUnavailableException} when the queue is full or the log is closing,
     * and later when a sink fails to write the batch holding it.
     */
    public CompletableFuture<Void> append(AuditEvent event) {
        return append(event, true);
    }

    private CompletableFuture<Void> append(AuditEvent event, boolean force) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closing) {
            failed.incrementAndGet();
            String why = stopped;
            done.completeExceptionally(new AuditUnavailableException(why == null ? "audit log is closed" : why));
        } else if (!enqueue(new Entry(event, done, force, event.estimatedBytes()))) {
            failed.incrementAndGet();
            done.completeExceptionally(new AuditUnavailableException("audit queue full"));
        } else if (stopped != null) {
            failQueued(); // the writer stopped after the check above: nothing would take this event
        }
        return done;
    }

    /** Queues the entry if both the count and the byte budget allow it; never blocks. */
    private boolean enqueue(Entry e) {
        long held = queuedBytes.addAndGet(e.bytes());
        if (held > maxQueuedBytes && held != e.bytes() || !queue.offer(e)) {
            queuedBytes.addAndGet(-e.bytes());
            return false;
        }
        return true;
    }

    /**
     * The call the gateway makes for each event: {@link #append} in fail-closed mode, otherwise {@link #offer} with
     * an already completed future, so that best-effort auditing never holds a request back.
     */
    public CompletableFuture<Void> record(AuditEvent event) {
        if (mode == Mode.FAIL_CLOSED) {
            return append(event);
        }
        offer(event);
        return DONE;
    }

    /**
     * For an event nothing waits for (a connection opened, a login, the outcome of a forwarded Produce): in fail-closed
     * mode it is queued as {@link #append} queues (never dropped: a full queue counts it as failed), written with the
     * other events, and reaches the disk with the next batch that is forced — which every later audited request
     * waits for, so no audited request reaches a broker before the events that came before it are durable — or, when no
     * such batch comes, within {@link #UNFORCED_FLUSH_INTERVAL_NANOS}; it does not cost a force of its own. In
     * best-effort mode, {@link #offer}.
     */
    public void note(AuditEvent event) {
        if (mode == Mode.FAIL_CLOSED) {
            append(event, false);
        } else {
            offer(event);
        }
    }

    /** Events written to every sink. */
    public long written() {
        return written.get();
    }

    /** Events dropped because the queue was full or the log closing (best effort). */
    public long dropped() {
        return dropped.get();
    }

    /** Events refused at append or lost to a sink failure. */
    public long failed() {
        return failed.get();
    }

    /**
     * Why the log cannot take events now — closing, its queue full (or without room for a large event within its
     * byte budget), or its last batch not written — or null when it can.
     */
    public String unavailableReason() {
        if (closing) {
            String why = stopped;
            return why == null ? "audit log is closing" : why;
        }
        if (queue.remainingCapacity() == 0) {
            return "audit queue full (" + queue.size() + " events)";
        }
        long held = queuedBytes.get();
        if (held > maxQueuedBytes - LARGE_EVENT_BYTES) {
            return "audit queue full (" + queue.size() + " events holding about " + held + " bytes)";
        }
        String failure = lastFailure;
        return failure == null ? null : "last audit batch not written: " + failure;
    }

    /** Events waiting to be written. */
    public int queued() {
        return queue.size();
    }

    /** Stops taking events, writes every queued one, then closes the sinks. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (AuditSink sink : sinks) {
            try {
                sink.close();
            } catch (IOException | RuntimeException e) {
                LOG.error("audit sink close failed sink={} reason={}", sink.name(), e.toString());
            }
        }
        LOG.info("audit log closed written={} dropped={} failed={}", written(), dropped(), failed());
    }

    private void run() {
        List<Entry> batch = new ArrayList<>(maxBatch);
        try {
            while (writeNext(batch)) {
                batch.clear();
            }
        } catch (Throwable t) {
            // A batch's failures are its own (above); anything else that escapes, such as an Error from a sink's idle
            // work or memory running out between batches, leaves a log that says it is down rather than requests
            // waiting on a writer that is gone.
            stopped(batch, t);
        }
    }

    /**
     * The writer is gone: every waiting and later event fails at once, as when a sink is down, so that fail-closed
     * refuses requests with a retriable error instead of holding them forever.
     */
    private void stopped(List<Entry> batch, Throwable cause) {
        String why = "audit writer stopped: " + cause;
        stopped = why;
        closing = true;
        LOG.error("audit writer stopped reason={}", cause.toString());
        fail(batch, new AuditUnavailableException(why, cause));
        failQueued();
        abandonDebts();
    }

    /** Once the writer has stopped: fails what is queued, which nothing will write. */
    private void failQueued() {
        List<Entry> lost = new ArrayList<>();
        queue.drainTo(lost);
        for (Entry e : lost) {
            queuedBytes.addAndGet(-e.bytes());
        }
        fail(lost, new AuditUnavailableException(stopped));
    }

    /**
     * Waits for events and writes the next batch; false once the log is closing and nothing is left. A method of its
     * own so that the JIT compiles it by its calls: the loop around it runs for the writer's whole life, and a loop
     * body is only compiled on the stack after many thousands of turns.
     */
    private boolean writeNext(List<Entry> batch) {
        Entry first;
        try {
            first = queue.poll(100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            first = null;
            closing = true;
        }
        if (first == null) {
            boolean last = closing && queue.isEmpty();
            // At close the owed events had their last try with the final batch: a sink that is down would only hold
            // the shutdown up for another of its timeouts.
            if (!last && owing() && System.nanoTime() - lastSinkFailure >= RETRY_INTERVAL_NANOS) {
                writeBatch(batch); // nothing new: only what the sinks owe
            }
            if (unflushed) {
                flushSinks();
            } else {
                idleSinks();
            }
            if (last) {
                abandonDebts();
            }
            return !last;
        }
        batch.add(first);
        if (lingerNanos > 0 && !closing && queue.size() < maxBatch - 1) {
            // Sleeping rather than waiting on the queue: offers meanwhile do not wake this thread.
            LockSupport.parkNanos(lingerNanos);
        }
        queue.drainTo(batch, maxBatch - 1);
        writeBatch(batch);
        return true;
    }

    private void writeBatch(List<Entry> batch) {
        long drained = 0;
        for (Entry e : batch) {
            drained += e.bytes();
        }
        queuedBytes.addAndGet(-drained);
        List<EncodedEvent> encoded = new ArrayList<>(batch.size());
        boolean force = false;
        try {
            for (Entry e : batch) {
                encoded.add(new EncodedEvent(e.event(), encoder.encodeUtf8(e.event(), ++sequence)));
                force |= e.force();
            }
        } catch (Exception | Error ex) {
            batchFailed(batch, ex);
            fail(batch, new AuditUnavailableException("audit sink failed: " + ex.getMessage(), ex));
            return;
        }
        boolean flush = force && mode == Mode.FAIL_CLOSED || System.nanoTime() - lastFlush >= UNFORCED_FLUSH_INTERVAL_NANOS;
        Throwable failure = null;
        Owed[] debtsOfBatch = null;
        for (int i = 0; i < sinks.size(); i++) {
            try {
                writeTo(i, encoded, flush);
            } catch (Exception | Error ex) {
                // An Error too (a sink out of memory, say): the batch fails like any other, and the writer lives on
                // for the next one rather than leave its waiters and the queue behind. The other sinks still take it.
                if (failure == null) {
                    failure = ex;
                    debtsOfBatch = debts(batch, encoded);
                }
                owe(i, batch, debtsOfBatch);
            }
        }
        unflushed = !flush;
        if (flush) {
            lastFlush = System.nanoTime();
        }
        if (failure != null) {
            batchFailed(batch, failure);
            List<Entry> waiting = new ArrayList<>(batch.size());
            for (Entry e : batch) {
                if (e.force()) {
                    waiting.add(e);
                }
            }
            fail(waiting, new AuditUnavailableException("audit sink failed: " + failure.getMessage(), failure));
            return;
        }
        written.addAndGet(batch.size());
        lastFailure = null;
        for (Entry e : batch) {
            if (e.done() != null) {
                e.done().complete(null);
            }
        }
    }

    /** Writes the batch to one sink, after the events it still owes from batches it failed, and flushes it if asked. */
    private void writeTo(int sink, List<EncodedEvent> encoded, boolean flush) throws IOException {
        List<Owed> debts = owed.get(sink);
        if (debts.isEmpty()) {
            if (!encoded.isEmpty()) {
                sinks.get(sink).write(encoded);
            }
        } else {
            List<EncodedEvent> all = new ArrayList<>(debts.size() + encoded.size());
            for (Owed o : debts) {
                all.add(o.event);
            }
            all.addAll(encoded);
            sinks.get(sink).write(all);
        }
        if (flush) {
            sinks.get(sink).flush();
        }
        for (Owed o : debts) {
            if (--o.sinks == 0) {
                written.incrementAndGet();
            }
        }
        debts.clear();
    }

    /**
     * A sink failed the batch: the events nothing waits for (a Produce's outcome, a login, a connection — a request
     * already answered or forwarded) are kept for it and written again ahead of its next batch, or on their own after
     * {@link #RETRY_INTERVAL_NANOS} without one, up to as many as the queue holds; the oldest beyond that are lost
     * and counted, as is what a sink still owes once the last batch at close has been tried. Events someone waits for
     * fail instead: their request is refused, and the caller notes that refusal as an event of its own (the gateway
     * notes the request's outcome) for the sinks that did take the failed one.
     */
    private void owe(int sink, List<Entry> batch, Owed[] debtsOfBatch) {
        List<Owed> debts = owed.get(sink);
        for (int i = 0; i < batch.size(); i++) {
            if (debtsOfBatch[i] != null) {
                debtsOfBatch[i].sinks++;
                debts.add(debtsOfBatch[i]);
            }
        }
        while (debts.size() > capacity) {
            lose(debts.remove(0));
        }
        lastSinkFailure = System.nanoTime();
    }

    /** The debt each event of a failed batch that nothing waits for becomes, shared by the sinks that failed it. */
    private static Owed[] debts(List<Entry> batch, List<EncodedEvent> encoded) {
        Owed[] debts = new Owed[batch.size()];
        for (int i = 0; i < debts.length; i++) {
            if (!batch.get(i).force()) { // nothing waits for it (a noted or best-effort event)
                debts[i] = new Owed(encoded.get(i));
            }
        }
        return debts;
    }

    /** An owed event that no longer fits: lost, and counted once, however many sinks owed it. */
    private void lose(Owed o) {
        if (!o.lost) {
            o.lost = true;
            failed.incrementAndGet();
        }
    }

    /** Writer thread only: whether some sink still owes events from a batch it failed. */
    private boolean owing() {
        for (List<Owed> debts : owed) {
            if (!debts.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Closing: what the sinks still owe after their last chance is lost. */
    private void abandonDebts() {
        long before = failed.get();
        for (List<Owed> debts : owed) {
            debts.forEach(this::lose);
            debts.clear();
        }
        if (failed.get() > before) {
            LOG.error("audit events lost at close: a sink could not take them events={}", failed.get() - before);
        }
    }

    /** Logs a failed batch and remembers why, for the health check. */
    private void batchFailed(List<Entry> batch, Throwable ex) {
        lastFailure = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        int owedNow = 0;
        for (List<Owed> debts : owed) {
            owedNow = Math.max(owedNow, debts.size());
        }
        LOG.error("audit batch not written events={} owed={} reason={}", batch.size(), owedNow, ex.toString());
    }

    /** Counts the entries as failed and fails their waiters. */
    private void fail(List<Entry> entries, AuditUnavailableException failure) {
        failed.addAndGet(entries.size());
        for (Entry e : entries) {
            if (e.done() != null) {
                e.done().completeExceptionally(failure);
            }
        }
    }

    private void idleSinks() {
        for (AuditSink sink : sinks) {
            try {
                sink.idle();
            } catch (RuntimeException ex) {
                LOG.error("audit sink idle work failed sink={} reason={}", sink.name(), ex.toString());
            }
        }
    }

    /** Best effort: flushes what was written when the writer falls idle, so events are durable within about a second. */
    private void flushSinks() {
        try {
            for (AuditSink sink : sinks) {
                sink.flush();
            }
        } catch (IOException | RuntimeException | Error ex) {
            LOG.error("audit flush failed reason={}", ex.toString());
        }
        unflushed = false;
        lastFlush = System.nanoTime();
    }

    private void logDrop() {
        long now = System.nanoTime();
        long last = lastDropLog.get();
        if (now - last >= DROP_LOG_INTERVAL_NANOS && lastDropLog.compareAndSet(last, now)) {
            LOG.warn("audit events dropped: queue full mode={} capacity={} droppedTotal={}",
                    mode, queue.remainingCapacity() + queue.size(), dropped.get());
        }
    }
}
