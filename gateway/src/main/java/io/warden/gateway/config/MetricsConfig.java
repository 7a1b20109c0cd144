package io.warden.gateway.config;

/**
 * What the admin listener's {@code /metrics} holds beyond the gateway's counters, and who may read it.
 *
 * @param enabled            false to record nothing on the request path (latency, per-topic and per-principal series)
 *                           and serve only the counters the gateway keeps anyway
 * @param maxTopicSeries     topics that get series of their own; later topics share the {@value #OTHER} series
 * @param maxPrincipalSeries principals that get series of their own; later principals share the {@value #OTHER} series
 * @param authenticated      true when only authenticated callers with an admin role may read {@code /metrics} (the
 *                           default when the admin listener is reachable beyond loopback: its series name topics and
 *                           principals); false to serve it to anyone who reaches the listener
 */
public record MetricsConfig(boolean enabled, int maxTopicSeries, int maxPrincipalSeries, boolean authenticated) {

    /** The label value of the series that topics or principals beyond the cap share. */
    public static final String OTHER = "other";

    public static final int DEFAULT_MAX_SERIES = 100;

    /** The defaults of a loopback admin listener. */
    public static final MetricsConfig DEFAULT = new MetricsConfig(true, DEFAULT_MAX_SERIES, DEFAULT_MAX_SERIES, false);
}
