package io.warden.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.warden.gateway.cluster.TopicNames;
import io.warden.gateway.cluster.UpstreamNodes;
import io.warden.gateway.config.HostPort;
import io.warden.gateway.enforce.Enforcers;
import io.warden.gateway.protocol.BrokerAddressConfigs;
import io.warden.gateway.protocol.BrokerAddresses;
import io.warden.gateway.protocol.BrokerAddresses.NodeAddress;
import io.warden.gateway.protocol.FetchTail;
import io.warden.gateway.protocol.KafkaFrames;
import io.warden.gateway.protocol.SupportedApis;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;

import java.util.List;

/**
 * Turns a broker's response into what the client may see: ApiVersions narrowed to what the gateway understands,
 * every broker address replaced by the gateway port for that node (bound before the response leaves), and broker
 * configs holding addresses hidden.
 * Responses that need neither are passed through untouched, as the same bytes. Runs on the listener's event loop.
 */
final class ResponseRewriter {

    private final ListenerVerticle listener;
    private final UpstreamNodes nodes;
    private final TopicNames topicNames;

    ResponseRewriter(ListenerVerticle listener, UpstreamNodes nodes, TopicNames topicNames) {
        this.listener = listener;
        this.nodes = nodes;
        this.topicNames = topicNames;
    }

    Future<Buffer> rewrite(ApiKeys api, short version, Buffer frame) {
        if (api == ApiKeys.API_VERSIONS) {
            return Future.succeededFuture(narrowApiVersions(version, frame, listener.listenerConfig().sasl() != null,
                    listener.gateway().authorization() != null, listener.gateway().apiVersions()));
        }
        if (api == ApiKeys.DESCRIBE_TOPIC_PARTITIONS) {
            learnTopicIds(version, frame);
            return Future.succeededFuture(frame);
        }
        if (api == ApiKeys.DESCRIBE_CONFIGS) {
            return Future.succeededFuture(hideBrokerAddresses(version, frame));
        }
        if (!BrokerAddresses.mayCarryAddresses(api, version)) {
            return Future.succeededFuture(frame);
        }
        KafkaFrames.Response response = KafkaFrames.splitResponse(frame, api, version);
        ApiMessage body = BrokerAddresses.decode(api, version, response.body());

        if (body instanceof MetadataResponseData metadata) {
            metadata.topics().stream().filter(t -> t.errorCode() == Errors.NONE.code())
                    .forEach(t -> topicNames.learn(t.topicId(), t.name()));
        }
        List<NodeAddress> announced = BrokerAddresses.addresses(body);
        if (announced.isEmpty()) {
            return Future.succeededFuture(frame);
        }
        announced.forEach(a -> nodes.learn(a.nodeId(), a.address()));
        return listener.ensureBrokerPorts(announced.stream().map(NodeAddress::nodeId).distinct().toList())
                .map(ignored -> {
                    BrokerAddresses.replace(body, this::gatewayAddress);
                    return KafkaFrames.frame(response.header(), KafkaFrames.serialize(body, version));
                });
    }

    /**
     * True when a response of this API may be forwarded while it is still arriving: its bytes go out unchanged,
     * except for Fetch v16+, whose tail {@link #remainder} may rewrite.
     */
    static boolean canStream(ApiKeys api, short version) {
        return api == ApiKeys.FETCH || !(api == ApiKeys.API_VERSIONS || api == ApiKeys.DESCRIBE_TOPIC_PARTITIONS
                || api == ApiKeys.DESCRIBE_CONFIGS || BrokerAddresses.mayCarryAddresses(api, version));
    }

    /** How many bytes at the end of a streamed response must wait for the whole frame (room for node endpoints). */
    static int streamHoldBack(ApiKeys api, short version) {
        return BrokerAddresses.mayCarryAddresses(api, version) ? STREAM_HOLD_BACK : 0;
    }

    static final int STREAM_HOLD_BACK = 64 * 1024;

