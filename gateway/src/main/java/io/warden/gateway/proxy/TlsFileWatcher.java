package io.warden.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.warden.gateway.config.ListenerConfig;
import io.warden.gateway.config.TlsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

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
    /** Swaps the files in for new connections; its future fails when a server could not take them. */
    private final Function<TlsConfig, Future<?>> apply;
    private final GatewayStats stats;
    /** The files last in use; null after a failed swap, so that the next check tries again. */
    private volatile List<String> lastSeen;
    private List<String> lastRejected;
    /** The files as they were before the servers loaded them ({@link #snapshot}), or null. */
    private volatile List<String> snapshot;
    private Instant lastExpiryWarning = Instant.MIN;
    /** Guarded by this: the periodic check, and whether {@link #stop} came (perhaps before the first check was set up). */
    private long timer = -1;
    private boolean stopped;

    TlsFileWatcher(Vertx vertx, ListenerConfig listener, GatewayStats stats, Function<TlsConfig, Future<?>> apply) {
        this(vertx, listener.name(), listener.tls(), stats, apply);
    }

    /** For TLS files that are not a Kafka listener's; {@code name} is what logs and the expiry statistic call them. */
    TlsFileWatcher(Vertx vertx, String name, TlsConfig tls, GatewayStats stats, Function<TlsConfig, Future<?>> apply) {
        this.vertx = vertx;
        this.stats = stats;
        this.listener = name;
        this.tls = tls;
        this.apply = apply;
    }

    /**
     * Takes note of the files as they are before the servers load them, so that a replacement made while they load is
     * taken as a change (at worst the same files are loaded again), never as the files in use. Without it,
     * {@link #start} takes the files as it finds them.
     */
    Future<Void> snapshot() {
        return vertx.executeBlocking(() -> {
            snapshot = fingerprint();
            return null;
        });
    }

    void start() {
        vertx.executeBlocking(() -> {
            List<String> now = fingerprint();
            List<String> loaded = snapshot != null ? snapshot : now;
            try {
                warnIfExpiring(tls.validate());
                lastSeen = loaded;
            } catch (RuntimeException e) {
                // Replaced or broken since the listener loaded them: left unseen, the files are checked as a change.
                reject(now, e);
            }
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
                    try {
                        warnIfExpiring(tls.validate());
                    } catch (RuntimeException e) {
                        reject(now, e);
                    }
                }
                return false;
            }
            try {
                List<X509Certificate> chain = tls.validate();
                requireValidAt(chain, tls.keyStore() != null ? tls.keyStore() : tls.certificate(), Instant.now());
                warnIfExpiring(chain);
            } catch (RuntimeException e) {
                reject(now, e);
                return false;
            }
            lastSeen = now;
            return true;
        }).onSuccess(changed -> {
            if (changed) {
                apply.apply(tls).onSuccess(v -> LOG.info("event=tls_reloaded listener={} files={}", listener, tls.files()))
                        .onFailure(e -> {
                            // The old files stay in use; forgetting what was seen makes the next check try again.
                            lastSeen = null;
                            LOG.warn("event=tls_reload_failed listener={} exception={} reason=\"{}\" action=\"keeping the last"
                                    + " good certificate; trying again at the next check\"", listener, e.getClass().getName(),
                                    String.valueOf(e.getMessage()));
                        });
            }
        });
    }

    /**
     * Says once per content of the files why they cannot be used. A failure the checks do not name (not an
     * IllegalArgumentException) is named by its exception's class.
     */
    private void reject(List<String> files, RuntimeException e) {
        if (!files.equals(lastRejected)) {
            LOG.warn("event=tls_reload_rejected listener={} reason=\"{}\" action=\"keeping the last good certificate\"", listener,
                    e instanceof IllegalArgumentException ? e.getMessage() : e.getClass().getName() + ": " + e.getMessage());
            lastRejected = files;
        }
    }

    /**
     * A digest of every file's contents. Modification time and size are not enough: a renewed certificate or key of
     * the same type has the same size, and a file system with coarse timestamps may give it the same time.
     */
    private List<String> fingerprint() {
        List<String> out = new ArrayList<>();
        for (Path f : tls.files()) {
            try {
                MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
                out.add(f + "@" + HexFormat.of().formatHex(sha256.digest(Files.readAllBytes(f))));
            } catch (IOException e) {
                out.add(f + "@missing");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is not available in this JVM", e);
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
