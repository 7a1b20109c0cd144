package io.warden.gateway.proxy;

import io.vertx.core.Vertx;
import io.warden.gateway.config.NetworkTransport;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Warden ships Netty's native epoll transport for Linux x86-64, the platform this suite runs on. */
class EventLoopsTest {

    @Test
    void autoAndEpollRunOnTheNativeTransport() throws Exception {
        for (NetworkTransport t : new NetworkTransport[] {NetworkTransport.AUTO, NetworkTransport.EPOLL}) {
            Vertx vertx = EventLoops.create(t);
            try {
                assertThat(vertx.isNativeTransportEnabled()).as(t.key()).isTrue();
            } finally {
                vertx.close().await(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void nioRunsOnJavaSelectors() throws Exception {
        Vertx vertx = EventLoops.create(NetworkTransport.NIO);
        try {
            assertThat(vertx.isNativeTransportEnabled()).isFalse();
        } finally {
            vertx.close().await(10, TimeUnit.SECONDS);
        }
    }
}
