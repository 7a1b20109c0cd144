package io.warden.gateway.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the YAML configuration into {@link WardenConfig}, rejecting anything it does not understand with a
 * {@link ConfigException} whose message names the file, the field and what is expected.
 */
public final class ConfigLoader {

    private static final YAMLMapper YAML = new YAMLMapper();

    private final String source;

    private ConfigLoader(String source) {
        this.source = source;
    }

    public static WardenConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": file not found");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        return parse(file.toString(), text);
    }

    public static WardenConfig parse(String source, String yaml) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw new ConfigException(source + ": not valid YAML" + where + ": " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = YAML.createObjectNode();
        }
        return new ConfigLoader(source).root(root);
    }

    private WardenConfig root(JsonNode root) {
        ObjectNode obj = object(root, "(top level)");
        allowOnly(obj, "", "listeners", "upstream", "limits");

        JsonNode upstreamNode = obj.get("upstream");
        if (upstreamNode == null) {
            throw fail("upstream", "is required: the Kafka cluster behind the gateway, e.g. upstream: {bootstrapServers: [\"kafka:9092\"]}");
        }
        UpstreamConfig upstream = upstream(upstreamNode);

        JsonNode listenersNode = obj.get("listeners");
        List<ListenerConfig> listeners = new ArrayList<>();
        if (listenersNode == null) {
            listeners.add(new ListenerConfig("default", "127.0.0.1", "127.0.0.1", 9092, new PortRange(9100, 9199), 0));
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
            allowOnly(l, "limits", "maxFrameBytes");
            int max = intField(l, "limits", "maxFrameBytes", LimitsConfig.DEFAULT_MAX_FRAME_BYTES, 1024, Integer.MAX_VALUE);
            limits = new LimitsConfig(max);
        }
        return new WardenConfig(listeners, upstream, limits);
    }

    private UpstreamConfig upstream(JsonNode node) {
        ObjectNode u = object(node, "upstream");
        allowOnly(u, "upstream", "bootstrapServers", "connectTimeoutMs", "metadataTimeoutMs");
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
        return new UpstreamConfig(list, Duration.ofMillis(connectMs), Duration.ofMillis(metadataMs));
    }

    private ListenerConfig listener(JsonNode node, String path) {
        ObjectNode l = object(node, path);
        allowOnly(l, path, "name", "bindHost", "advertisedHost", "bootstrapPort", "brokerPorts", "firstNodeId");
        String name = l.has("name") ? text(l.get("name"), path + ".name") : path;
        String bindHost = l.has("bindHost") ? text(l.get("bindHost"), path + ".bindHost") : "127.0.0.1";
        String advertised;
        if (l.has("advertisedHost")) {
            advertised = text(l.get("advertisedHost"), path + ".advertisedHost");
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
        return new ListenerConfig(name, bindHost, advertised, bootstrapPort, brokerPorts, firstNodeId);
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

    private ObjectNode object(JsonNode node, String path) {
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

    private String text(JsonNode node, String path) {
        if (node == null || !node.isValueNode() || node.isNull()) {
            throw fail(path, "expected a text value, got " + describe(node));
        }
        String s = node.asText().trim();
        if (s.isEmpty()) {
            throw fail(path, "must not be empty");
        }
        return s;
    }

    private int intField(ObjectNode node, String parent, String key, int defaultValue, int min, int max) {
        JsonNode v = node.get(key);
        String path = parent.isEmpty() ? key : parent + "." + key;
        if (v == null) {
            return defaultValue;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw fail(path, "expected an integer between " + min + " and " + max + ", got " + describe(v));
        }
        int i = v.intValue();
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
