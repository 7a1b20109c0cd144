package io.warden.gateway.proxy;

import io.vertx.core.Vertx;
import io.warden.gateway.admin.ClientQuotasAnswer;
import io.warden.gateway.audit.GatewayAudit;
import io.warden.gateway.config.ConfigException;
import io.warden.gateway.config.ConfigLoader;
import io.warden.gateway.config.QuotasConfig;
import io.warden.policies.FileFingerprint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Keeps the byte-rate quotas of a running gateway on its configuration file, as Kafka's client quotas change without
 * a restart. The file is checked every interval (off the event loop) by modification time, size and file key, so
 * in-place edits and atomic replacements are both seen. A changed file is read as at startup; if it is valid and its
 * {@code quotas} differ from those in force, they are put in force ({@link ClientQuotas#reconfigure}: every connection
 * takes its rates from them at its next request), logged and audited as a policy change. A file that is not valid is
 * logged once, with the error that would stop a start, and the quotas in force stay. Only {@code quotas} is applied;
 * the rest of the file takes effect at the next start.
 */
final class QuotasFileWatcher {

    private static final Logger LOG = LoggerFactory.getLogger(QuotasFileWatcher.class);

    private final Vertx vertx;
    private final Path file;
    private final Duration interval;
    private final ClientQuotas quotas;
    private final GatewayAudit audit;
    /** The file as last read; null before the first check, which compares the file's quotas with those in force. */
    private FileFingerprint lastSeen;
    private String lastRejected;
    /** Guarded by this. */
    private long timer = -1;
    private boolean stopped;
    private boolean checking;

    QuotasFileWatcher(Vertx vertx, Path file, Duration interval, ClientQuotas quotas, GatewayAudit audit) {
        this.vertx = vertx;
        this.file = file;
        this.interval = interval;
        this.quotas = quotas;
        this.audit = audit;
    }

    synchronized void start() {
        if (!stopped && timer < 0) {
            timer = vertx.setPeriodic(interval.toMillis(), id -> check());
        }
    }

    synchronized void stop() {
        stopped = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    private void check() {
        synchronized (this) {
            if (checking || stopped) {
                return;
            }
            checking = true;
        }
        vertx.executeBlocking(() -> {
            checkNow();
            return null;
        }).onComplete(ar -> {
            if (ar.failed()) {
                LOG.error("event=quotas_check_failed file={} reason=\"{}\"", file, String.valueOf(ar.cause()), ar.cause());
            }
            synchronized (this) {
                checking = false;
            }
        });
    }

    /** One check, on the calling thread; never two at once. */
    void checkNow() {
        FileFingerprint seen = FileFingerprint.of(file);
        if (seen != null && seen.equals(lastSeen)) {
            return;
        }
        lastSeen = seen;
        QuotasConfig next;
        try {
            next = ConfigLoader.load(file).quotas();
        } catch (ConfigException e) {
            if (!e.getMessage().equals(lastRejected)) {
                lastRejected = e.getMessage();
                LOG.warn("event=quotas_rejected file={} reason=\"{}\" action=\"keeping the quotas in force\"", file,
                        e.getMessage().replace("\"", "'"));
            }
            return;
        }
        lastRejected = null;
        if (Objects.equals(next, quotas.config())) {
            return;
        }
        quotas.reconfigure(next);
        audit.quotasChanged(ClientQuotasAnswer.describe(next), "configuration file " + file);
        if (next == null) {
            LOG.info("event=quotas_loaded file={} quotas=none", file);
        } else {
            LOG.info("event=quotas_loaded file={} entities={} window_samples={} window_sample_seconds={}", file,
                    ClientQuotasAnswer.entities(next, null).size(), next.windowSamples(), next.sampleLength().toSeconds());
        }
    }
}
