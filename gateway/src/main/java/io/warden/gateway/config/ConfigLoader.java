package io.warden.gateway.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.warden.audit.AuditLog;
import io.warden.audit.FileSinkConfig;
import io.warden.audit.PemKeys;
import io.warden.authn.CertificatePrincipals;
import io.warden.authn.oauth.JwtSettings;
import io.warden.authn.store.SecretsManagerSettings;
import io.warden.certs.SecretVariableNames;
import io.warden.policies.PolicyException;
import io.warden.policies.PolicyParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the YAML configuration into {@link WardenConfig}, rejecting anything it does not understand with a
 * {@link ConfigException} whose message names the file, the field and what is expected.
 */
public final class ConfigLoader {

    /** A key given twice is an error, not a silent "last one wins". */
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private final String source;
    private final Path baseDir;
    /** Where the variables named by {@code passwordEnv} and {@code keyStorePasswordEnv} are read. */
    private final Function<String, String> environment;

    private ConfigLoader(String source, Path baseDir, Function<String, String> environment) {
        this.source = source;
        this.baseDir = baseDir;
        this.environment = environment;
    }

    public static WardenConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": file not found");
        } catch (java.nio.charset.CharacterCodingException e) {
            // the exception's own message is only "Input length = 1"
            throw new ConfigException(file + ": not valid UTF-8 text (save the file as UTF-8)");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        return parse(file.toString(), text, file.toAbsolutePath().getParent());
    }

    public static WardenConfig parse(String source, String yaml) {
        return parse(source, yaml, Path.of("").toAbsolutePath());
    }

    /**
     * What is wrong with the YAML, without the copy of the offending line the parser's own message carries: that line
     * may hold a password.
     */
    private static String yamlProblem(JsonProcessingException e) {
        String text = e.getOriginalMessage(); // Jackson's own (a key given twice) name the key, not the line
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException marked) {
                String problem = marked.getProblem() == null ? "" : marked.getProblem();
                text = marked.getContext() == null ? problem : marked.getContext() + ", " + problem;
                break;
            }
        }
        return text == null ? "" : text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
    }

    /**
     * The mapper reads the first YAML document only: sections after a {@code ---} would be ignored without a word (an
     * {@code authorization} or {@code audit} there never applied), so anything but an empty document after it is refused.
     */
    private static void checkNoFurtherDocument(String source, JsonParser parser) throws IOException {
        for (JsonToken t = parser.nextToken(); t != null; t = parser.nextToken()) {
            if (t != JsonToken.VALUE_NULL) {
                throw new ConfigException(source + ": a second YAML document (line " + parser.currentTokenLocation().getLineNr()
                        + ") would be ignored; the configuration is one document: put every section in the first and remove the '---'");
            }
        }
    }

    /** Parses YAML; relative file paths in it are resolved against {@code baseDir} (the file's folder). */
    public static WardenConfig parse(String source, String yaml, Path baseDir) {
        return parse(source, yaml, baseDir, System::getenv);
    }

    /** As {@link #parse(String, String, Path)}, with the environment variables {@code environment} gives. */
    static WardenConfig parse(String source, String yaml, Path baseDir, Function<String, String> environment) {
        JsonNode root;
        try (JsonParser parser = YAML.createParser(yaml)) {
            root = YAML.readTree(parser);
            checkNoFurtherDocument(source, parser);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw new ConfigException(source + ": not valid YAML" + where + ": " + yamlProblem(e));
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot read: " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = YAML.createObjectNode();
        }
        return new ConfigLoader(source, baseDir, environment).root(root);
    }

    private WardenConfig root(JsonNode root) {
        ObjectNode obj = object(root, "(top level)");
        allowOnly(obj, "", "listeners", "upstream", "limits", "quotas", "authentication", "authorization", "audit", "admin",
                "shutdown", "transport");

        JsonNode upstreamNode = obj.get("upstream");
        if (upstreamNode == null) {
            throw fail("upstream", "is required: the Kafka cluster behind the gateway, e.g. upstream: {bootstrapServers: [\"kafka:9092\"]}");
        }
        UpstreamConfig upstream = upstream(upstreamNode);

        JsonNode listenersNode = obj.get("listeners");
        List<ListenerConfig> listeners = new ArrayList<>();
        if (listenersNode == null) {
            throw fail("listeners", "is required: there is no implicit listener, so nothing is plaintext unless configured; "
                    + "e.g. TLS on 9094 as MSK has it: listeners: [{name: tls, bootstrapPort: 9094, brokerPorts: 9200-9299, "
                    + "tls: {certificate: warden-chain.crt, key: warden.key}}]");
        } else {
            if (!listenersNode.isArray() || listenersNode.isEmpty()) {
                throw fail("listeners", "expected a non-empty list of listeners");
            }
            for (int i = 0; i < listenersNode.size(); i++) {
                listeners.add(listener(listenersNode.get(i), "listeners[" + i + "]"));
            }
        }
        checkDistinct(listeners);

        LimitsConfig limits = new LimitsConfig(LimitsConfig.DEFAULT_MAX_FRAME_BYTES);
        JsonNode limitsNode = obj.get("limits");
        if (limitsNode != null) {
            ObjectNode l = object(limitsNode, "limits");
            allowOnly(l, "limits", "maxFrameBytes", "maxConnections", "maxConnectionsPerIp", "idleTimeoutSeconds",
                    "maxConnectionCreationRatePerIp", "loginTimeoutSeconds", "ipOverrides");
            int max = intField(l, "limits", "maxFrameBytes", LimitsConfig.DEFAULT_MAX_FRAME_BYTES, 1024, Integer.MAX_VALUE);
            int connections = intField(l, "limits", "maxConnections", LimitsConfig.DEFAULT_MAX_CONNECTIONS, 1, Integer.MAX_VALUE);
            int perIp = intField(l, "limits", "maxConnectionsPerIp", LimitsConfig.DEFAULT_MAX_CONNECTIONS_PER_IP, 1, Integer.MAX_VALUE);
            int idle = intField(l, "limits", "idleTimeoutSeconds", (int) LimitsConfig.DEFAULT_IDLE_TIMEOUT.toSeconds(), 0, 7 * 86_400);
            int creationRate = intField(l, "limits", "maxConnectionCreationRatePerIp",
                    LimitsConfig.DEFAULT_MAX_CONNECTION_CREATION_RATE_PER_IP, 0, Integer.MAX_VALUE);
            int login = intField(l, "limits", "loginTimeoutSeconds", (int) LimitsConfig.DEFAULT_LOGIN_TIMEOUT.toSeconds(), 0, 3_600);
            limits = new LimitsConfig(max, connections, perIp, Duration.ofSeconds(idle), creationRate, Duration.ofSeconds(login),
                    l.has("ipOverrides") ? ipOverrides(object(l.get("ipOverrides"), "limits.ipOverrides"), "limits.ipOverrides") : Map.of());
        }
        QuotasConfig quotas = obj.has("quotas") ? quotas(object(obj.get("quotas"), "quotas")) : null;
        AuthenticationConfig authentication = obj.has("authentication")
                ? authentication(object(obj.get("authentication"), "authentication")) : null;
        for (int i = 0; i < listeners.size(); i++) {
            SaslListenerConfig sasl = listeners.get(i).sasl();
            if (sasl == null) {
                continue;
            }
            String path = "listeners[" + i + "].sasl.mechanisms";
            for (String m : sasl.mechanisms()) {
                if (m.equals("OAUTHBEARER") && (authentication == null || authentication.oauthBearer() == null)) {
                    throw fail(path, "OAUTHBEARER needs authentication.oauthBearer (the identity provider's JWKS, issuer and audience)");
                }
                if (!m.equals("OAUTHBEARER") && (authentication == null || !authentication.hasUsers())) {
                    throw fail(path, m + " needs a user store: authentication.users.file or authentication.users.secretsManager");
                }
            }
        }
        AuthorizationConfig authorization = obj.has("authorization")
                ? authorization(object(obj.get("authorization"), "authorization")) : null;
        AuditConfig audit = obj.has("audit") ? audit(object(obj.get("audit"), "audit")) : null;
        AdminConfig admin = obj.has("admin") ? admin(object(obj.get("admin"), "admin")) : null;
        if (admin != null) {
            checkAdminPortFree(admin.port(), listeners);
        }
        ShutdownConfig shutdown = obj.has("shutdown") ? shutdown(object(obj.get("shutdown"), "shutdown")) : ShutdownConfig.DEFAULT;
        return new WardenConfig(listeners, upstream, limits, authentication, authorization, audit, admin, quotas, shutdown,
                transport(obj.get("transport")));
    }

    private NetworkTransport transport(JsonNode node) {
        if (node == null) {
            return NetworkTransport.AUTO;
        }
        for (NetworkTransport t : NetworkTransport.values()) {
            if (node.isTextual() && node.asText().equals(t.key())) {
                return t;
            }
        }
        throw fail("transport", "expected auto, epoll or nio, got " + describe(node));
    }

    private ShutdownConfig shutdown(ObjectNode s) {
        allowOnly(s, "shutdown", "drainTimeoutSeconds");
        int drain = intField(s, "shutdown", "drainTimeoutSeconds", (int) ShutdownConfig.DEFAULT_DRAIN_TIMEOUT.toSeconds(), 0, 3_600);
        return new ShutdownConfig(Duration.ofSeconds(drain));
    }

    /** Limits of their own for some IP addresses, by address in Java's notation. */
    private Map<String, LimitsConfig.IpLimits> ipOverrides(ObjectNode o, String path) {
        Map<String, LimitsConfig.IpLimits> overrides = new java.util.LinkedHashMap<>();
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String ip = it.next();
            String ipPath = path + ".\"" + ip + "\"";
            String address;
            try {
                address = io.warden.policies.Hosts.canonicalAddress(ip);
            } catch (IllegalArgumentException e) {
                throw fail(ipPath, "expected an IP address such as 10.1.2.3 (as Kafka, the client's address is compared; "
                        + "no host names or CIDR blocks): " + e.getMessage());
            }
            ObjectNode entry = object(o.get(ip), ipPath);
            allowOnly(entry, ipPath, "maxConnections", "maxConnectionCreationRate");
            Integer connections = entry.has("maxConnections") ? intField(entry, ipPath, "maxConnections", 0, 1, Integer.MAX_VALUE) : null;
            Integer rate = entry.has("maxConnectionCreationRate")
                    ? intField(entry, ipPath, "maxConnectionCreationRate", 0, 0, Integer.MAX_VALUE) : null;
            if (connections == null && rate == null) {
                throw fail(ipPath, "gives no limit; expected maxConnections and/or maxConnectionCreationRate");
            }
            LimitsConfig.IpLimits previous = overrides.put(address, new LimitsConfig.IpLimits(connections, rate));
            if (previous != null) {
                throw fail(ipPath, "is the address " + address + " again, given once already in another notation");
            }
        }
        return overrides;
    }

    /** Byte-rate quotas; null when they limit nobody. */
    private QuotasConfig quotas(ObjectNode q) {
        String path = "quotas";
        allowOnly(q, path, "default", "principals", "clients", "windowSamples", "windowSampleSeconds");
        QuotasConfig.PrincipalRates defaults = q.has("default")
                ? principalRates(object(q.get("default"), path + ".default"), path + ".default") : QuotasConfig.PrincipalRates.NONE;
        Map<String, QuotasConfig.PrincipalRates> principals = new java.util.LinkedHashMap<>();
        if (q.has("principals")) {
            ObjectNode entries = object(q.get("principals"), path + ".principals");
            for (Iterator<String> it = entries.fieldNames(); it.hasNext(); ) {
                String principal = it.next();
                String pp = path + ".principals.\"" + principal + "\"";
                int colon = principal.indexOf(':');
                if (colon <= 0 || colon == principal.length() - 1) {
                    throw fail(pp, "a principal must be Type:name, e.g. User:alice");
                }
                if (!principal.startsWith("User:")) {
                    throw fail(pp, "has type '" + principal.substring(0, colon)
                            + "'; Warden's clients are User principals (the type is case-sensitive), e.g. User:alice");
                }
                QuotasConfig.PrincipalRates rates = principalRates(object(entries.get(principal), pp), pp);
                if (rates.unlimited()) {
                    throw fail(pp, "gives no rate; expected produceBytesPerSecond and/or fetchBytesPerSecond, or rates by client id under clients");
                }
                principals.put(principal, rates);
            }
        }
        QuotasConfig.ClientRates clients = clientRates(q, path);
        int samples = intField(q, path, "windowSamples", QuotasConfig.DEFAULT_WINDOW_SAMPLES, 2, 100);
        int sampleSeconds = intField(q, path, "windowSampleSeconds", (int) QuotasConfig.DEFAULT_SAMPLE_LENGTH.toSeconds(), 1, 60);
        QuotasConfig quotas = new QuotasConfig(defaults, principals, clients, samples, Duration.ofSeconds(sampleSeconds));
        return quotas.unlimited() ? null : quotas;
    }

    /** A principal's (or the default principal's) own rates and, under {@code clients}, its rates by client id. */
    private QuotasConfig.PrincipalRates principalRates(ObjectNode p, String path) {
        allowOnly(p, path, "produceBytesPerSecond", "fetchBytesPerSecond", "clients");
        return new QuotasConfig.PrincipalRates(rates(p, path), clientRates(p, path));
    }

    /** The rates by client id under {@code parent.clients}: {@code default} and {@code ids}; none when it is absent. */
    private QuotasConfig.ClientRates clientRates(ObjectNode parent, String path) {
        if (!parent.has("clients")) {
            return QuotasConfig.ClientRates.NONE;
        }
        String cp = path + ".clients";
        ObjectNode c = object(parent.get("clients"), cp);
        allowOnly(c, cp, "default", "ids");
        QuotasConfig.ByteRates defaults = c.has("default") ? byteRates(object(c.get("default"), cp + ".default"), cp + ".default")
                : QuotasConfig.ByteRates.NONE;
        Map<String, QuotasConfig.ByteRates> ids = new java.util.LinkedHashMap<>();
        if (c.has("ids")) {
            ObjectNode entries = object(c.get("ids"), cp + ".ids");
            for (Iterator<String> it = entries.fieldNames(); it.hasNext(); ) {
                String id = it.next(); // any client id, the empty one too
                String idPath = cp + ".ids.\"" + id + "\"";
                QuotasConfig.ByteRates rates = byteRates(object(entries.get(id), idPath), idPath);
                if (rates.unlimited()) {
                    throw fail(idPath, "gives no rate; expected produceBytesPerSecond and/or fetchBytesPerSecond");
                }
                ids.put(id, rates);
            }
        }
        return new QuotasConfig.ClientRates(defaults, ids);
    }

    private QuotasConfig.ByteRates byteRates(ObjectNode r, String path) {
        allowOnly(r, path, "produceBytesPerSecond", "fetchBytesPerSecond");
        return rates(r, path);
    }

    /** The produce and fetch rates in {@code r}, whose keys the caller has checked. */
    private QuotasConfig.ByteRates rates(ObjectNode r, String path) {
        return new QuotasConfig.ByteRates(
                longField(r, path, "produceBytesPerSecond", QuotasConfig.ByteRates.UNLIMITED, 1, Long.MAX_VALUE),
                longField(r, path, "fetchBytesPerSecond", QuotasConfig.ByteRates.UNLIMITED, 1, Long.MAX_VALUE));
    }

    private AdminConfig admin(ObjectNode a) {
        String path = "admin";
        allowOnly(a, path, "bindHost", "port", "tls", "jwt", "certificateRoles", "metrics");
        String bindHost = a.has("bindHost") ? text(a.get("bindHost"), path + ".bindHost") : "127.0.0.1";
        if (!a.has("port")) {
            throw fail(path + ".port", "is required: the port the admin API listens on, e.g. 9180");
        }
        int port = intField(a, path, "port", 0, 1, 65535);
        TlsConfig tls = a.has("tls") ? tls(object(a.get("tls"), path + ".tls"), path + ".tls") : null;
        if (tls == null && !isLoopback(bindHost)) {
            throw fail(path + ".tls", "is required when the admin API listens beyond loopback (bindHost " + bindHost + ")");
        }
        JwtSettings jwt = null;
        String rolesClaim = null;
        if (a.has("jwt")) {
            ObjectNode j = object(a.get("jwt"), path + ".jwt");
            rolesClaim = j.has("rolesClaim") ? text(j.get("rolesClaim"), path + ".jwt.rolesClaim") : null;
            ObjectNode settings = j.deepCopy();
            settings.remove("rolesClaim");
            jwt = oauthBearer(settings, path + ".jwt");
        }
        Map<String, String> certificateRoles = new java.util.LinkedHashMap<>();
        if (a.has("certificateRoles")) {
            ObjectNode c = object(a.get("certificateRoles"), path + ".certificateRoles");
            for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
                String principal = it.next();
                String role = text(c.get(principal), path + ".certificateRoles." + principal);
                if (!AdminConfig.ROLES.contains(role)) {
                    throw fail(path + ".certificateRoles." + principal, "unknown role '" + role + "'; expected "
                            + AdminConfig.POLICY_ADMIN + ", " + AdminConfig.AUDITOR + " or " + AdminConfig.METRICS_READER);
                }
                certificateRoles.put(principal, role);
            }
            if (tls == null || tls.clientAuth() == TlsConfig.ClientAuth.NONE) {
                throw fail(path + ".certificateRoles", "needs admin.tls with clientAuth requested or required");
            }
        }
        MetricsConfig metrics = metrics(a.has("metrics") ? object(a.get("metrics"), path + ".metrics") : YAML.createObjectNode(),
                path + ".metrics", bindHost);
        if (metrics.authenticated() && jwt == null && certificateRoles.isEmpty()) {
            throw fail(path + ".metrics.authentication", "is required (the default beyond loopback, bindHost " + bindHost
                    + "), which needs admin.jwt or admin.certificateRoles to know who reads /metrics; set it to none to"
                    + " serve /metrics to anyone who reaches the admin port");
        }
        return new AdminConfig(bindHost, port, tls, jwt, rolesClaim, certificateRoles, metrics);
    }

    private MetricsConfig metrics(ObjectNode m, String path, String bindHost) {
        allowOnly(m, path, "enabled", "maxTopicSeries", "maxPrincipalSeries", "authentication");
        boolean enabled = bool(m, path, "enabled", true);
        boolean authenticated = !isLoopback(bindHost);
        if (m.has("authentication")) {
            authenticated = switch (text(m.get("authentication"), path + ".authentication")) {
                case "required" -> true;
                case "none" -> false;
                default -> throw fail(path + ".authentication", "expected required or none");
            };
        }
        return new MetricsConfig(enabled,
                intField(m, path, "maxTopicSeries", MetricsConfig.DEFAULT_MAX_SERIES, 0, 10_000),
                intField(m, path, "maxPrincipalSeries", MetricsConfig.DEFAULT_MAX_SERIES, 0, 10_000), authenticated);
    }

    /** A topic on a Kafka cluster, with client settings: the audit sink's and the policy store's. */
    private record KafkaTarget(List<String> bootstrapServers, String topic, Map<String, String> properties) {
    }

    private KafkaTarget kafkaTarget(ObjectNode k, String kp, String topicMeaning) {
        allowOnly(k, kp, "bootstrapServers", "topic", "properties");
        JsonNode servers = k.get("bootstrapServers");
        if (servers == null || !servers.isArray() || servers.isEmpty()) {
            throw fail(kp + ".bootstrapServers", "expected a non-empty list of host:port");
        }
        List<String> bootstrap = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            String hp = text(servers.get(i), kp + ".bootstrapServers[" + i + "]");
            convert(hp, kp + ".bootstrapServers[" + i + "]", HostPort::parse);
            // Spaces around an entry are dropped, as Kafka drops them from bootstrap.servers.
            bootstrap.add(hp.trim());
        }
        if (!k.has("topic")) {
            throw fail(kp + ".topic", "is required: " + topicMeaning);
        }
        String topic = text(k.get("topic"), kp + ".topic");
        Map<String, String> props = new java.util.LinkedHashMap<>();
        if (k.has("properties")) {
            ObjectNode p = object(k.get("properties"), kp + ".properties");
            for (Iterator<String> it = p.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                props.put(name, text(p.get(name), kp + ".properties." + name));
            }
        }
        return new KafkaTarget(bootstrap, topic, props);
    }

    /** An IPv4 address in 127.0.0.0/8, written as one: a DNS name starting with "127." may resolve to any address. */
    private static final java.util.regex.Pattern IPV4_LOOPBACK = java.util.regex.Pattern.compile(
            "127(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || IPV4_LOOPBACK.matcher(host).matches() || host.equals("::1");
    }

    private AuditConfig audit(ObjectNode a) {
        String path = "audit";
        allowOnly(a, path, "mode", "queueCapacity", "queueMaxBytes", "maxBatch", "file", "stdout", "kafka");
        AuditLog.Mode mode = AuditLog.Mode.BEST_EFFORT;
        if (a.has("mode")) {
            String m = text(a.get("mode"), path + ".mode");
            mode = switch (m) {
                case "best-effort" -> AuditLog.Mode.BEST_EFFORT;
                case "fail-closed" -> AuditLog.Mode.FAIL_CLOSED;
                default -> throw fail(path + ".mode", "unknown mode '" + m + "'; expected best-effort or fail-closed");
            };
        }
        int capacity = intField(a, path, "queueCapacity", AuditConfig.DEFAULT_QUEUE_CAPACITY, 16, 16 * 1024 * 1024);
        int queueMaxBytes = intField(a, path, "queueMaxBytes", (int) AuditLog.DEFAULT_MAX_QUEUED_BYTES, 1024 * 1024, Integer.MAX_VALUE);
        int maxBatch = intField(a, path, "maxBatch", AuditConfig.DEFAULT_MAX_BATCH, 1, 1_000_000);
        FileSinkConfig file = null;
        if (a.has("file")) {
            String fp = path + ".file";
            ObjectNode f = object(a.get("file"), fp);
            allowOnly(f, fp, "directory", "signingKey", "maxSegmentBytes", "maxSegmentAgeSeconds", "checkpointSeconds");
            if (!f.has("directory")) {
                throw fail(fp + ".directory", "is required: where the audit segments are written");
            }
            if (!f.has("signingKey")) {
                throw fail(fp + ".signingKey", "is required: the PEM private key (Ed25519, ECDSA P-256 or RSA) that seals each segment");
            }
            Path dir = baseDir.resolve(text(f.get("directory"), fp + ".directory"));
            Path key = file(f, fp, "signingKey");
            check(fp + ".signingKey", () -> {
                try {
                    PemKeys.readPrivateKey(key);
                } catch (java.io.IOException | java.security.GeneralSecurityException | RuntimeException e) {
                    throw new IllegalArgumentException(key + ": not a usable private key (" + e.getClass().getSimpleName() + ")");
                }
            });
            long maxBytes = intField(f, fp, "maxSegmentBytes", (int) FileSinkConfig.DEFAULT_MAX_SEGMENT_BYTES, 4096, Integer.MAX_VALUE);
            int maxAge = intField(f, fp, "maxSegmentAgeSeconds", 86_400, 0, 366 * 86_400);
            int checkpoint = intField(f, fp, "checkpointSeconds", (int) FileSinkConfig.DEFAULT_CHECKPOINT_INTERVAL.toSeconds(), 0, 86_400);
            file = new FileSinkConfig(dir, maxBytes, maxAge == 0 ? null : Duration.ofSeconds(maxAge), key,
                    checkpoint == 0 ? null : Duration.ofSeconds(checkpoint));
        }
        boolean stdout = bool(a, path, "stdout", false);
        AuditConfig.KafkaSinkConfig kafka = null;
        if (a.has("kafka")) {
            KafkaTarget target = kafkaTarget(object(a.get("kafka"), path + ".kafka"), path + ".kafka", "the topic audit events are written to");
            kafka = new AuditConfig.KafkaSinkConfig(target.bootstrapServers(), target.topic(), target.properties());
        }
        if (file == null && !stdout && kafka == null) {
            throw fail(path, "configures no sink; give at least one of file, stdout: true or kafka");
        }
        return new AuditConfig(mode, capacity, maxBatch, file, stdout, kafka, queueMaxBytes);
    }

    private AuthorizationConfig authorization(ObjectNode a) {
        String path = "authorization";
        allowOnly(a, path, "policyFile", "reloadCheckSeconds", "kafkaStore");
        if (!a.has("policyFile")) {
            throw fail(path + ".policyFile", "is required: the YAML policy every request is checked against");
        }
        Path policy = file(a, path, "policyFile");
        try {
            PolicyParser.load(policy);
        } catch (PolicyException e) {
            throw fail(path + ".policyFile", e.getMessage());
        }
        int seconds = intField(a, path, "reloadCheckSeconds", (int) AuthorizationConfig.DEFAULT_RELOAD_CHECK.toSeconds(), 1, 3600);
        PolicyStoreConfig store = null;
        if (a.has("kafkaStore")) {
            String kp = path + ".kafkaStore";
            KafkaTarget target = kafkaTarget(object(a.get("kafkaStore"), kp), kp, "the compacted topic the policy is shared through");
            store = new PolicyStoreConfig(target.bootstrapServers(), target.topic(), target.properties());
        }
        return new AuthorizationConfig(policy, Duration.ofSeconds(seconds), store);
    }

    private AuthenticationConfig authentication(ObjectNode a) {
        String path = "authentication";
        allowOnly(a, path, "users", "oauthBearer", "failureDelayMs", "sessionLifetimeSeconds", "allowLegacyScramNonce",
                "unknownUserKeyEnv");
        Path usersFile = null;
        SecretsManagerSettings secrets = null;
        if (a.has("users")) {
            ObjectNode u = object(a.get("users"), path + ".users");
            allowOnly(u, path + ".users", "file", "secretsManager");
            if (u.has("file") == u.has("secretsManager")) {
                throw fail(path + ".users", "give exactly one of file (a local user store) or secretsManager");
            }
            if (u.has("file")) {
                usersFile = file(u, path + ".users", "file");
            } else {
                secrets = secretsManager(object(u.get("secretsManager"), path + ".users.secretsManager"), path + ".users.secretsManager");
            }
        }
        JwtSettings jwt = a.has("oauthBearer") ? oauthBearer(object(a.get("oauthBearer"), path + ".oauthBearer"), path + ".oauthBearer") : null;
        int delayMs = intField(a, path, "failureDelayMs", (int) AuthenticationConfig.DEFAULT_FAILURE_DELAY.toMillis(), 0, 10_000);
        int lifetime = intField(a, path, "sessionLifetimeSeconds", (int) AuthenticationConfig.DEFAULT_SESSION_LIFETIME.toSeconds(), 0, 7 * 86_400);
        boolean legacy = bool(a, path, "allowLegacyScramNonce", true);
        String keyEnv = null;
        if (a.has("unknownUserKeyEnv")) {
            keyEnv = text(a.get("unknownUserKeyEnv"), path + ".unknownUserKeyEnv");
            String problem = AuthenticationConfig.unknownUserKeyProblem(keyEnv, environment.apply(keyEnv));
            if (problem != null) {
                throw fail(path + ".unknownUserKeyEnv", problem);
            }
        }
        return new AuthenticationConfig(usersFile, secrets, jwt, Duration.ofMillis(delayMs), Duration.ofSeconds(lifetime), legacy,
                keyEnv);
    }

    private SecretsManagerSettings secretsManager(ObjectNode s, String path) {
        allowOnly(s, path, "region", "endpoint", "namePrefix", "secretNames", "refreshSeconds", "iterations");
        if (!s.has("region")) {
            throw fail(path + ".region", "is required: the AWS region of the secrets, e.g. eu-west-1");
        }
        String region = text(s.get("region"), path + ".region");
        java.net.URI endpoint = s.has("endpoint") ? convert(text(s.get("endpoint"), path + ".endpoint"), path + ".endpoint", ConfigLoader::uri) : null;
        if (s.has("namePrefix") && s.has("secretNames")) {
            // with secretNames the prefix would be silently ignored
            throw fail(path, "give namePrefix or secretNames, not both: secretNames reads exactly those secrets, whatever their prefix");
        }
        String prefix = s.has("namePrefix") ? text(s.get("namePrefix"), path + ".namePrefix") : null;
        List<String> names = textList(s, path, "secretNames", List.of());
        int refresh = intField(s, path, "refreshSeconds", (int) SecretsManagerSettings.DEFAULT_REFRESH_INTERVAL.toSeconds(), 1, 86_400);
        int iterations = intField(s, path, "iterations", SecretsManagerSettings.DEFAULT_ITERATIONS,
                SecretsManagerSettings.MIN_ITERATIONS, SecretsManagerSettings.MAX_ITERATIONS);
        try {
            return new SecretsManagerSettings(region, endpoint, prefix, names, Duration.ofSeconds(refresh), iterations, null);
        } catch (IllegalArgumentException e) {
            throw fail(path, e.getMessage());
        }
    }

    private JwtSettings oauthBearer(ObjectNode o, String path) {
        allowOnly(o, path, "jwksUrl", "jwksFile", "trustedCertificates", "issuer", "audience", "algorithms", "principalClaim",
                "clockSkewSeconds", "jwksRefreshSeconds");
        if (o.has("jwksUrl") == o.has("jwksFile")) {
            throw fail(path, "give exactly one of jwksUrl (https) or jwksFile: where the identity provider's public keys are");
        }
        for (String required : List.of("issuer", "audience")) {
            if (!o.has(required)) {
                throw fail(path + "." + required, "is required: tokens are accepted only with this " + required);
            }
        }
        java.net.URI url = null;
        if (o.has("jwksUrl")) {
            String text = text(o.get("jwksUrl"), path + ".jwksUrl");
            url = convert(text, path + ".jwksUrl", ConfigLoader::uri);
            if (!url.getScheme().equals("https")) {
                throw fail(path + ".jwksUrl", "must be an https URL, got '" + text + "'");
            }
        }
        Path jwksFile = o.has("jwksFile") ? file(o, path, "jwksFile") : null;
        Path trusted = o.has("trustedCertificates") ? file(o, path, "trustedCertificates") : null;
        List<String> algorithms = textList(o, path, "algorithms", JwtSettings.DEFAULT_ALGORITHMS);
        String claim = o.has("principalClaim") ? text(o.get("principalClaim"), path + ".principalClaim") : null;
        int skew = intField(o, path, "clockSkewSeconds", (int) JwtSettings.DEFAULT_CLOCK_SKEW.toSeconds(), 0, 300);
        int refresh = intField(o, path, "jwksRefreshSeconds", (int) JwtSettings.DEFAULT_MIN_REFRESH_INTERVAL.toSeconds(), 1, 3600);
        Duration minRefresh = Duration.ofSeconds(refresh);
        Duration cache = JwtSettings.DEFAULT_CACHE_LIFETIME.compareTo(minRefresh) > 0 ? JwtSettings.DEFAULT_CACHE_LIFETIME : minRefresh.multipliedBy(2);
        try {
            return new JwtSettings(url, jwksFile, trusted, text(o.get("issuer"), path + ".issuer"),
                    text(o.get("audience"), path + ".audience"), new java.util.LinkedHashSet<>(algorithms), claim,
                    Duration.ofSeconds(skew), minRefresh, cache);
        } catch (IllegalArgumentException e) {
            throw fail(path, e.getMessage());
        }
    }

    private UpstreamConfig upstream(JsonNode node) {
        ObjectNode u = object(node, "upstream");
        allowOnly(u, "upstream", "bootstrapServers", "connectTimeoutMs", "metadataTimeoutMs", "tls", "sasl");
        JsonNode servers = u.get("bootstrapServers");
        if (servers == null || !servers.isArray() || servers.isEmpty()) {
            throw fail("upstream.bootstrapServers", "expected a non-empty list of host:port, e.g. [\"kafka-1:9092\", \"kafka-2:9092\"]");
        }
        List<HostPort> list = new ArrayList<>();
        for (int i = 0; i < servers.size(); i++) {
            String path = "upstream.bootstrapServers[" + i + "]";
            list.add(convert(text(servers.get(i), path), path, HostPort::parse));
        }
        int connectMs = intField(u, "upstream", "connectTimeoutMs", 10_000, 1, 600_000);
        int metadataMs = intField(u, "upstream", "metadataTimeoutMs", 15_000, 1, 600_000);
        UpstreamTlsConfig tls = u.has("tls") ? upstreamTls(object(u.get("tls"), "upstream.tls"), "upstream.tls") : null;
        UpstreamSaslConfig sasl = u.has("sasl") ? upstreamSasl(object(u.get("sasl"), "upstream.sasl"), "upstream.sasl") : null;
        if (sasl != null && sasl.mechanism().equals("PLAIN") && tls == null) {
            // As on the listeners: PLAIN would send the gateway's own password in clear to every broker.
            throw fail("upstream.sasl.mechanism", "PLAIN sends the password itself; it is allowed only with upstream.tls "
                    + "(or use SCRAM-SHA-512 or SCRAM-SHA-256)");
        }
        return new UpstreamConfig(list, Duration.ofMillis(connectMs), Duration.ofMillis(metadataMs), tls, sasl);
    }

    private UpstreamSaslConfig upstreamSasl(ObjectNode s, String path) {
        allowOnly(s, path, "mechanism", "username", "password", "passwordEnv", "passwordSecret", "secretRegion", "secretEndpoint");
        String mechanism = s.has("mechanism") ? text(s.get("mechanism"), path + ".mechanism") : "SCRAM-SHA-512";
        if (!List.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN").contains(mechanism)) {
            throw fail(path + ".mechanism", "expected SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN, got '" + mechanism + "'");
        }
        if (!s.has("username")) {
            throw fail(path + ".username", "is required: the gateway's own user on the brokers");
        }
        String username = text(s.get("username"), path + ".username");
        int sources = (s.has("password") ? 1 : 0) + (s.has("passwordEnv") ? 1 : 0) + (s.has("passwordSecret") ? 1 : 0);
        if (sources != 1) {
            throw fail(path, "give exactly one of password, passwordEnv or passwordSecret");
        }
        if (!s.has("passwordSecret")) {
            // they would be silently ignored: only passwordSecret reads from Secrets Manager
            for (String key : List.of("secretRegion", "secretEndpoint")) {
                if (s.has(key)) {
                    throw fail(path + "." + key, "applies only with passwordSecret (the password is read from Secrets Manager only then)");
                }
            }
        }
        UpstreamSaslConfig.PasswordSource password;
        if (s.has("password")) {
            password = new UpstreamSaslConfig.InlinePassword(text(s.get("password"), path + ".password"));
        } else if (s.has("passwordEnv")) {
            String variable = text(s.get("passwordEnv"), path + ".passwordEnv");
            UpstreamSaslConfig.EnvironmentPassword env = new UpstreamSaslConfig.EnvironmentPassword(variable);
            String problem = env.problem(environment.apply(variable));
            if (problem != null) {
                // the gateway would refuse it at start, after check-config said ok
                throw fail(path + ".passwordEnv", problem);
            }
            password = env;
        } else {
            if (!s.has("secretRegion")) {
                throw fail(path + ".secretRegion", "is required with passwordSecret: the AWS region of the secret");
            }
            java.net.URI endpoint = s.has("secretEndpoint")
                    ? convert(text(s.get("secretEndpoint"), path + ".secretEndpoint"), path + ".secretEndpoint", ConfigLoader::uri)
                    : null;
            password = new UpstreamSaslConfig.SecretPassword(text(s.get("passwordSecret"), path + ".passwordSecret"),
                    text(s.get("secretRegion"), path + ".secretRegion"), endpoint);
        }
        return new UpstreamSaslConfig(mechanism, username, password);
    }

    static java.net.URI uri(String text) {
        try {
            java.net.URI u = new java.net.URI(text);
            if (u.getScheme() == null || u.getHost() == null || !(u.getScheme().equals("https") || u.getScheme().equals("http"))) {
                throw new IllegalArgumentException("expected an http(s) URL such as https://secretsmanager.eu-west-1.amazonaws.com, got '" + text + "'");
            }
            return u;
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("not a valid URL: " + e.getMessage());
        }
    }

    private UpstreamTlsConfig upstreamTls(ObjectNode t, String path) {
        allowOnly(t, path, "trustedCertificates", "certificate", "key", "hostnameVerification");
        if (!t.has("trustedCertificates")) {
            throw fail(path + ".trustedCertificates", "is required: the CA certificates the brokers' certificates chain to");
        }
        Path trusted = file(t, path, "trustedCertificates");
        check(path + ".trustedCertificates", () -> TlsMaterial.checkCertificates(trusted));
        Path certificate = t.has("certificate") ? file(t, path, "certificate") : null;
        Path key = t.has("key") ? file(t, path, "key") : null;
        if ((certificate == null) != (key == null)) {
            throw fail(path, "certificate and key go together (for mTLS to the brokers)");
        }
        if (certificate != null) {
            check(path, () -> TlsMaterial.checkKeyPair(certificate, key));
        }
        boolean verify = bool(t, path, "hostnameVerification", true);
        return new UpstreamTlsConfig(trusted, certificate, key, verify);
    }

    private ListenerConfig listener(JsonNode node, String path) {
        ObjectNode l = object(node, path);
        allowOnly(l, path, "name", "bindHost", "advertisedHost", "bootstrapPort", "brokerPorts", "firstNodeId", "tls", "sasl");
        String name = l.has("name") ? text(l.get("name"), path + ".name") : path;
        String bindHost = l.has("bindHost") ? host(text(l.get("bindHost"), path + ".bindHost"), path + ".bindHost") : "127.0.0.1";
        String advertised;
        if (l.has("advertisedHost")) {
            advertised = host(text(l.get("advertisedHost"), path + ".advertisedHost"), path + ".advertisedHost");
        } else if (bindHost.equals("0.0.0.0") || bindHost.equals("::")) {
            throw fail(path + ".advertisedHost", "is required when bindHost is " + bindHost
                    + ": clients need a host name or address they can reach");
        } else {
            advertised = bindHost;
        }
        int bootstrapPort = intField(l, path, "bootstrapPort", 9092, 1, 65535);
        if (!l.has("brokerPorts")) {
            throw fail(path + ".brokerPorts", "is required: a port range such as 9100-9199, one port per broker node id");
        }
        PortRange brokerPorts = convert(text(l.get("brokerPorts"), path + ".brokerPorts"), path + ".brokerPorts", PortRange::parse);
        if (brokerPorts.contains(bootstrapPort)) {
            throw fail(path + ".brokerPorts", "must not contain the bootstrap port " + bootstrapPort);
        }
        int firstNodeId = intField(l, path, "firstNodeId", 0, 0, Integer.MAX_VALUE);
        TlsConfig tls = l.has("tls") ? tls(object(l.get("tls"), path + ".tls"), path + ".tls") : null;
        SaslListenerConfig sasl = l.has("sasl") ? sasl(object(l.get("sasl"), path + ".sasl"), path + ".sasl", tls != null) : null;
        return new ListenerConfig(name, bindHost, advertised, bootstrapPort, brokerPorts, firstNodeId, tls, sasl);
    }

    /**
     * A host name or IP address alone: the advertised host is handed to clients in every Metadata answer, where a
     * port or a space in it would only show up as clients that cannot connect.
     */
    private String host(String host, String path) {
        if (!HostPort.isHost(host)) {
            throw fail(path, "expected a host name or IP address without a port, got '" + host + "'");
        }
        return host;
    }

    private SaslListenerConfig sasl(ObjectNode s, String path, boolean tls) {
        allowOnly(s, path, "mechanisms", "allowPlaintext");
        boolean allowPlaintext = bool(s, path, "allowPlaintext", false);
        if (!tls && !allowPlaintext) {
            throw fail(path, "SASL without TLS sends credentials in the clear; add a tls block (SASL_SSL), "
                    + "or set allowPlaintext: true to run SASL_PLAINTEXT deliberately");
        }
        List<String> mechanisms = textList(s, path, "mechanisms", List.of("SCRAM-SHA-512"));
        for (int i = 0; i < mechanisms.size(); i++) {
            String m = mechanisms.get(i);
            if (!SaslListenerConfig.KNOWN_MECHANISMS.contains(m)) {
                throw fail(path + ".mechanisms[" + i + "]", "unknown SASL mechanism '" + m + "'; expected one of " + SaslListenerConfig.KNOWN_MECHANISMS);
            }
            if (m.equals("PLAIN") && !tls) {
                throw fail(path + ".mechanisms[" + i + "]", "PLAIN sends the password itself; it is allowed on TLS listeners only");
            }
        }
        if (new HashSet<>(mechanisms).size() != mechanisms.size()) {
            throw fail(path + ".mechanisms", "lists a mechanism twice");
        }
        return new SaslListenerConfig(mechanisms, allowPlaintext);
    }

    private boolean bool(ObjectNode node, String parent, String key, boolean defaultValue) {
        JsonNode v = node.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isBoolean()) {
            throw fail(parent + "." + key, "expected true or false, got " + describe(v));
        }
        return v.booleanValue();
    }

    private List<String> textList(ObjectNode node, String parent, String key, List<String> defaultValue) {
        JsonNode v = node.get(key);
        String path = parent + "." + key;
        if (v == null) {
            return defaultValue;
        }
        if (!v.isArray() || v.isEmpty()) {
            throw fail(path, "expected a non-empty list");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            out.add(text(v.get(i), path + "[" + i + "]"));
        }
        return out;
    }

    private TlsConfig tls(ObjectNode t, String path) {
        allowOnly(t, path, "certificate", "key", "keyStore", "keyStoreType", "keyStorePasswordEnv", "clientAuth",
                "trustedCertificates", "protocols", "principalMappingRules", "reloadCheckSeconds", "expiryWarningDays", "engine",
                "cipherSuites");
        Path certificate = t.has("certificate") ? file(t, path, "certificate") : null;
        Path key = t.has("key") ? file(t, path, "key") : null;
        Path keyStore = t.has("keyStore") ? file(t, path, "keyStore") : null;
        String keyStoreType = t.has("keyStoreType") ? text(t.get("keyStoreType"), path + ".keyStoreType").toLowerCase(java.util.Locale.ROOT) : "pkcs12";
        String passwordEnv = t.has("keyStorePasswordEnv") ? text(t.get("keyStorePasswordEnv"), path + ".keyStorePasswordEnv") : null;
        if (keyStore == null && (certificate == null || key == null)) {
            throw fail(path, "needs either certificate and key (PEM files) or keyStore");
        }
        if (keyStore != null && (certificate != null || key != null)) {
            throw fail(path, "give either certificate and key, or keyStore, not both");
        }
        // Before the keystore and the trusted certificates, whose keys the engine must be able to use.
        TlsConfig.Engine engine = choice(t, path, "engine", TlsConfig.Engine.class, TlsConfig.Engine.AUTO, "auto, jdk or openssl");
        if (engine == TlsConfig.Engine.OPENSSL && !io.vertx.core.net.OpenSSLEngineOptions.isAvailable()) {
            throw fail(path + ".engine", "OpenSSL is not available on this machine (netty-tcnative could not load); use auto or jdk");
        }
        if (keyStore != null) {
            if (!keyStoreType.equals("pkcs12") && !keyStoreType.equals("jks")) {
                throw fail(path + ".keyStoreType", "expected pkcs12 or jks, got '" + keyStoreType + "'");
            }
            if (passwordEnv == null) {
                throw fail(path + ".keyStorePasswordEnv", "is required with keyStore: the name of the environment variable holding its password");
            }
            String password = environment.apply(passwordEnv);
            if (password == null) {
                throw fail(path + ".keyStorePasswordEnv", SecretVariableNames.describe(passwordEnv) + " is not set");
            }
            boolean openSsl = engine.usesOpenSsl();
            check(path + ".keyStore", () -> TlsMaterial.checkKeyStore(keyStore, keyStoreType, password.toCharArray(), openSsl));
        } else {
            check(path, () -> TlsMaterial.checkKeyPair(certificate, key));
        }
        TlsConfig.ClientAuth clientAuth = choice(t, path, "clientAuth", TlsConfig.ClientAuth.class, TlsConfig.ClientAuth.NONE,
                "none, requested or required");
        Path trusted = t.has("trustedCertificates") ? file(t, path, "trustedCertificates") : null;
        if (clientAuth != TlsConfig.ClientAuth.NONE && trusted == null) {
            throw fail(path + ".trustedCertificates", "is required when clientAuth is " + clientAuth.name().toLowerCase(java.util.Locale.ROOT)
                    + ": the CA certificates client certificates must chain to");
        }
        if (trusted != null) {
            boolean openSslChecksClients = engine.usesOpenSsl() && clientAuth != TlsConfig.ClientAuth.NONE;
            check(path + ".trustedCertificates", () -> TlsMaterial.checkTrustedCertificates(trusted, openSslChecksClients));
        }
        List<String> protocols = List.of("TLSv1.3", "TLSv1.2");
        if (t.has("protocols")) {
            JsonNode p = t.get("protocols");
            if (!p.isArray() || p.isEmpty()) {
                throw fail(path + ".protocols", "expected a non-empty list, e.g. [TLSv1.3, TLSv1.2]");
            }
            protocols = new ArrayList<>();
            for (int i = 0; i < p.size(); i++) {
                String v = text(p.get(i), path + ".protocols[" + i + "]");
                if (!v.equals("TLSv1.3") && !v.equals("TLSv1.2")) {
                    throw fail(path + ".protocols[" + i + "]", "only TLSv1.3 and TLSv1.2 are allowed, got '" + v + "'");
                }
                protocols.add(v);
            }
        }
        CertificatePrincipals principals = CertificatePrincipals.defaults();
        if (t.has("principalMappingRules")) {
            String rules = text(t.get("principalMappingRules"), path + ".principalMappingRules");
            try {
                principals = CertificatePrincipals.fromRules(rules);
            } catch (IllegalArgumentException e) {
                throw fail(path + ".principalMappingRules", "not valid Kafka ssl.principal.mapping.rules: " + e.getMessage());
            }
        }
        int reloadSeconds = intField(t, path, "reloadCheckSeconds", (int) TlsConfig.DEFAULT_RELOAD_CHECK.toSeconds(), 1, 86_400);
        int expiryDays = intField(t, path, "expiryWarningDays", (int) TlsConfig.DEFAULT_EXPIRY_WARNING.toDays(), 0, 3650);
        List<String> cipherSuites = t.has("cipherSuites")
                ? cipherSuites(t.get("cipherSuites"), path + ".cipherSuites", protocols, engine.usesOpenSsl()) : List.of();
        return new TlsConfig(certificate, key, keyStore, keyStoreType, passwordEnv, clientAuth, trusted, protocols, principals,
                java.time.Duration.ofSeconds(reloadSeconds), java.time.Duration.ofDays(expiryDays), engine, cipherSuites);
    }

    /**
     * A listener's cipher suites, as Kafka's {@code ssl.cipher.suites}: names this JVM's TLS knows, and, for each
     * protocol enabled, at least one suite it can use (TLS 1.3 suites have no {@code _WITH_} in their names), so that
     * no handshake is bound to fail. The OpenSSL engine (BoringSSL) offers its own TLS 1.3 suites whatever it is told,
     * so with it only TLS 1.2 suites can be chosen.
     */
    private List<String> cipherSuites(JsonNode node, String path, List<String> protocols, boolean openSsl) {
        if (!node.isArray() || node.isEmpty()) {
            throw fail(path, "expected a non-empty list of cipher suite names, e.g. [TLS_AES_256_GCM_SHA384,"
                    + " TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]");
        }
        java.util.Set<String> known;
        try {
            known = java.util.Set.of(javax.net.ssl.SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no default TLS context", e);
        }
        List<String> suites = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String suite = text(node.get(i), path + "[" + i + "]");
            if (!known.contains(suite)) {
                throw fail(path + "[" + i + "]", "not a cipher suite this JVM's TLS supports: '" + suite + "'");
            }
            if (openSsl && !suite.contains("_WITH_")) {
                throw fail(path + "[" + i + "]", "the OpenSSL engine offers its own TLS 1.3 suites whatever is listed, so '"
                        + suite + "' would not restrict them; list only TLS 1.2 suites, or set engine: jdk to choose TLS 1.3 ones");
            }
            suites.add(suite);
        }
        for (String protocol : protocols) {
            boolean tls13 = protocol.equals("TLSv1.3");
            if (tls13 && openSsl) {
                continue; // the engine's own TLS 1.3 suites
            }
            if (suites.stream().noneMatch(s -> s.contains("_WITH_") != tls13)) {
                throw fail(path, "names no cipher suite for " + protocol + ", which protocols enables: every " + protocol
                        + " handshake would fail (" + (tls13 ? "TLS 1.3 suites look like TLS_AES_256_GCM_SHA384"
                        : "TLS 1.2 suites look like TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384") + ")");
            }
        }
        return List.copyOf(suites);
    }

    private Path file(ObjectNode node, String parent, String key) {
        Path p = baseDir.resolve(text(node.get(key), parent + "." + key));
        if (!java.nio.file.Files.isRegularFile(p)) {
            throw fail(parent + "." + key, p + ": file not found");
        }
        if (!java.nio.file.Files.isReadable(p)) {
            throw fail(parent + "." + key, p + ": not readable (check its permissions)");
        }
        return p;
    }

    private void check(String path, Runnable check) {
        try {
            check.run();
        } catch (IllegalArgumentException e) {
            throw fail(path, e.getMessage());
        }
    }

    private void checkDistinct(List<ListenerConfig> listeners) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < listeners.size(); i++) {
            ListenerConfig a = listeners.get(i);
            if (!names.add(a.name())) {
                throw fail("listeners[" + i + "].name", "duplicate listener name '" + a.name() + "'");
            }
            for (int j = 0; j < i; j++) {
                ListenerConfig b = listeners.get(j);
                boolean overlap = a.bootstrapPort() == b.bootstrapPort()
                        || b.brokerPorts().contains(a.bootstrapPort())
                        || a.brokerPorts().contains(b.bootstrapPort())
                        || (a.brokerPorts().first() <= b.brokerPorts().last() && b.brokerPorts().first() <= a.brokerPorts().last());
                if (overlap) {
                    throw fail("listeners[" + i + "]", "ports overlap with listener '" + b.name() + "'");
                }
            }
        }
    }

    /** Vert.x would share one socket between the admin API and a listener on the same port, mixing HTTP and Kafka. */
    private void checkAdminPortFree(int port, List<ListenerConfig> listeners) {
        for (int i = 0; i < listeners.size(); i++) {
            ListenerConfig l = listeners.get(i);
            String listener = "listeners[" + i + "]" + (l.name().equals("listeners[" + i + "]") ? "" : " '" + l.name() + "'");
            String clash = l.bootstrapPort() == port ? "the bootstrapPort of " : l.brokerPorts().contains(port) ? "in the brokerPorts of " : null;
            if (clash != null) {
                throw fail("admin.port", port + " is " + clash + listener + "; give the admin API a port of its own");
            }
        }
    }

    ObjectNode object(JsonNode node, String path) {
        if (!(node instanceof ObjectNode o)) {
            throw fail(path, "expected a mapping (key: value), got " + describe(node));
        }
        return o;
    }

    private void allowOnly(ObjectNode node, String path, String... keys) {
        Set<String> allowed = Set.of(keys);
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!allowed.contains(key)) {
                throw fail(path.isEmpty() ? key : path + "." + key, "unknown key; expected one of " + List.of(keys));
            }
        }
    }

    /** The constant of {@code type} a field names, in any case; {@code absent} when the field is not there. */
    private <E extends Enum<E>> E choice(JsonNode node, String path, String field, Class<E> type, E absent, String expected) {
        if (!node.has(field)) {
            return absent;
        }
        String value = text(node.get(field), path + "." + field);
        try {
            return Enum.valueOf(type, value.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw fail(path + "." + field, "expected " + expected + ", got '" + value + "'");
        }
    }

    /**
     * A text value exactly as written. An unquoted number or boolean is refused rather than turned into text: YAML reads
     * {@code 0123} as 83 and {@code 1e5} as 100000.0, which would silently change a password (the value itself is not
     * repeated in the message, as it may be one).
     */
    private String text(JsonNode node, String path) {
        if (node == null || !node.isValueNode() || node.isNull()) {
            throw fail(path, "expected a text value, got " + describe(node));
        }
        if (!node.isTextual()) {
            throw fail(path, "expected text, got a " + (node.isBoolean() ? "boolean" : "number")
                    + " (YAML reads unquoted digits, true/false and the like so); put the value in quotes");
        }
        String s = node.asText();
        if (s.isBlank()) {
            throw fail(path, "must not be empty");
        }
        return s;
    }

    private int intField(ObjectNode node, String parent, String key, int defaultValue, int min, int max) {
        return (int) longField(node, parent, key, defaultValue, min, max);
    }

    private long longField(ObjectNode node, String parent, String key, long defaultValue, long min, long max) {
        JsonNode v = node.get(key);
        String path = parent.isEmpty() ? key : parent + "." + key;
        if (v == null) {
            return defaultValue;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw fail(path, "expected an integer between " + min + " and " + max + ", got " + describe(v));
        }
        long i = v.longValue();
        if (i < min || i > max) {
            throw fail(path, "expected an integer between " + min + " and " + max + ", got " + i);
        }
        return i;
    }

    private <T> T convert(String text, String path, Function<String, T> parser) {
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            throw fail(path, e.getMessage());
        }
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isNull()) {
            return "nothing";
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isObject()) {
            return "a mapping";
        }
        return "'" + node.asText() + "'";
    }

    private ConfigException fail(String path, String problem) {
        return new ConfigException(source + ": " + path + ": " + problem);
    }
}
