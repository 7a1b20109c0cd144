package io.warden.gateway.config;

import java.util.OptionalInt;

/**
 * One client-facing listener: a bootstrap port plus one port per upstream broker.
 *
 * <p>Broker node id {@code n} is served on port {@code brokerPorts.first + (n - firstNodeId)}. The mapping is
 * deterministic so that every gateway instance, and every restart, announces the same address for a broker.
 *
 * @param name           a label used in logs
 * @param bindHost       the interface to bind ({@code 0.0.0.0} for all)
 * @param advertisedHost the host clients are told to connect to for broker ports
 * @param bootstrapPort  the port clients use as {@code bootstrap.servers}
 * @param brokerPorts    the ports handed out, one per broker node id
 * @param firstNodeId    the node id served on {@code brokerPorts.first}
 * @param tls            TLS settings, or null for a plaintext listener
 * @param sasl           SASL settings, or null when clients do not authenticate with SASL
 */
public record ListenerConfig(String name, String bindHost, String advertisedHost, int bootstrapPort,
                             PortRange brokerPorts, int firstNodeId, TlsConfig tls, SaslListenerConfig sasl) {

    /** A listener without SASL. */
    public ListenerConfig(String name, String bindHost, String advertisedHost, int bootstrapPort,
                          PortRange brokerPorts, int firstNodeId, TlsConfig tls) {
        this(name, bindHost, advertisedHost, bootstrapPort, brokerPorts, firstNodeId, tls, null);
    }

    /** A plaintext listener. */
    public ListenerConfig(String name, String bindHost, String advertisedHost, int bootstrapPort,
                          PortRange brokerPorts, int firstNodeId) {
        this(name, bindHost, advertisedHost, bootstrapPort, brokerPorts, firstNodeId, null, null);
    }

    public String securityProtocol() {
        if (sasl != null) {
            return tls == null ? "SASL_PLAINTEXT" : "SASL_SSL";
        }
        return tls == null ? "PLAINTEXT" : "SSL";
    }

    /** The gateway port for an upstream node, or empty when the node id falls outside the configured range. */
    public OptionalInt portForNode(int nodeId) {
        long offset = (long) nodeId - firstNodeId;
        if (offset < 0 || offset >= brokerPorts.size()) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(brokerPorts.first() + (int) offset);
    }
}
