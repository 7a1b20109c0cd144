package io.warden.gateway.cluster;

import io.warden.gateway.config.HostPort;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where each upstream broker really is, by node id: learned from the responses the gateway rewrites (Metadata,
 * FindCoordinator, DescribeCluster, KIP-951 endpoints) and from its own metadata lookups. Thread-safe; read on
 * every connection to a broker port.
 */
public final class UpstreamNodes {

    private final Map<Integer, HostPort> nodes = new ConcurrentHashMap<>();

    public void learn(int nodeId, HostPort address) {
        nodes.put(nodeId, address);
    }

    public Optional<HostPort> address(int nodeId) {
        return Optional.ofNullable(nodes.get(nodeId));
    }

    public Map<Integer, HostPort> snapshot() {
        return Map.copyOf(nodes);
    }
}
