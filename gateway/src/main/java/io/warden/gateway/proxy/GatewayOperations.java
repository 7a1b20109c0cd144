package io.warden.gateway.proxy;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.warden.gateway.admin.AdminServer;
import io.warden.gateway.config.ListenerConfig;
import io.warden.gateway.protocol.SupportedApis;
import io.warden.policies.store.PolicyStore;
import org.apache.kafka.common.protocol.ApiKeys;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What an operator and an orchestrator see of a running gateway: Prometheus metrics read from the gateway's own
 * counters at scrape time (nothing is added to the request path but the counters), and readiness — listeners bound,
 * upstream cluster reachable, policy loaded, audit trail accepting events.
 */
final class GatewayOperations implements AdminServer.Operations {

    /** How long a readiness answer is reused, so that probes in a storm cost one upstream lookup per second. */
    private static final long READINESS_CACHE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long UPSTREAM_CHECK_SECONDS = 3;

    private final Vertx vertx;
    private final GatewayContext context;
    private final Supplier<PolicyStore> store;
    private final BooleanSupplier shuttingDown;
    private final PrometheusMeterRegistry registry;
    private volatile boolean upstreamReachable;
    private volatile Future<JsonObject> lastReadiness;
    private volatile long lastReadinessAt;

    GatewayOperations(Vertx vertx, GatewayContext context, Supplier<PolicyStore> store, BooleanSupplier shuttingDown) {
        this.vertx = vertx;
        this.context = context;
        this.store = store;
        this.registry = context.metrics().registry();
        this.shuttingDown = shuttingDown;
        register();
    }

    private void registerCertificateExpiry(GatewayStats stats, String listener) {
        Gauge.builder("warden.tls.certificate.expiry", stats, s -> daysUntil(s.certificateExpiry(listener))).baseUnit("days")
                .description("days until the first certificate of the listener's chain expires").tag("listener", listener)
                .register(registry);
    }

    private void register() {
        GatewayStats stats = context.stats();
        for (ListenerConfig l : context.config().listeners()) {
            for (boolean authenticated : l.sasl() == null ? List.of(true) : List.of(false, true)) {
                Gauge.builder("warden.connections.open", stats, s -> s.connections().stream()
                                .filter(c -> c.listener().equals(l.name()) && c.authenticated() == authenticated).count())
                        .description("client connections open now, by listener and state (authenticating: SASL login not done yet)")
                        .tag("listener", l.name()).tag("state", authenticated ? "active" : "authenticating").register(registry);
            }
            if (l.tls() != null) {
                registerCertificateExpiry(stats, l.name());
            }
        }
        if (context.config().admin() != null && context.config().admin().tls() != null) {
            registerCertificateExpiry(stats, "admin-api");
        }
        FunctionCounter.builder("warden.connections.accepted", stats, GatewayStats::acceptedClientConnections)
                .description("client connections accepted").register(registry);
        FunctionCounter.builder("warden.connections.refused", stats, GatewayStats::refusedConnections)
                .description("client connections closed because of what the client sent or failed to prove").register(registry);
        for (String limit : List.of("total", "per_ip", "creation_rate")) {
            FunctionCounter.builder("warden.connections.refused.limit", stats, s -> s.refusedByLimit(limit)).tag("limit", limit)
                    .description("connections closed on accept because a connection limit was reached").register(registry);
        }
        for (String kind : List.of("produce", "fetch")) {
            FunctionCounter.builder("warden.quota.throttled", stats, s -> s.quotaThrottled(kind)).tag("kind", kind)
                    .description("responses throttled because their principal was over its byte-rate quota").register(registry);
            FunctionCounter.builder("warden.quota.throttle", stats, s -> s.quotaThrottleMs(kind) / 1000.0).tag("kind", kind)
                    .baseUnit("seconds").description("throttle time given to clients over their byte-rate quota").register(registry);
        }
        Gauge.builder("warden.upstream.connections.open", stats, GatewayStats::openUpstreamConnections)
                .description("connections to brokers open now").register(registry);
        Gauge.builder("warden.upstream.reachable", this, o -> o.upstreamReachable ? 1 : 0)
                .description("1 when the last readiness check reached the cluster").register(registry);
        FunctionCounter.builder("warden.upstream.reauthentications", stats, GatewayStats::upstreamReauthentications)
                .description("renewals of the gateway's own SASL session on open broker connections (KIP-368)").register(registry);
        FunctionCounter.builder("warden.upstream.auto.create.requests", stats, GatewayStats::autoCreationRequests)
                .description("Metadata requests of the gateway's own asking a broker to auto-create topics").register(registry);
        List<ApiKeys> apis = new ArrayList<>();
        for (ApiKeys api : ApiKeys.values()) {
            if (SupportedApis.isSupported(api) || SupportedApis.SASL_APIS.containsKey(api) || SupportedApis.ACL_APIS.contains(api)
                    || SupportedApis.GATEWAY_APIS.contains(api)) {
                apis.add(api);
            }
        }
        for (ApiKeys api : apis) {
            for (GatewayStats.Outcome outcome : GatewayStats.Outcome.values()) {
                if (SupportedApis.SASL_APIS.containsKey(api)) {
                    continue; // SASL exchanges are counted as authentications
                }
                FunctionCounter.builder("warden.requests", stats, s -> s.requests(api, outcome))
                        .description("client requests by API and what became of them")
                        .tag("api", api.name).tag("outcome", outcome.name().toLowerCase(Locale.ROOT)).register(registry);
            }
        }
        FunctionCounter.builder("warden.client.received", stats, GatewayStats::bytesFromClients).baseUnit("bytes")
                .description("request bytes read from clients").register(registry);
        FunctionCounter.builder("warden.client.sent", stats, GatewayStats::bytesToClients).baseUnit("bytes")
                .description("response bytes written to clients").register(registry);
        if (context.authentication() != null) {
            List<String> mechanisms = new ArrayList<>(context.authentication().mechanisms());
            mechanisms.add("unknown");
            for (String mechanism : mechanisms) {
                for (String outcome : GatewayStats.LOGIN_OUTCOMES) {
                    FunctionCounter.builder("warden.authentications", stats, s -> s.logins(mechanism, outcome))
                            .description("SASL logins by mechanism (unknown: failed before one was chosen) and outcome")
                            .tag("mechanism", mechanism).tag("outcome", outcome).register(registry);
                }
            }
            io.warden.authn.store.CredentialStore credentials = context.authentication().credentials();
            if (credentials != null) {
                Gauge.builder("warden.credentials.age", credentials, c -> secondsSince(c.lastSuccessfulRefresh())).baseUnit("seconds")
                        .description("time since the SCRAM/PLAIN credentials were last read or confirmed current from their store")
                        .tag("store", credentials.describe()).register(registry);
            }
        }
        FunctionCounter.builder("warden.sessions.expired", stats, GatewayStats::expiredSessions)
                .description("connections closed because their SASL session lapsed").register(registry);
        FunctionCounter.builder("warden.login.timeouts", stats, GatewayStats::loginTimeouts)
                .description("connections on SASL listeners closed for not logging in within limits.loginTimeoutSeconds")
                .register(registry);
        FunctionCounter.builder("warden.scram.legacy.nonces", stats, GatewayStats::legacyScramNonces)
                .description("SCRAM logins accepted with librdkafka's doubled nonce").register(registry);
        for (String type : List.of("topic", "group", "cluster", "transactional_id", "delegation_token", "user")) {
            FunctionCounter.builder("warden.authorization.denials", stats, s -> s.denials(type))
                    .description("checks the policy denied, by resource type").tag("resource_type", type).register(registry);
        }
        FunctionCounter.builder("warden.audit.events", context.audit(), a -> a.written()).tag("result", "written")
                .description("audit events by what became of them").register(registry);
        FunctionCounter.builder("warden.audit.events", context.audit(), a -> a.dropped()).tag("result", "dropped")
                .description("audit events by what became of them").register(registry);
        FunctionCounter.builder("warden.audit.events", context.audit(), a -> a.failed()).tag("result", "failed")
                .description("audit events by what became of them").register(registry);
        Gauge.builder("warden.audit.queue.depth", context.audit(), a -> a.queued())
                .description("audit events waiting to be written").register(registry);
        new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(registry);
        Gauge.builder("warden.policy.version", this, o -> o.store.get() == null ? 0 : o.store.get().current().version())
                .description("the policy version in force").register(registry);
    }

