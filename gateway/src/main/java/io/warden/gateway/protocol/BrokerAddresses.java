package io.warden.gateway.protocol;

import io.warden.gateway.config.HostPort;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The one place that knows which Kafka responses carry broker addresses and where: Metadata, FindCoordinator
 * (top level before v4, the coordinators array from v4), DescribeCluster, and the KIP-951 node endpoints of
 * Produce (v10+) and Fetch (v16+). Rewriting is generic: read the upstream addresses, then replace each with the
 * gateway address for the same node id.
 */
public final class BrokerAddresses {

    /** An upstream broker address found in a response. */
    public record NodeAddress(int nodeId, HostPort address) {
    }

    private BrokerAddresses() {
    }

    /** True when a response of this API and version may carry broker addresses. */
    public static boolean mayCarryAddresses(ApiKeys api, short version) {
        return switch (api) {
            case METADATA, FIND_COORDINATOR, DESCRIBE_CLUSTER -> true;
            case PRODUCE -> version >= 10;
            case FETCH -> version >= 16;
            default -> false;
        };
    }

    /** Decodes a response body of an API for which {@link #mayCarryAddresses} is true. */
    public static ApiMessage decode(ApiKeys api, short version, ByteBuffer body) {
        ByteBufferAccessor in = new ByteBufferAccessor(body);
        return switch (api) {
            case METADATA -> new MetadataResponseData(in, version);
            case FIND_COORDINATOR -> new FindCoordinatorResponseData(in, version);
            case DESCRIBE_CLUSTER -> new DescribeClusterResponseData(in, version);
            case PRODUCE -> new ProduceResponseData(in, version);
            case FETCH -> new FetchResponseData(in, version);
            default -> throw new IllegalArgumentException("no broker addresses in " + api);
        };
    }

    /** The upstream broker addresses a decoded response announces (entries without a node, e.g. errors, skipped). */
    public static List<NodeAddress> addresses(ApiMessage body) {
        List<NodeAddress> out = new ArrayList<>();
        if (body instanceof MetadataResponseData m) {
            m.brokers().forEach(b -> add(out, b.nodeId(), b.host(), b.port()));
        } else if (body instanceof FindCoordinatorResponseData f) {
            add(out, f.nodeId(), f.host(), f.port());
            f.coordinators().forEach(c -> add(out, c.nodeId(), c.host(), c.port()));
        } else if (body instanceof DescribeClusterResponseData d) {
            d.brokers().forEach(b -> add(out, b.brokerId(), b.host(), b.port()));
        } else if (body instanceof ProduceResponseData p) {
            p.nodeEndpoints().forEach(e -> add(out, e.nodeId(), e.host(), e.port()));
        } else if (body instanceof FetchResponseData f) {
            f.nodeEndpoints().forEach(e -> add(out, e.nodeId(), e.host(), e.port()));
        }
        return out;
    }

    /** Replaces every announced address by {@code gatewayAddress.apply(nodeId)}. */
    public static void replace(ApiMessage body, IntFunction<HostPort> gatewayAddress) {
        if (body instanceof MetadataResponseData m) {
            m.brokers().forEach(b -> {
                HostPort a = gatewayAddress.apply(b.nodeId());
                b.setHost(a.host()).setPort(a.port());
            });
        } else if (body instanceof FindCoordinatorResponseData f) {
            if (isNode(f.nodeId(), f.host(), f.port())) {
                HostPort a = gatewayAddress.apply(f.nodeId());
                f.setHost(a.host()).setPort(a.port());
            }
            f.coordinators().forEach(c -> {
                if (isNode(c.nodeId(), c.host(), c.port())) {
                    HostPort a = gatewayAddress.apply(c.nodeId());
                    c.setHost(a.host()).setPort(a.port());
                }
            });
        } else if (body instanceof DescribeClusterResponseData d) {
            d.brokers().forEach(b -> {
                HostPort a = gatewayAddress.apply(b.brokerId());
                b.setHost(a.host()).setPort(a.port());
            });
        } else if (body instanceof ProduceResponseData p) {
            p.nodeEndpoints().forEach(e -> {
                HostPort a = gatewayAddress.apply(e.nodeId());
                e.setHost(a.host()).setPort(a.port());
            });
        } else if (body instanceof FetchResponseData f) {
            f.nodeEndpoints().forEach(e -> {
                HostPort a = gatewayAddress.apply(e.nodeId());
                e.setHost(a.host()).setPort(a.port());
            });
        }
    }

    private static void add(List<NodeAddress> out, int nodeId, String host, int port) {
        if (isNode(nodeId, host, port)) {
            out.add(new NodeAddress(nodeId, new HostPort(host, port)));
        }
    }

    private static boolean isNode(int nodeId, String host, int port) {
        return nodeId >= 0 && host != null && !host.isEmpty() && port > 0 && port <= 65535;
    }
}
