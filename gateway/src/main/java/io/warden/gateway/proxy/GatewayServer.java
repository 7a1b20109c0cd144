package io.warden.gateway.proxy;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.warden.gateway.auth.Authentication;
import io.warden.gateway.auth.AuthenticationSetup;
import io.warden.gateway.auth.Authorization;
import io.warden.gateway.auth.ReservedTopics;
import io.warden.gateway.admin.AdminServer;
import io.warden.gateway.admin.KafkaAclRequests;
import io.warden.gateway.admin.PolicyAdmin;
import io.warden.gateway.admin.PolicyStores;
import io.warden.policies.store.PolicyStore;
import io.warden.policies.store.PolicyVersion;
import io.warden.gateway.auth.UpstreamIdentity;
import io.warden.gateway.audit.GatewayAudit;
import io.warden.gateway.cluster.ClusterMetadataClient;
import io.warden.gateway.cluster.TopicNames;
import io.warden.gateway.cluster.UpstreamNodes;
import io.warden.gateway.config.ListenerConfig;
import io.warden.gateway.config.WardenConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A running gateway: every configured listener deployed on {@code instances} event loops, plus the state they
 * share (upstream node addresses, topic names, counters). Start with {@link #start}, stop with {@link #stop}.
 */
public final class GatewayServer {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);
    private static final long AUTO_CREATE_TOPICS_RETRY_MS = 30_000;

    private final Vertx vertx;
    private final GatewayContext context;
    private final List<String> deployments = new ArrayList<>();
    private final List<ListenerVerticle> verticles = new CopyOnWriteArrayList<>();
    private final List<TlsFileWatcher> watchers = new ArrayList<>();
    /** Guarded by this; null until {@link #watchQuotas}. */
    private QuotasFileWatcher quotasWatcher;
    private PolicyStore store;
    /** The policy version enforced, and the lock that keeps versions from being applied out of order. */
    private final Object policyLock = new Object();
    private long appliedPolicyVersion;
    private PolicyAdmin policyAdmin;
    private AdminServer adminServer;
    private volatile boolean shuttingDown;
    private volatile long autoCreateTopicsTimer = -1;
    /** Why the brokers' auto-creation setting could not be read last time, or null. */
    private volatile String autoCreateTopicsFailure;
    private volatile boolean stopped;

    private GatewayServer(Vertx vertx, GatewayContext context) {
        this.vertx = vertx;
        this.context = context;
    }

    /** Starts the gateway with one listener instance per available processor. */
    public static Future<GatewayServer> start(Vertx vertx, WardenConfig config) {
        return start(vertx, config, Runtime.getRuntime().availableProcessors());
    }

    public static Future<GatewayServer> start(Vertx vertx, WardenConfig config, int instances) {
        return vertx.executeBlocking(() -> {
                    Authentication authentication = AuthenticationSetup.start(config.authentication());
                    GatewayAudit audit = GatewayAudit.OFF;
                    PolicyStore store = null;
                    try {
                        UpstreamIdentity upstream = AuthenticationSetup.upstreamIdentity(config.upstream().sasl());
                        audit = GatewayAudit.open(config.audit());
                        store = config.authorization() == null ? null : PolicyStores.open(config.authorization());
                        return new Prepared(authentication, upstream, store, audit);
                    } catch (IOException | RuntimeException e) {
                        if (store != null) {
                            store.close();
                        }
                        audit.close();
                        if (authentication != null) {
                            authentication.close();
                        }
                        throw e;
                    }
                })
                .compose(prepared -> start(vertx, config, instances, prepared));
    }

    /** What is read from files and services before the listeners open. */
    private record Prepared(Authentication authentication, UpstreamIdentity upstreamIdentity, PolicyStore store,
                            GatewayAudit audit) {
    }

    private static Future<GatewayServer> start(Vertx vertx, WardenConfig config, int instances, Prepared prepared) {
        UpstreamNodes nodes = new UpstreamNodes();
        ClusterMetadataClient metadata = new ClusterMetadataClient(config.upstream(), nodes, prepared.upstreamIdentity());
        TopicNames topicNames = new TopicNames(metadata);
        PolicyStore store = prepared.store();
        PolicyVersion initialPolicy = store == null ? null : store.current();
        Authorization authorization = store == null ? null : new Authorization(initialPolicy.document(), topicNames,
                ReservedTopics.of(config.authorization().kafkaStore() == null ? null : config.authorization().kafkaStore().topic(),
                        config.audit() == null || config.audit().kafka() == null ? null : config.audit().kafka().topic()),
                metadata::autoCreatesTopics);
        PolicyAdmin policyAdmin = store == null ? null : new PolicyAdmin(store, prepared.audit());
        GatewayContext context = new GatewayContext(config, nodes, topicNames, metadata, new GatewayStats(),
                new ClusterApiVersions(), prepared.authentication(),
                prepared.upstreamIdentity() == null ? null : new UpstreamLogin(prepared.upstreamIdentity()), authorization,
                prepared.audit(), policyAdmin == null ? null : new KafkaAclRequests(policyAdmin), new ClientQuotas(config.quotas()),
                config.admin() == null ? GatewayMetrics.OFF : GatewayMetrics.prometheus(config.admin().metrics()),
                GroupMemberHosts.forConnections(config.limits().maxConnections()), new RecentAutoCreations());
        GatewayServer server = new GatewayServer(vertx, context);
        server.store = store;
        server.policyAdmin = policyAdmin;
        if (store != null) {
            // Follow the store before anything is served, and catch up with a version that came meanwhile.
            server.appliedPolicyVersion = initialPolicy.version();
            store.onChange(version -> server.applyPolicy(version));
            server.applyPolicy(store.current());
        }
        // The TLS files as they are before the servers load them: a replacement made meanwhile is then reloaded.
        Future<Void> chain = server.watchTlsFiles();
        for (ListenerConfig listener : config.listeners()) {
            chain = chain.compose(v -> vertx.deployVerticle(() -> {
                        ListenerVerticle verticle = new ListenerVerticle(listener, context);
                        server.verticles.add(verticle);
                        return verticle;
                    }, new DeploymentOptions().setInstances(instances))
                    .onSuccess(id -> {
                        server.deployments.add(id);
                        server.logStarted(listener);
                    })
                    .mapEmpty());
        }
        if (config.admin() != null) {
            GatewayOperations operations = new GatewayOperations(vertx, context, () -> server.store, () -> server.shuttingDown);
            chain = chain.compose(v -> AdminServer.start(vertx, config.admin(), policyAdmin, authorization, context.audit(), operations)
                    .onSuccess(admin -> server.adminServer = admin)
                    .mapEmpty());
        }
        return chain
                .map(v -> {
                    server.prebindBrokerPorts();
                    server.watchers.forEach(TlsFileWatcher::start);
                    server.learnAutoCreateTopics();
                    server.followPolicy();
                    return server;
                })
                .onFailure(e -> server.stop());
    }

    /** One line per listener: its name, the address it is bound to, and how clients must connect. */
    private void logStarted(ListenerConfig listener) {
        int port = verticles.stream().filter(v -> v.listenerConfig() == listener).mapToInt(ListenerVerticle::boundPort)
                .filter(p -> p > 0).findFirst().orElse(listener.bootstrapPort());
        LOG.info("event=listener_started listener={} address={}:{} advertised={} broker_ports={} security={}{}{}",
                listener.name(), listener.bindHost(), port, listener.advertisedHost(), listener.brokerPorts(),
                listener.securityProtocol(),
                listener.tls() == null ? "" : " client_auth=" + listener.tls().clientAuth().name().toLowerCase(java.util.Locale.ROOT)
                        + " tls_engine=" + (listener.tls().usesOpenSsl() ? "openssl" : "jdk"),
                listener.sasl() == null ? "" : " sasl_mechanisms=" + String.join(",", listener.sasl().mechanisms()));
    }

    /**
     * Applies every new policy version to the next request on every connection, whether it came from the admin API,
     * Kafka's ACL APIs, an edit of the policy file or another gateway sharing the store; each is audited.
     */
    private void followPolicy() {
        if (store == null) {
            return;
        }
        context.audit().policyChanged(store.current(), "startup");
    }

    /** Enforces {@code version} from the next request on, unless a later one already is (versions only go up). */
    private void applyPolicy(PolicyVersion version) {
        synchronized (policyLock) {
            if (version.version() <= appliedPolicyVersion) {
                return;
            }
            appliedPolicyVersion = version.version();
            context.authorization().replace(version.document());
        }
        context.audit().policyChanged(version, "store");
        LOG.info("event=policy_applied version={} author=\"{}\" acl_bindings={}", version.version(), version.author(),
                version.document().bindings().size());
    }

    /**
     * A watcher for the TLS files of every listener and of the admin API, each with its note of the files taken now,
     * before the servers load them; {@link TlsFileWatcher#start} once they are serving.
     */
    private Future<Void> watchTlsFiles() {
        for (ListenerConfig listener : context.config().listeners()) {
            if (listener.tls() != null) {
                watchers.add(new TlsFileWatcher(vertx, listener, context.stats(), tls -> Future.all(verticles.stream()
                        .filter(v -> v.listenerConfig() == listener)
                        .map(v -> v.reloadTls(tls))
                        .toList())));
            }
        }
        if (context.config().admin() != null && context.config().admin().tls() != null) {
            watchers.add(new TlsFileWatcher(vertx, "admin-api", context.config().admin().tls(), context.stats(),
                    tls -> adminServer.reloadTls(tls)));
        }
        return Future.all(watchers.stream().map(TlsFileWatcher::snapshot).toList()).mapEmpty();
    }

    /**
     * Learns the cluster's brokers in the background and binds their ports, so clients that remember a broker
     * address from before a gateway restart can reconnect without going through bootstrap first.
     */
    private void prebindBrokerPorts() {
        context.metadata().refreshNodes().whenComplete((nodes, err) -> {
            if (err != null) {
                LOG.info("event=upstream_not_reachable_yet reason=\"{}\"", err.getMessage());
                return;
            }
            verticles.forEach(v -> v.bindKnownBrokers(nodes.keySet()));
        });
    }

    /**
     * Learns whether the brokers auto-create topics, for Metadata's answers about missing ones
     * ({@link io.warden.gateway.enforce.Access#clusterAutoCreatesTopics}): now, then every
     * {@link ClusterMetadataClient#AUTO_CREATE_TOPICS_REFRESH}, or in {@value #AUTO_CREATE_TOPICS_RETRY_MS} ms while it
     * cannot be read. Only with a policy: nothing else asks.
     */
    private void learnAutoCreateTopics() {
        if (context.authorization() == null || stopped) {
            return;
        }
        boolean before = context.metadata().autoCreatesTopics();
        context.metadata().refreshAutoCreateTopics().whenComplete((enabled, err) -> {
            String failure = err == null ? null : String.valueOf(err.getMessage());
            if (failure != null && !failure.equals(autoCreateTopicsFailure)) {
                // Once per reason, not at every retry: a gateway principal without DESCRIBE_CONFIGS stays so.
                LOG.info("event=auto_create_topics_unknown reason=\"{}\" retry_seconds={}", failure, AUTO_CREATE_TOPICS_RETRY_MS / 1000);
            } else if (err == null && enabled != before) {
                LOG.info("event=auto_create_topics enabled={}", enabled);
            }
            autoCreateTopicsFailure = failure;
            long delay = err != null ? AUTO_CREATE_TOPICS_RETRY_MS : ClusterMetadataClient.AUTO_CREATE_TOPICS_REFRESH.toMillis();
            if (!stopped) {
                autoCreateTopicsTimer = vertx.setTimer(delay, id -> learnAutoCreateTopics());
            }
        });
    }

    /**
     * The network servers the gateway's listeners hold, on every event loop: bootstrap servers and one per broker port
     * bound.
     */
    public int listenerServers() {
        return verticles.stream().mapToInt(ListenerVerticle::serverCount).sum();
    }

    public WardenConfig config() {
        return context.config();
    }

    public GatewayStats stats() {
        return context.stats();
    }

    /** The policy and its edits; null without an authorization section. */
    public PolicyAdmin policyAdmin() {
        return policyAdmin;
    }

    /** The admin API's port, or -1 when it is not configured. */
    public int adminPort() {
        return adminServer == null ? -1 : adminServer.port();
    }

    /** The audit trail; {@link GatewayAudit#OFF} when not configured. */
    public GatewayAudit audit() {
        return context.audit();
    }

    public TopicNames topicNames() {
        return context.topicNames();
    }

    public UpstreamNodes upstreamNodes() {
        return context.nodes();
    }

    /**
     * Stops gracefully: readiness answers "shutting down", every listener stops accepting, requests already read from
     * clients are answered for at most {@code drainTimeout} (each connection closes once it has nothing in flight),
     * what is still open then is closed, and {@link #stop} writes out the audit trail. Completes with the number of
     * requests abandoned at the deadline.
     */
    public Future<Integer> shutdown(Duration drainTimeout) {
        long started = System.nanoTime();
        shuttingDown = true;
        LOG.info("event=shutdown_started drain_timeout={}s connections={}", drainTimeout.toSeconds(),
                context.stats().connections().size());
        List<Future<Integer>> drains = new ArrayList<>();
        verticles.forEach(v -> drains.add(v.drain(drainTimeout)));
        return Future.join(drains)
                .transform(ar -> {
                    int abandoned = drains.stream().filter(Future::succeeded).mapToInt(Future::result).sum();
                    return stop().map(abandoned);
                })
                .onSuccess(abandoned -> LOG.info("event=shutdown_complete in_flight_abandoned={} duration_ms={} "
                                + "audit_written={} audit_dropped={} audit_failed={}", abandoned,
                        Duration.ofNanos(System.nanoTime() - started).toMillis(), context.audit().written(),
                        context.audit().dropped(), context.audit().failed()));
    }

    /**
     * Keeps the byte-rate quotas on {@code configFile}'s {@code quotas}, checked every {@code interval}, until the gateway
     * stops: the file this gateway was started from, so that quotas change without a restart (see
     * {@link QuotasFileWatcher}).
     */
    public synchronized void watchQuotas(Path configFile, Duration interval) {
        if (quotasWatcher != null || stopped) {
            throw new IllegalStateException("the quotas are already watched, or the gateway stopped");
        }
        quotasWatcher = new QuotasFileWatcher(vertx, configFile, interval, context.quotas(), context.audit());
        quotasWatcher.start();
    }

    /** True once {@link #shutdown} has begun. */
    public boolean shuttingDown() {
        return shuttingDown;
    }

    /** Stops accepting, closes every connection and the metadata client. */
    public Future<Void> stop() {
        stopped = true;
        vertx.cancelTimer(autoCreateTopicsTimer);
        watchers.forEach(TlsFileWatcher::stop);
        synchronized (this) {
            if (quotasWatcher != null) {
                quotasWatcher.stop();
            }
        }
        List<Future<Void>> undeploying = new ArrayList<>();
        if (adminServer != null) {
            undeploying.add(adminServer.stop());
        }
        deployments.forEach(id -> undeploying.add(vertx.undeploy(id)));
        deployments.clear();
        return Future.join(undeploying)
                .eventually(() -> vertx.executeBlocking(() -> {
                    context.metadata().close();
                    if (context.authentication() != null) {
                        context.authentication().close();
                    }
                    if (store != null) {
                        store.close();
                    }
                    context.audit().close();
                    return null;
                }))
                .mapEmpty();
    }
}
