package io.warden.gateway.proxy;

import io.vertx.core.Vertx;
import io.warden.gateway.config.ListenerConfig;
import io.warden.gateway.config.TlsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Watches the TLS files of one listener (or of the admin API). A change that passes the same checks as startup, with certificates valid now,
 * is handed to the listener's servers (new connections get it; open ones continue); a broken edit is rejected with
 * one log line and the last good files stay in use. Certificates close to expiry are warned about at start and then daily. File work runs
 * off the event loop.
 */
final class TlsFileWatcher {

    private static final Logger LOG = LoggerFactory.getLogger(TlsFileWatcher.class);
    private static final Duration WARN_EVERY = Duration.ofDays(1);

    private final Vertx vertx;
    private final String listener;
    private final TlsConfig tls;
    private final Consumer<TlsConfig> apply;
    private final GatewayStats stats;
    private List<String> lastSeen;
    private List<String> lastRejected;
    private Instant lastExpiryWarning = Instant.MIN;
    /** Guarded by this: the periodic check, and whether {@link #stop} came (perhaps before the first check was set up). */
    private long timer = -1;
    private boolean stopped;

    TlsFileWatcher(Vertx vertx, ListenerConfig listener, GatewayStats stats, Consumer<TlsConfig> apply) {
        this(vertx, listener.name(), listener.tls(), stats, apply);
    }

    /** For TLS files that are not a Kafka listener's; {@code name} is what logs and the expiry statistic call them. */
    TlsFileWatcher(Vertx vertx, String name, TlsConfig tls, GatewayStats stats, Consumer<TlsConfig> apply) {
        this.vertx = vertx;
        this.stats = stats;
        this.listener = name;
        this.tls = tls;
        this.apply = apply;
    }

    void start() {
        vertx.executeBlocking(() -> {
            lastSeen = fingerprint();
            warnIfExpiring(tls.validate());
            return null;
        }).onComplete(ar -> checkPeriodically());
    }

    private synchronized void checkPeriodically() {
        if (!stopped) {
            timer = vertx.setPeriodic(tls.reloadCheck().toMillis(), id -> check());
        }
    }

    synchronized void stop() {
        stopped = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    /** True while the files are checked periodically. */
    synchronized boolean checking() {
        return timer >= 0;
    }

    private void check() {
        vertx.executeBlocking(() -> {
            List<String> now = fingerprint();
            if (now.equals(lastSeen)) {
                if (Instant.now().isAfter(lastExpiryWarning.plus(WARN_EVERY))) {
                    warnIfExpiring(tls.validate());
                }
                return false;
            }
            try {
                List<X509Certificate> chain = tls.validate();
                requireValidAt(chain, tls.keyStore() != null ? tls.keyStore() : tls.certificate(), Instant.now());
                warnIfExpiring(chain);
            } catch (IllegalArgumentException e) {
                if (!now.equals(lastRejected)) {
                    LOG.warn("event=tls_reload_rejected listener={} reason=\"{}\" action=\"keeping the last good certificate\"",
                            listener, e.getMessage());
                    lastRejected = now;
                }
                return false;
            }
            lastSeen = now;
            return true;
        }).onSuccess(changed -> {
            if (changed) {
                apply.accept(tls);
                LOG.info("event=tls_reloaded listener={} files={}", listener, tls.files());
            }
        });
    }

    /** Modification time and size of every file: enough to notice a replaced certificate. */
    private List<String> fingerprint() {
        List<String> out = new ArrayList<>();
        for (Path f : tls.files()) {
            try {
                out.add(f + "@" + Files.getLastModifiedTime(f).toMillis() + "/" + Files.size(f));
            } catch (IOException e) {
                out.add(f + "@missing");
            }
        }
        return out;
    }

    private void warnIfExpiring(List<X509Certificate> chain) {
        lastExpiryWarning = Instant.now();
        chain.stream().map(c -> c.getNotAfter().toInstant()).min(Instant::compareTo)
                .ifPresent(notAfter -> stats.certificateExpires(listener, notAfter));
        for (X509Certificate c : expiringWithin(chain, tls.expiryWarning(), Instant.now())) {
            Instant notAfter = c.getNotAfter().toInstant();
            LOG.warn("event=certificate_expiring listener={} subject=\"{}\" not_after={} days_left={}",
                    listener, c.getSubjectX500Principal().getName(), notAfter,
                    Duration.between(Instant.now(), notAfter).toDays());
        }
    }

    /**
     * Refuses a chain with a certificate expired or not yet valid at {@code now}: served, it would fail every client's
     * handshake, while the certificate in use may still be good.
     */
    static void requireValidAt(List<X509Certificate> chain, Path file, Instant now) {
        for (X509Certificate c : chain) {
            Instant notBefore = c.getNotBefore().toInstant();
            Instant notAfter = c.getNotAfter().toInstant();
            if (now.isBefore(notBefore) || now.isAfter(notAfter)) {
                throw new IllegalArgumentException(file + ": certificate \"" + c.getSubjectX500Principal().getName()
                        + "\" is valid from " + notBefore + " to " + notAfter + ", " + (now.isBefore(notBefore) ? "not yet" : "no longer"));
            }
        }
    }

    /** The certificates of a chain that expire before {@code now + window}. */
    static List<X509Certificate> expiringWithin(List<X509Certificate> chain, Duration window, Instant now) {
        Instant limit = now.plus(window);
        return chain.stream().filter(c -> c.getNotAfter().toInstant().isBefore(limit)).toList();
    }
}
