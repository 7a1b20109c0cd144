package io.warden.gateway.proxy;

import io.vertx.core.Future;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;

import java.util.ArrayList;
import java.util.List;

/**
 * Kafka's auto-creation of topics, asked for by the gateway itself: a Metadata request with auto-creation on that
 * names only the topics to create, on a short-lived connection of its own to a bootstrap broker (logged in as the
 * gateway where the brokers need SASL). The broker creates them as for any client asking so — only if its
 * {@code auto.create.topics.enable} allows, and with its defaults — so that a client's request naming other topics as
 * well can go on with auto-creation off. Completes on the listener's event loop.
 */
final class AutoTopicCreation {

    private AutoTopicCreation() {
    }

    /**
     * Asks for {@code topics} at {@code version} (4 or later: one that can ask for auto-creation, and that the broker
     * takes, as the client's own request goes at it); completes with the broker's answer.
     */
    static Future<MetadataResponseData> request(ListenerVerticle listener, List<String> topics, short version) {
        List<MetadataRequestTopic> named = new ArrayList<>(topics.size());
        topics.forEach(name -> named.add(new MetadataRequestTopic().setName(name)));
        MetadataRequestData request = new MetadataRequestData().setTopics(named).setAllowAutoTopicCreation(true);
        UpstreamLogin login = listener.gateway().upstreamLogin();
        return listener.connectBootstrap().compose(socket -> {
            BrokerCall call = new BrokerCall(socket, listener.vertx(), listener.gateway().config().upstream().metadataTimeout());
            Future<Long> ready = login == null ? Future.succeededFuture(0L) : login.login(call, listener.vertx());
            return ready.compose(lifetime -> call.send(ApiKeys.METADATA, version, request))
                    .map(body -> new MetadataResponseData(new ByteBufferAccessor(body), version))
                    .eventually(socket::close);
        });
    }
}
