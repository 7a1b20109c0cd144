package io.warden.gateway.proxy;

import io.vertx.core.Future;
import io.warden.gateway.protocol.SupportedApis;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;

/**
 * What the cluster's brokers support, narrowed to what the gateway understands: the answer to ApiVersions on a SASL
 * listener before the client has authenticated, when nothing of the client's may reach a broker yet. Learnt from a
 * probe (ApiVersions needs no authentication on a broker) and kept current from every ApiVersions response the gateway
 * forwards. Thread-safe: the published value is never mutated.
 */
final class ClusterApiVersions {

    private static final short PROBE_VERSION = 3;

    private volatile ApiVersionsResponseData latest;

    /** Records a broker's narrowed answer. */
    void learn(ApiVersionsResponseData narrowed) {
        if (narrowed.errorCode() == Errors.NONE.code()) {
            latest = narrowed.duplicate();
        }
    }

    /** The latest known answer (a copy the caller may change), probing a bootstrap broker when none is known yet. */
    Future<ApiVersionsResponseData> get(ListenerVerticle listener) {
        ApiVersionsResponseData known = latest;
        if (known != null) {
            return Future.succeededFuture(known.duplicate());
        }
        return listener.connectBootstrap().compose(socket -> {
            BrokerCall call = new BrokerCall(socket, listener.vertx(), listener.gateway().config().upstream().metadataTimeout());
            ApiVersionsRequestData request = new ApiVersionsRequestData()
                    .setClientSoftwareName("warden").setClientSoftwareVersion("0.1.0");
            return call.send(ApiKeys.API_VERSIONS, PROBE_VERSION, request)
                    .map(body -> {
                        ApiVersionsResponseData data = new ApiVersionsResponseData(new ByteBufferAccessor(body), PROBE_VERSION);
                        if (data.errorCode() != Errors.NONE.code()) {
                            throw new IllegalStateException("broker refused ApiVersions: " + Errors.forCode(data.errorCode()));
                        }
                        SupportedApis.intersect(data);
                        learn(data);
                        return data;
                    })
                    .eventually(socket::close);
        });
    }
}
