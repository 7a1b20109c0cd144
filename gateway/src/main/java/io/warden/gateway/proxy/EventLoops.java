package io.warden.gateway.proxy;

import io.vertx.core.Vertx;
import io.vertx.core.transport.Transport;
import io.warden.gateway.config.ConfigException;
import io.warden.gateway.config.NetworkTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the Vert.x instance the gateway runs on, with the network transport its configuration asks for. */
public final class EventLoops {

    private static final Logger LOG = LoggerFactory.getLogger(EventLoops.class);

    private EventLoops() {
    }

    /**
     * A Vert.x instance on {@code wanted}: {@code auto} takes epoll when Netty's native library loads here and NIO
     * otherwise (saying why); {@code epoll} that is not available is a configuration error naming the cause. Logs
     * {@code event=transport name=<epoll|nio>}.
     */
    public static Vertx create(NetworkTransport wanted) {
        Transport transport = wanted == NetworkTransport.NIO ? Transport.NIO : Transport.EPOLL;
        if (!transport.available()) {
            String cause = String.valueOf(transport.unavailabilityCause());
            if (wanted == NetworkTransport.EPOLL) {
                throw new ConfigException("transport: epoll is not available on this machine (" + cause
                        + "); use auto or nio");
            }
            LOG.info("event=transport name=nio reason=\"epoll is not available: {}\"", cause);
            return Vertx.builder().withTransport(Transport.NIO).build();
        }
        Vertx vertx = Vertx.builder().withTransport(transport).build();
        LOG.info("event=transport name={}", transport.name());
        return vertx;
    }
}
