package io.warden.gateway;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.BooleanSupplier;

/**
 * Lets {@code SIGTERM} and {@code SIGINT} start the gateway's own graceful shutdown instead of the JVM's. Left to the
 * JVM, a process stopped by a signal exits with 128 + the signal's number however cleanly it stopped, while an
 * orchestrator reads 0 as a clean stop. {@code sun.misc.Signal} (module {@code jdk.unsupported}) is the JDK's only way
 * to handle a signal. Where one cannot be handled (the JVM runs with {@code -Xrs}, or the signal is reserved), the
 * caller's shutdown hook still drains the gateway, with the JVM's exit status.
 *
 * <p>A second signal while the gateway drains stops the process at once, as Ctrl-C twice does in most servers: an
 * operator who sends it will not wait for the drain.
 */
final class TerminationSignals {

    private static final Logger LOG = LoggerFactory.getLogger(TerminationSignals.class);

    private TerminationSignals() {
    }

    /**
     * For each TERM or INT received: runs {@code stop} (on a signal-dispatch thread; it must not block), unless
     * {@code stopping} says a stop is already under way; then the drain is cut short and the JVM halted, with the
     * status the JVM gives a process killed by that signal (143 for TERM, 130 for INT), without waiting for anything.
     */
    static void handle(Runnable stop, BooleanSupplier stopping) {
        for (String name : new String[]{"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> received(signal, stop, stopping));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                LOG.info("event=signal_not_handled signal=SIG{} reason=\"{}\"", name, e.getMessage());
            }
        }
    }

    // Synchronized: TERM and INT arriving together, each on its own dispatch thread, are one first signal and one second.
    private static synchronized void received(sun.misc.Signal signal, Runnable stop, BooleanSupplier stopping) {
        if (!stopping.getAsBoolean()) {
            LOG.info("event=signal_received signal=SIG{}", signal.getName());
            stop.run();
            return;
        }
        // Console logging writes through, so this line is out before the halt; shutdown hooks would wait for the drain.
        LOG.warn("event=shutdown_forced signal=SIG{} reason=\"received again during the drain, which is cut short:"
                + " requests in flight are left unanswered and queued audit events unwritten\"", signal.getName());
        Runtime.getRuntime().halt(128 + signal.getNumber());
    }
}
