package io.warden.gateway.cluster;

import io.warden.gateway.auth.UpstreamIdentity;
import io.warden.gateway.config.HostPort;
import io.warden.gateway.config.UpstreamConfig;
import io.warden.gateway.config.UpstreamTlsConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicIdException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Collection;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * The gateway's own view of the upstream cluster, for the cases where no client response has told it yet: the
 * address of a broker a client connects to directly, the name behind a topic id, and whether the brokers auto-create
 * topics. Uses Kafka's own Admin
 * client (created on first use, on its own thread); results complete off the event loop, so callers hop back to
 * their context.
 */
public final class ClusterMetadataClient implements AutoCloseable {

    /** How often the brokers' {@value #AUTO_CREATE_TOPICS} is read again: it changes only when they restart. */
    public static final Duration AUTO_CREATE_TOPICS_REFRESH = Duration.ofMinutes(10);
    private static final String AUTO_CREATE_TOPICS = "auto.create.topics.enable";

    private final UpstreamConfig upstream;
    private final UpstreamNodes nodes;
    private final UpstreamIdentity identity;
    private Admin admin;
    private boolean closed;
    private volatile boolean autoCreatesTopics = true;

    public ClusterMetadataClient(UpstreamConfig upstream, UpstreamNodes nodes) {
        this(upstream, nodes, null);
    }

    /** With {@code identity} non-null the Admin client logs in to the brokers with SASL as the gateway. */
    public ClusterMetadataClient(UpstreamConfig upstream, UpstreamNodes nodes, UpstreamIdentity identity) {
        this.upstream = upstream;
        this.nodes = nodes;
        this.identity = identity;
    }

    /** Looks up the cluster's brokers and records their addresses in {@link UpstreamNodes}. */
    public CompletionStage<Map<Integer, HostPort>> refreshNodes() {
        return admin().thenCompose(a -> a.describeCluster().nodes().toCompletionStage()).thenApply(found -> {
            Map<Integer, HostPort> out = new HashMap<>();
            for (Node n : found) {
                HostPort hp = new HostPort(n.host(), n.port());
                nodes.learn(n.id(), hp);
                out.put(n.id(), hp);
            }
            return out;
        });
    }

    /**
     * Whether the brokers auto-create topics ({@value #AUTO_CREATE_TOPICS}), as {@link #refreshAutoCreateTopics} last
     * read it; true, Kafka's default, until it has been read once.
     */
    public boolean autoCreatesTopics() {
        return autoCreatesTopics;
    }

    /**
     * Reads {@value #AUTO_CREATE_TOPICS} from one of the cluster's brokers (DescribeConfigs, which needs
     * DESCRIBE_CONFIGS on the cluster for the gateway's principal) and remembers it for {@link #autoCreatesTopics}.
     */
    public CompletionStage<Boolean> refreshAutoCreateTopics() {
        return admin().thenCompose(a -> a.describeCluster().nodes().toCompletionStage().thenCompose(found -> {
            if (found.isEmpty()) {
                throw new IllegalStateException("the cluster described no broker");
            }
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, found.iterator().next().idString());
            return a.describeConfigs(List.of(broker)).values().get(broker).toCompletionStage();
        })).thenApply(config -> {
            ConfigEntry entry = config.get(AUTO_CREATE_TOPICS);
            if (entry == null || entry.value() == null) {
                throw new IllegalStateException("the broker did not describe " + AUTO_CREATE_TOPICS);
            }
            autoCreatesTopics = Boolean.parseBoolean(entry.value());
            return autoCreatesTopics;
        });
    }

    /** Names of the given topic ids; ids the cluster does not know are absent from the result. */
    public CompletionStage<Map<Uuid, String>> topicNames(Collection<Uuid> ids) {
        return admin().thenCompose(a -> topicNames(a, ids));
    }

    private static CompletionStage<Map<Uuid, String>> topicNames(Admin admin, Collection<Uuid> ids) {
        Map<Uuid, KafkaFuture<TopicDescription>> futures = admin
                .describeTopics(TopicCollection.ofTopicIds(ids), new DescribeTopicsOptions())
                .topicIdValues();
        Map<Uuid, String> out = new java.util.concurrent.ConcurrentHashMap<>();
        CompletableFuture<?>[] all = futures.entrySet().stream()
                .map(e -> e.getValue().toCompletionStage().toCompletableFuture()
                        .handle((d, err) -> {
                            if (d != null) {
                                out.put(e.getKey(), d.name());
                            } else if (!(unwrap(err) instanceof UnknownTopicIdException)) {
                                throw new IllegalStateException("topic id lookup failed: " + unwrap(err).getMessage(), unwrap(err));
                            }
                            return null;
                        }))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(all).thenApply(v -> Map.copyOf(out));
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * The Admin client, created on first use on another thread: creating it resolves the bootstrap names, which must
     * not happen on an event loop, and fails while none resolves (tried again on the next call).
     */
    private CompletionStage<Admin> admin() {
        synchronized (this) {
            if (admin != null) {
                return CompletableFuture.completedFuture(admin);
            }
        }
        return CompletableFuture.supplyAsync(this::createAdmin);
    }

    private synchronized Admin createAdmin() {
        if (closed) {
            throw new IllegalStateException("the cluster metadata client is closed");
        }
        if (admin == null) {
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, upstream.bootstrapServers().stream()
                    .map(HostPort::toString).collect(Collectors.joining(",")));
            p.put(AdminClientConfig.CLIENT_ID_CONFIG, "warden-gateway-metadata");
            int timeout = (int) upstream.metadataTimeout().toMillis();
            p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout);
            p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeout);
            p.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, (int) upstream.connectTimeout().toMillis());
            UpstreamTlsConfig tls = upstream.tls();
            if (tls != null) {
                p.put("security.protocol", "SSL");
                p.put("ssl.truststore.type", "PEM");
                p.put("ssl.truststore.location", tls.trustedCertificates().toString());
                p.put("ssl.endpoint.identification.algorithm", tls.hostnameVerification() ? "https" : "");
                if (tls.certificate() != null) {
                    try {
                        p.put("ssl.keystore.type", "PEM");
                        p.put("ssl.keystore.certificate.chain", Files.readString(tls.certificate()));
                        p.put("ssl.keystore.key", Files.readString(tls.key()));
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read the upstream TLS client certificate", e);
                    }
                }
            }
            if (identity != null) {
                p.put("security.protocol", tls == null ? "SASL_PLAINTEXT" : "SASL_SSL");
                p.put("sasl.mechanism", identity.mechanism());
                p.put("sasl.jaas.config", identity.jaasConfig());
            }
            admin = Admin.create(p);
        }
        return admin;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (admin != null) {
            admin.close(java.time.Duration.ofSeconds(5));
            admin = null;
        }
    }
}
