package io.warden.gateway.proxy;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.warden.gateway.cluster.TopicNames;
import io.warden.gateway.cluster.UpstreamNodes;
import io.warden.gateway.config.HostPort;
import io.warden.gateway.protocol.BrokerAddresses;
import io.warden.gateway.protocol.BrokerAddresses.NodeAddress;
import io.warden.gateway.protocol.KafkaFrames;
import io.warden.gateway.protocol.SupportedApis;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;

import java.util.List;

/**
 * Turns a broker's response into what the client may see: ApiVersions narrowed to what the gateway understands,
 * and every broker address replaced by the gateway port for that node (bound before the response leaves).
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
            return Future.succeededFuture(narrowApiVersions(version, frame));
        }
        if (api == ApiKeys.DESCRIBE_TOPIC_PARTITIONS || api == ApiKeys.CREATE_TOPICS) {
            learnTopicIds(api, version, frame);
            return Future.succeededFuture(frame);
        }
        if (!BrokerAddresses.mayCarryAddresses(api, version)) {
            return Future.succeededFuture(frame);
        }
        KafkaFrames.Response response = KafkaFrames.splitResponse(frame, api, version);
        ApiMessage body = BrokerAddresses.decode(api, version, response.body());

        if (body instanceof MetadataResponseData metadata) {
            metadata.topics().forEach(t -> topicNames.learn(t.topicId(), t.name()));
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

    /** Responses other than Metadata that name topics by both id and name. */
    private void learnTopicIds(ApiKeys api, short version, Buffer frame) {
        ByteBufferAccessor body = new ByteBufferAccessor(KafkaFrames.splitResponse(frame, api, version).body());
        if (api == ApiKeys.DESCRIBE_TOPIC_PARTITIONS) {
            new DescribeTopicPartitionsResponseData(body, version).topics()
                    .forEach(t -> topicNames.learn(t.topicId(), t.name()));
        } else {
            new CreateTopicsResponseData(body, version).topics()
                    .forEach(t -> topicNames.learn(t.topicId(), t.name()));
        }
    }

    private HostPort gatewayAddress(int nodeId) {
        return new HostPort(listener.listenerConfig().advertisedHost(), listener.listenerConfig().portForNode(nodeId).orElseThrow());
    }

    private static Buffer narrowApiVersions(short version, Buffer frame) {
        KafkaFrames.Response response = KafkaFrames.splitResponse(frame, ApiKeys.API_VERSIONS, version);
        // A broker that does not know the requested version answers with a v0 body, as the Kafka client expects.
        short errorCode = response.body().duplicate().getShort();
        short bodyVersion = errorCode == Errors.UNSUPPORTED_VERSION.code() ? 0 : version;
        ApiVersionsResponseData data = new ApiVersionsResponseData(new ByteBufferAccessor(response.body()), bodyVersion);
        SupportedApis.intersect(data);
        return KafkaFrames.frame(response.header(), KafkaFrames.serialize(data, bodyVersion));
    }
}
