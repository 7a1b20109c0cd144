package io.warden.audit;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;

/** Writes each event as a JSON line to standard output, for containers whose log collector ships stdout. */
public final class StdoutSink implements AuditSink {

    private final PrintStream out;

    public StdoutSink() {
        this(System.out);
    }

    public StdoutSink(PrintStream out) {
        this.out = out;
    }

    @Override
    public void write(List<EncodedEvent> batch) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(batch.size() * 1280);
        for (EncodedEvent e : batch) {
            b.write(e.json(), 0, e.json().length);
            b.write('\n');
        }
        out.write(b.toByteArray(), 0, b.size());
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public void close() {
        out.flush();
    }
}