    /**
     * The rest of a streamed response whose first {@code sent} bytes the client already has. For Fetch v16+ the
     * node endpoints are rewritten in place, at the same encoded size, so the bytes already sent stay valid.
     */
    Future<Buffer> remainder(ApiKeys api, short version, Buffer frame, int sent) {
        if (!BrokerAddresses.mayCarryAddresses(api, version)) {
            return Future.succeededFuture(frame.slice(sent, frame.length()));
        }
        KafkaFrames.Response response = KafkaFrames.splitResponse(frame, api, version);
        int originalBodySize = response.body().remaining();
        FetchResponseData body = new FetchResponseData(new ByteBufferAccessor(response.body()), version);
        List<NodeAddress> announced = BrokerAddresses.addresses(body);
        if (announced.isEmpty()) {
            return Future.succeededFuture(frame.slice(sent, frame.length()));
        }
        announced.forEach(a -> nodes.learn(a.nodeId(), a.address()));
        return listener.ensureBrokerPorts(announced.stream().map(NodeAddress::nodeId).distinct().toList())
                .map(ignored -> {
                    Buffer rewritten = KafkaFrames.frame(response.header(),
                            FetchTail.rewriteAtSize(body, version, originalBodySize, this::gatewayAddress));
                    if (rewritten.length() != frame.length() || !rewritten.slice(0, sent).equals(frame.slice(0, sent))) {
                        throw new IllegalStateException("re-encoded Fetch response differs in the part already forwarded");
                    }
                    return rewritten.slice(sent, rewritten.length());
                });
    }

    /**
     * DescribeTopicPartitions names topics by both id and name. CreateTopics does too, but is not learned from: a
     * validateOnly request gets a fresh random id for every name, of a topic that never exists.
     */
    private void learnTopicIds(short version, Buffer frame) {
        ByteBufferAccessor body = new ByteBufferAccessor(KafkaFrames.splitResponse(frame, ApiKeys.DESCRIBE_TOPIC_PARTITIONS, version).body());
        new DescribeTopicPartitionsResponseData(body, version).topics().stream()
                .filter(t -> t.errorCode() == Errors.NONE.code())
                .forEach(t -> topicNames.learn(t.topicId(), t.name()));
    }

    private static Buffer hideBrokerAddresses(short version, Buffer frame) {
        KafkaFrames.Response response = KafkaFrames.splitResponse(frame, ApiKeys.DESCRIBE_CONFIGS, version);
        DescribeConfigsResponseData body = new DescribeConfigsResponseData(new ByteBufferAccessor(response.body()), version);
        if (!BrokerAddressConfigs.hide(body)) {
            return frame;
        }
        return KafkaFrames.frame(response.header(), KafkaFrames.serialize(body, version));
    }

    private HostPort gatewayAddress(int nodeId) {
        return new HostPort(listener.listenerConfig().advertisedHost(), listener.listenerConfig().portForNode(nodeId).orElseThrow());
    }

    private static Buffer narrowApiVersions(short version, Buffer frame, boolean sasl, boolean enforced, ClusterApiVersions cluster) {
        KafkaFrames.Response response = KafkaFrames.splitResponse(frame, ApiKeys.API_VERSIONS, version);
        // A broker that does not know the requested version answers with a v0 body, as the Kafka client expects.
        short errorCode = response.body().duplicate().getShort();
        short bodyVersion = errorCode == Errors.UNSUPPORTED_VERSION.code() ? 0 : version;
        ApiVersionsResponseData data = new ApiVersionsResponseData(new ByteBufferAccessor(response.body()), bodyVersion);
        SupportedApis.intersect(data);
        cluster.learn(data);
        if (enforced) {
            SupportedApis.retain(data, Enforcers::isEnforced);
            SupportedApis.addAclAdministration(data);
        }
        SupportedApis.addGatewayApis(data);
        if (sasl) {
            SupportedApis.addSasl(data);
        }
        return KafkaFrames.frame(response.header(), KafkaFrames.serialize(data, bodyVersion));
    }
}
