package io.warden.dev;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A real single-node Kafka cluster (combined broker and KRaft controller) running inside this JVM, built from
 * Kafka's own artifacts: storage formatted with Kafka's {@link Formatter}, then {@link KafkaRaftServer}. For the
 * demo and the benchmark only; never part of the gateway artifact.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    public static final int NODE_ID = 1;

    private final KafkaRaftServer server;
    private final int port;
    private final int tlsPort;
    private final Path dataDir;

    private EmbeddedKafkaBroker(KafkaRaftServer server, int port, int tlsPort, Path dataDir) {
        this.server = server;
        this.port = port;
        this.tlsPort = tlsPort;
        this.dataDir = dataDir;
    }

    /**
     * Formats a fresh data directory and starts the broker on {@code 127.0.0.1:port} (0 picks a free port).
     * Returns once the broker is registered and serving.
     */
    public static EmbeddedKafkaBroker start(Path dataDir, int port, Map<String, String> overrides) throws Exception {
        return start(dataDir, port, overrides, null);
    }

    /**
     * As {@link #start(Path, int, Map)}, plus a second client listener, {@code SSL} on a free port of 127.0.0.1, when
     * {@code tlsKeystorePem} is given: one PEM file holding the unencrypted PKCS#8 private key and then its
     * certificate chain (Kafka's {@code ssl.keystore.type=PEM}). Brokers still talk to each other in plaintext.
     */
    public static EmbeddedKafkaBroker start(Path dataDir, int port, Map<String, String> overrides, Path tlsKeystorePem)
            throws Exception {
        deleteRecursively(dataDir);
        Files.createDirectories(dataDir);
        int brokerPort = port == 0 ? freePort() : port;
        int controllerPort = freePort();
        int tlsPort = tlsKeystorePem == null ? -1 : freePort();
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", dataDir.resolve("log").toString());
        p.put("num.partitions", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "3");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        if (tlsKeystorePem != null) {
            p.put("listeners", p.get("listeners") + ",SSL://127.0.0.1:" + tlsPort);
            p.put("advertised.listeners", p.get("advertised.listeners") + ",SSL://127.0.0.1:" + tlsPort);
            p.put("listener.security.protocol.map", p.get("listener.security.protocol.map") + ",SSL:SSL");
            p.put("ssl.keystore.type", "PEM");
            p.put("ssl.keystore.location", tlsKeystorePem.toAbsolutePath().toString());
        }
        p.putAll(overrides);
        KafkaConfig config = new KafkaConfig(p);

        String logDir = dataDir.resolve("log").toString();
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(NODE_ID)
                .setClusterId(Uuid.randomUuid().toString())
                .setControllerListenerName("CONTROLLER")
                .setMetadataLogDirectory(logDir)
                .addDirectory(logDir)
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .run();

        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        return new EmbeddedKafkaBroker(server, brokerPort, tlsPort, dataDir);
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The SSL listener's address; only for a broker started with a TLS keystore. */
    public String tlsBootstrapServers() {
        if (tlsPort < 0) {
            throw new IllegalStateException("this broker has no TLS listener");
        }
        return "127.0.0.1:" + tlsPort;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        deleteRecursively(dataDir);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.delete(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
