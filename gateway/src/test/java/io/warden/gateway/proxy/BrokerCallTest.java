package io.warden.gateway.proxy;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class BrokerCallTest {

    /**
     * A broker that closed the connection between two of the gateway's own requests (here, before the first; in
     * practice while the SCRAM proof is computed on a worker thread) fails the next one at once, not after the call's
     * timeout.
     */
    @Test
    void aRequestOnAConnectionTheBrokerClosedFailsAtOnce() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            int port = vertx.createNetServer().connectHandler(NetSocket::close).listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
            // made on the event loop as the connection completes, before its close can be seen
            BrokerCall call = vertx.createNetClient().connect(port, "127.0.0.1")
                    .map(socket -> new BrokerCall(socket, vertx, Duration.ofSeconds(60)))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(call::closed);

            assertThatThrownBy(() -> call.send(ApiKeys.API_VERSIONS, (short) 3, new ApiVersionsRequestData())
                    .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().hasMessage("broker closed the connection");
            assertThat(call.closed()).isTrue();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
