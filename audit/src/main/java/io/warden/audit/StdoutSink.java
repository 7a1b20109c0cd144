package io.warden.audit;

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
        StringBuilder b = new StringBuilder(batch.size() * 800);
        for (EncodedEvent e : batch) {
            b.append(e.json()).append('\n');
        }
        out.print(b);
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
