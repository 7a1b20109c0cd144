package io.warden.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/**
 * Writes each event as a JSON line to standard output, for containers whose log collector ships stdout. A
 * {@link PrintStream} keeps its errors to itself, so each write and flush asks it: events standard output did not take
 * (a closed pipe, a full disk behind a redirect) fail their batch as any sink's failure does.
 */
public final class StdoutSink implements AuditSink {

    private final PrintStream out;

    public StdoutSink() {
        this(System.out);
    }

    public StdoutSink(PrintStream out) {
        this.out = out;
    }

    @Override
    public void write(List<EncodedEvent> batch) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(batch.size() * 1280);
        for (EncodedEvent e : batch) {
            b.write(e.json(), 0, e.json().length);
            b.write('\n');
        }
        out.write(b.toByteArray(), 0, b.size());
        check();
    }

    @Override
    public void flush() throws IOException {
        check();
    }

    /** Flushes the stream and fails if it has ever failed: a stream that failed once may have lost events since. */
    private void check() throws IOException {
        if (out.checkError()) {
            throw new IOException("audit events not written to standard output: it is closed or failing");
        }
    }

    @Override
    public void close() {
        out.flush();
    }
}
