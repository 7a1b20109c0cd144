package io.warden.dev;

import io.vertx.core.Vertx;
import io.warden.gateway.config.HostPort;
import io.warden.gateway.config.LimitsConfig;
import io.warden.gateway.config.ListenerConfig;
import io.warden.gateway.config.PortRange;
import io.warden.gateway.config.UpstreamConfig;
import io.warden.gateway.config.WardenConfig;
import io.warden.gateway.proxy.GatewayServer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code warden demo}: a real Kafka broker in this JVM and the gateway in front of it, bootstrap on
 * 127.0.0.1:9092 unless {@code --port} says otherwise. Ctrl-C stops both.
 */
final class Demo {

    private Demo() {
    }

    static int run(List<String> args) throws Exception {
        int port = 9092;
        Path workDir = Path.of(".warden-demo");
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--port" -> port = Integer.parseInt(args.get(++i));
                case "--dir" -> workDir = Path.of(args.get(++i));
                default -> {
                    System.err.println("usage: warden demo [--port PORT] [--dir DIR]");
                    return 2;
                }
            }
        }
        System.out.println("Starting an embedded Kafka broker ...");
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(workDir.resolve("kafka"), 0, Map.of());
        int firstBrokerPort = port + 1;
        WardenConfig config = new WardenConfig(
                List.of(new ListenerConfig("demo", "127.0.0.1", "127.0.0.1", port,
                        new PortRange(firstBrokerPort, firstBrokerPort + 7), EmbeddedKafkaBroker.NODE_ID)),
                new UpstreamConfig(List.of(HostPort.parse(broker.bootstrapServers())), Duration.ofSeconds(10), Duration.ofSeconds(15)),
                new LimitsConfig(LimitsConfig.DEFAULT_MAX_FRAME_BYTES));
        Vertx vertx = Vertx.vertx();
        GatewayServer gateway;
        try {
            gateway = GatewayServer.start(vertx, config).await(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("error: the gateway could not start on 127.0.0.1:" + port + ": " + e.getMessage());
            vertx.close();
            broker.close();
            return 1;
        }

        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Stopping Warden and the embedded broker ...");
            try {
                gateway.stop().eventually(vertx::close).await(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("warning: gateway stop: " + e.getMessage());
            }
            broker.close();
            done.countDown();
        }, "warden-demo-shutdown"));

        String bootstrap = "127.0.0.1:" + port;
        System.out.println();
        System.out.println("Warden demo is running.");
        System.out.println("  Warden bootstrap:    " + bootstrap + "   (clients connect here)");
        System.out.println("  Broker ports:        " + firstBrokerPort + "-" + (firstBrokerPort + 7) + " on 127.0.0.1 (node " + EmbeddedKafkaBroker.NODE_ID + " -> " + firstBrokerPort + ")");
        System.out.println("  Embedded broker:     " + broker.bootstrapServers() + "   (behind Warden; clients never need it)");
        System.out.println();
        System.out.println("Try it:");
        System.out.println("  kcat -b " + bootstrap + " -L");
        System.out.println("  echo hello | kcat -b " + bootstrap + " -t demo -P");
        System.out.println("  kcat -b " + bootstrap + " -t demo -C -o beginning -e");
        System.out.println("  kafka-console-producer.sh --bootstrap-server " + bootstrap + " --topic demo");
        System.out.println("  kafka-console-consumer.sh --bootstrap-server " + bootstrap + " --topic demo --from-beginning");
        System.out.println();
        System.out.println("Press Ctrl-C to stop.");
        done.await();
        return 0;
    }
}
