package io.warden.gateway;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets {@code SIGTERM} and {@code SIGINT} start the gateway's own graceful shutdown instead of the JVM's. Left to the
 * JVM, a process stopped by a signal exits with 128 + the signal's number however cleanly it stopped, while an
 * orchestrator reads 0 as a clean stop. {@code sun.misc.Signal} (module {@code jdk.unsupported}) is the JDK's only way
 * to handle a signal. Where one cannot be handled (the JVM runs with {@code -Xrs}, or the signal is reserved), the
 * caller's shutdown hook still drains the gateway, with the JVM's exit status.
 */
final class TerminationSignals {

    private static final Logger LOG = LoggerFactory.getLogger(TerminationSignals.class);

    private TerminationSignals() {
    }

    /** Runs {@code onSignal} (on a signal-dispatch thread; it must not block) for each TERM or INT received. */
    static void handle(Runnable onSignal) {
        for (String name : new String[]{"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                    LOG.info("event=signal_received signal=SIG{}", name);
                    onSignal.run();
                });
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                LOG.info("event=signal_not_handled signal=SIG{} reason=\"{}\"", name, e.getMessage());
            }
        }
    }
}
