package io.warden.audit;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * A destination for audit events. The pipeline's single writer thread calls it, so implementations need not be
 * thread-safe; {@link #flush()} is the durability point: once it returns, the batches written so far must survive
 * a crash of this process.
 */
public interface AuditSink extends Closeable {

    /** Stores a batch, in order. */
    void write(List<EncodedEvent> batch) throws IOException;

    /** Makes everything written so far durable. */
    void flush() throws IOException;

    /**
     * Called by the writer, about ten times a second, while no event comes and everything written is flushed: time
     * for work that is due by the clock (a file sink's checkpoint of its last lines). Nothing by default.
     */
    default void idle() {
    }

    /** Flushes and releases the sink; a file sink seals its segment. */
    @Override
    void close() throws IOException;

    /** A short name for logs and counters. */
    default String name() {
        return getClass().getSimpleName();
    }
}
