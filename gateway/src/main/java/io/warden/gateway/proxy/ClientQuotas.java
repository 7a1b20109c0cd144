package io.warden.gateway.proxy;

import io.warden.gateway.config.QuotasConfig;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The byte-rate quotas of one gateway: one rate per quota that holds some traffic (a principal's, a client id's, or a
 * principal's with one client id: {@link QuotasConfig#quotaOf}), shared by all the connections it holds on every
 * listener and event loop. A connection takes its {@link Rates} at its first request after its principal is known
 * (the client id that request carries decides the quotas by client id), and records into them directly, so the
 * request path looks nothing up. Rates without connections and without bytes inside the window are forgotten, so
 * that the map stays bounded. Thread-safe.
 *
 * <p>The quotas can be replaced while the gateway runs ({@link #reconfigure}): each change has a new
 * {@link #generation()}, and a connection that sees one takes its rates again at its next request. A rate whose
 * quota is the same in the new quotas (same entity, rate and window) is the same rate, with what it has measured; a
 * changed one starts afresh.
 */
final class ClientQuotas {

    /** The quotas in force; null when they hold nobody. */
    private volatile QuotasConfig config;
    private volatile int generation;
    private final Map<Key, Shared> rates = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep = new AtomicLong(System.nanoTime());

    /** The quotas of this configuration; null for none (nobody is held until {@link #reconfigure}). */
    ClientQuotas(QuotasConfig config) {
        this.config = config;
    }

    /** The quotas in force; null when they hold nobody. */
    QuotasConfig config() {
        return config;
    }

    /** Changes with every {@link #reconfigure}: a connection that took its rates at another one takes them again. */
    int generation() {
        return generation;
    }

    /** Puts these quotas in force (null: none); connections take their rates from them at their next request. */
    synchronized void reconfigure(QuotasConfig next) {
        config = next;
        generation++;
    }

    /**
     * The shared rates that hold {@code principal}'s requests with this client id, for one more connection, or null when
     * no quota holds them. A connection that got one must {@link #release} it when it closes or takes others.
     */
    Rates acquire(String principal, String clientId) {
        QuotasConfig quotas = config;
        if (quotas == null) {
            return null;
        }
        QuotasConfig.Quota produce = quotas.quotaOf(principal, clientId, QuotasConfig.Kind.PRODUCE);
        QuotasConfig.Quota fetch = quotas.quotaOf(principal, clientId, QuotasConfig.Kind.FETCH);
        if (produce == null && fetch == null) {
            return null;
        }
        long now = System.nanoTime();
        long last = lastSweep.get();
        if (now - last >= quotas.windowSamples() * quotas.sampleLength().toNanos() && lastSweep.compareAndSet(last, now)) {
            rates.forEach((key, shared) -> {
                synchronized (shared) {
                    if (!shared.removed && shared.connections == 0 && shared.rate.idle(now)) {
                        shared.removed = true;
                        rates.remove(key, shared);
                    }
                }
            });
        }
        return new Rates(share(quotas, QuotasConfig.Kind.PRODUCE, produce), share(quotas, QuotasConfig.Kind.FETCH, fetch));
    }

    private Shared share(QuotasConfig quotas, QuotasConfig.Kind kind, QuotasConfig.Quota quota) {
        if (quota == null) {
            return null;
        }
        long sampleNanos = quotas.sampleLength().toNanos();
        Key key = new Key(kind, quota, quotas.windowSamples(), sampleNanos);
        while (true) {
            Shared shared = rates.computeIfAbsent(key, k -> new Shared(new ByteRate(quota.bytesPerSecond(), quotas.windowSamples(),
                    sampleNanos, System.nanoTime())));
            synchronized (shared) {
                if (!shared.removed) {
                    shared.connections++;
                    return shared;
                }
            }
        }
    }

    void release(Rates p) {
        for (Shared shared : new Shared[] {p.produce, p.fetch}) {
            if (shared != null) {
                synchronized (shared) {
                    shared.connections--;
                }
            }
        }
    }

    /**
     * What shares one rate: its kind, the quota (the entity it holds: a principal, a client id, or the two; and its
     * rate) and the window it is measured over.
     */
    private record Key(QuotasConfig.Kind kind, QuotasConfig.Quota quota, int windowSamples, long sampleNanos) {
    }

    /** One rate and the connections it holds. */
    private static final class Shared {

        final ByteRate rate;
        /** Guarded by this. */
        int connections;
        boolean removed;

        Shared(ByteRate rate) {
            this.rate = rate;
        }
    }

    /** The produce and fetch rates that hold one connection; a null rate is unlimited. */
    static final class Rates {

        private final Shared produce;
        private final Shared fetch;

        private Rates(Shared produce, Shared fetch) {
            this.produce = produce;
            this.fetch = fetch;
        }

        /** Records a Produce request's size; the throttle time in ms, 0 within the quota. */
        int produced(int requestBytes) {
            return produce == null ? 0 : produce.rate.record(requestBytes, System.nanoTime());
        }

        /**
         * Records a Fetch response's size; the throttle time in ms, 0 within the quota. A response over the quota is
         * answered without its records, so its size does not count (Kafka unrecords it).
         */
        int fetched(int responseBytes) {
            return fetch == null ? 0 : fetch.rate.recordIfWithin(responseBytes, System.nanoTime());
        }

        /**
         * The most one Fetch may return and still fit the fetch quota (Kafka's {@code getMaxValueInQuotaWindow}), or
         * {@link Integer#MAX_VALUE} without a fetch quota.
         */
        int fetchMaxBytes() {
            return fetch == null ? Integer.MAX_VALUE : (int) Math.min(fetch.rate.perWindow(), Integer.MAX_VALUE);
        }
    }
}