    /** Days from now until {@code instant}, negative once past; NaN when not known. */
    private static double daysUntil(java.time.Instant instant) {
        return instant == null ? Double.NaN : (instant.toEpochMilli() - System.currentTimeMillis()) / 86_400_000.0;
    }

    /** Seconds from {@code instant} until now; NaN when it never happened. */
    private static double secondsSince(java.time.Instant instant) {
        return instant == null ? Double.NaN : (System.currentTimeMillis() - instant.toEpochMilli()) / 1000.0;
    }

    @Override
    public String scrapeMetrics() {
        return registry.scrape();
    }

    @Override
    public Future<JsonObject> readiness() {
        if (shuttingDown.getAsBoolean()) {
            // Orchestrators stop sending traffic; the listeners are unbound or about to be.
            return Future.succeededFuture(new JsonObject().put("status", "not ready").put("reason", "shutting down")
                    .put("checks", new JsonObject().put("listeners", "shutting down")));
        }
        Future<JsonObject> cached = lastReadiness;
        if (cached != null && System.nanoTime() - lastReadinessAt < READINESS_CACHE_NANOS) {
            return cached;
        }
        JsonObject checks = new JsonObject();
        checks.put("listeners", "ok");
        PolicyStore policy = store.get();
        if (context.authorization() != null) {
            checks.put("policy", policy == null ? "not loaded" : "ok (version " + policy.current().version() + ")");
        }
        if (context.authentication() != null) {
            io.warden.authn.store.CredentialStore credentials = context.authentication().credentials();
            checks.put("credentials", credentials == null ? "ok"
                    : credentials.lastSuccessfulRefresh() == null ? "not loaded: " + credentials.describe() + " has not been read yet"
                    : "ok (" + credentials.users().size() + " users)");
        }
        String audit = context.audit().unavailableReason();
        if (context.audit().on()) {
            checks.put("audit", audit == null ? "ok" : audit);
        }
        Future<JsonObject> result = Future.fromCompletionStage(context.metadata().refreshNodes()
                        .toCompletableFuture().orTimeout(UPSTREAM_CHECK_SECONDS, TimeUnit.SECONDS), vertx.getOrCreateContext())
                .transform(ar -> {
                    upstreamReachable = ar.succeeded() && !ar.result().isEmpty();
                    checks.put("upstream", upstreamReachable ? "ok (" + ar.result().size() + " brokers)"
                            : "unreachable: " + (ar.failed() ? String.valueOf(ar.cause().getMessage()) : "no brokers"));
                    boolean ready = checks.stream().allMatch(e -> String.valueOf(e.getValue()).startsWith("ok"));
                    return Future.succeededFuture(new JsonObject().put("status", ready ? "ready" : "not ready").put("checks", checks));
                });
        lastReadiness = result;
        lastReadinessAt = System.nanoTime();
        return result;
    }
}
