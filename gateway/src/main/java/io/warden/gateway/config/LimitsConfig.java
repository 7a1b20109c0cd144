package io.warden.gateway.config;

import java.time.Duration;
import java.util.Map;

/**
 * Resource limits, so that no single client can exhaust the gateway.
 *
 * @param maxFrameBytes       the largest request frame accepted from a client (Kafka's {@code socket.request.max.bytes});
 *                            a larger size prefix closes the connection before anything is buffered
 * @param maxConnections      client connections open at once over all listeners; more are closed on accept
 * @param maxConnectionsPerIp client connections open at once from one IP address (Kafka's
 *                            {@code max.connections.per.ip})
 * @param idleTimeout         a connection with nothing read or written for this long is closed (Kafka's
 *                            {@code connections.max.idle.ms}); zero for never
 * @param maxConnectionCreationRatePerIp new connections accepted per second from one IP address (Kafka's KIP-612
 *                            {@code max.connection.creation.rate} per IP); more are closed on accept; zero for no limit
 * @param loginTimeout        a connection on a SASL listener that has not logged in this long after it was accepted is
 *                            closed, so that connections which never authenticate cannot hold the connection limits;
 *                            zero for never
 * @param ipOverrides         other limits for some IP addresses (Kafka's {@code max.connections.per.ip.overrides} and
 *                            {@code connection_creation_rate} of an {@code ip} entity), by address in Java's notation
 *                            ({@code InetAddress.getHostAddress()}, as client addresses are compared)
 */
public record LimitsConfig(int maxFrameBytes, int maxConnections, int maxConnectionsPerIp, Duration idleTimeout,
                           int maxConnectionCreationRatePerIp, Duration loginTimeout, Map<String, IpLimits> ipOverrides) {

    public static final int DEFAULT_MAX_FRAME_BYTES = 100 * 1024 * 1024;
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    public static final int DEFAULT_MAX_CONNECTIONS_PER_IP = 1_000;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);
    public static final int DEFAULT_MAX_CONNECTION_CREATION_RATE_PER_IP = 100;
    public static final Duration DEFAULT_LOGIN_TIMEOUT = Duration.ofSeconds(30);
    /**
     * Requests of one connection waiting for their answers (from the broker, or from the gateway behind those) before
     * reading from that client pauses, as a broker reads a connection's next request only once it answered the last.
     */
    public static final int MAX_REQUESTS_IN_FLIGHT = 1000;

    public LimitsConfig {
        ipOverrides = Map.copyOf(ipOverrides);
    }

    /** The given limits and the default connection creation rate and login timeout, with no IP of its own. */
    public LimitsConfig(int maxFrameBytes, int maxConnections, int maxConnectionsPerIp, Duration idleTimeout) {
        this(maxFrameBytes, maxConnections, maxConnectionsPerIp, idleTimeout, DEFAULT_MAX_CONNECTION_CREATION_RATE_PER_IP,
                DEFAULT_LOGIN_TIMEOUT, Map.of());
    }

    /** Client connections open at once from {@code ip}: its own limit, or {@link #maxConnectionsPerIp}. */
    public int maxConnectionsFrom(String ip) {
        IpLimits own = ipOverrides.get(ip);
        return own != null && own.maxConnections() != null ? own.maxConnections() : maxConnectionsPerIp;
    }

    /** New connections accepted per second from {@code ip} (0: no limit): its own, or {@link #maxConnectionCreationRatePerIp}. */
    public int connectionCreationRateFrom(String ip) {
        IpLimits own = ipOverrides.get(ip);
        return own != null && own.maxConnectionCreationRate() != null ? own.maxConnectionCreationRate() : maxConnectionCreationRatePerIp;
    }

    /**
     * The limits of one IP address; null for the default's.
     *
     * @param maxConnections            client connections open at once from it
     * @param maxConnectionCreationRate new connections accepted from it per second; 0 for no limit
     */
    public record IpLimits(Integer maxConnections, Integer maxConnectionCreationRate) {

        public IpLimits {
            if (maxConnections == null && maxConnectionCreationRate == null) {
                throw new IllegalArgumentException("an IP's limits must set at least one limit");
            }
        }
    }

    /** The given frame limit and the default connection limits. */
    public LimitsConfig(int maxFrameBytes) {
        this(maxFrameBytes, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_IP, DEFAULT_IDLE_TIMEOUT);
    }
}
