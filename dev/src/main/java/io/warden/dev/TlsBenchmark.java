package io.warden.dev;

import io.warden.dev.PerfTools.Runs;
import io.warden.dev.PerfTools.Target;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code warden bench tls}: TLS throughput and handshakes. One embedded broker with a plaintext and a TLS
 * listener, and the gateway with a TLS listener that forwards to the broker's plaintext one. Kafka's perf tools
 * (1 KiB records, {@code acks=all}, each in its own JVM) run against three targets, interleaved round by round with
 * the order rotating: the gateway over TLS, the broker's TLS listener, and the broker's plaintext listener. Then a
 * handshake storm ({@link HandshakeLoad}: full TLS handshake + ApiVersions, several threads) against the gateway's
 * TLS port and the broker's. The last line is
 * {@code tls gateway-tls/direct-tls produce=<r> consume=<r>; gateway-tls/direct-plaintext produce=<r> consume=<r>}.
 * {@code --engine} sets the gateway listener's {@code tls.engine}; {@code --engines} runs only the handshake storms,
 * against a gateway with {@code jdk}, a gateway with {@code openssl}, and the broker. {@code --client-tls} chooses
 * the storm clients' TLS: {@code openssl} (default, BoringSSL as librdkafka uses it) or {@code jdk}.
 */
final class TlsBenchmark {

    private static final String GATEWAY_TLS = "gateway-tls";
    private static final String DIRECT_TLS = "direct-tls";
    private static final String DIRECT_PLAINTEXT = "direct-plaintext";

    private final int records;
    private final int recordSize;
    private final int rounds;
    private final double handshakeSeconds;
    private final double warmupSeconds;
    private final int handshakeThreads;
    private final boolean inProcess;
    private final boolean enginesOnly;
    private final String engine;
    private final HandshakeLoad.ClientTls clientTls;
    private List<Target> targets;

    private TlsBenchmark(int records, int recordSize, int rounds, double handshakeSeconds, double warmupSeconds,
                         int handshakeThreads, boolean inProcess, boolean enginesOnly, String engine,
                         HandshakeLoad.ClientTls clientTls) {
        this.clientTls = clientTls;
        this.enginesOnly = enginesOnly;
        this.engine = engine;
        this.warmupSeconds = warmupSeconds;
        this.records = records;
        this.recordSize = recordSize;
        this.rounds = rounds;
        this.handshakeSeconds = handshakeSeconds;
        this.handshakeThreads = handshakeThreads;
        this.inProcess = inProcess;
    }

    static int run(List<String> args) throws Exception {
        PerfTools.ThroughputOptions options = new PerfTools.ThroughputOptions();
        double handshakeSeconds = 10;
        double warmupSeconds = 180;
        int handshakeThreads = 4;
        boolean enginesOnly = false;
        String engine = "auto";
        HandshakeLoad.ClientTls clientTls = HandshakeLoad.ClientTls.OPENSSL;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--handshake-seconds" -> handshakeSeconds = Double.parseDouble(args.get(++i));
                case "--handshake-warmup-seconds" -> warmupSeconds = Double.parseDouble(args.get(++i));
                case "--handshake-threads" -> handshakeThreads = Integer.parseInt(args.get(++i));
                case "--engines" -> enginesOnly = true;
                case "--engine" -> engine = args.get(++i);
                case "--client-tls" -> clientTls = HandshakeLoad.ClientTls.parse(args.get(++i));
                default -> {
                    if ((i = options.read(args, i)) < 0) {
                        System.err.println("usage: warden bench tls [--records N] [--record-size BYTES] [--rounds N]"
                                + " [--handshake-seconds S] [--handshake-warmup-seconds S] [--handshake-threads N] [--in-process]"
                                + " [--engine auto|jdk|openssl] [--engines] [--client-tls openssl|jdk]");
                        return 2;
                    }
                }
            }
        }
        return new TlsBenchmark(options.records, options.recordSize, options.rounds, handshakeSeconds, warmupSeconds,
                handshakeThreads, options.inProcess, enginesOnly, engine, clientTls).execute();
    }

    private int execute() throws Exception {
        if (enginesOnly) {
            System.out.printf(Locale.ROOT, "bench tls --engines: %d cores, gateway %s, once with tls.engine jdk and once with openssl,"
                            + " storm clients' TLS %s%n",
                    Runtime.getRuntime().availableProcessors(), inProcess ? "in the broker's JVM" : "in its own process", clientTls.label());
        } else {
            System.out.printf(Locale.ROOT, "bench tls: %d records of %d bytes, acks=all, %d rounds, %d cores, gateway %s, gateway TLS engine %s,"
                            + " handshake storm clients' TLS %s%n",
                    records, recordSize, rounds, Runtime.getRuntime().availableProcessors(),
                    inProcess ? "in the broker's JVM" : "in its own process", engineName(engine), clientTls.label());
        }
        Path workDir = PerfTools.workDir();
        Path pkiDir = workDir.resolve("pki").toAbsolutePath();
        DemoPki.create(pkiDir);
        Path ca = pkiDir.resolve("ca.crt");
        Path chain = pkiDir.resolve("server-chain.crt");
        Path key = pkiDir.resolve("server.key");
        // Kafka's PEM keystore is one file: the private key, then the certificate chain.
        Path brokerKeystore = pkiDir.resolve("broker-keystore.pem");
        Files.writeString(brokerKeystore, Files.readString(key) + Files.readString(chain));

        List<String> tlsProps = List.of("security.protocol=SSL", "ssl.truststore.type=PEM", "ssl.truststore.location=" + ca);
        Path tlsConsumerConfig = workDir.resolve("bench-tls-consumer.properties").toAbsolutePath();
        Files.writeString(tlsConsumerConfig, String.join("\n", tlsProps) + "\n");

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(workDir.resolve("kafka"), 0, Map.of(), brokerKeystore)) {
            if (enginesOnly) {
                return engines(ca, chain, key, broker, workDir);
            }
            int bootstrapPort = EmbeddedKafkaBroker.freePort();
            Path config = gatewayConfig(workDir, "warden-bench-tls.yaml", bootstrapPort, chain, key, engine, broker);
            targets = List.of(
                    new Target(GATEWAY_TLS, "127.0.0.1:" + bootstrapPort, tlsProps, tlsConsumerConfig),
                    new Target(DIRECT_TLS, broker.tlsBootstrapServers(), tlsProps, tlsConsumerConfig),
                    Target.plaintext(DIRECT_PLAINTEXT, broker.bootstrapServers()));
            try (PerfTools.Topics topics = new PerfTools.Topics(broker.bootstrapServers(), "bench-tls-");
                 PerfTools.Gateway g = PerfTools.startGateway(config, inProcess, workDir, "warden-bench-tls-gateway", bootstrapPort)) {
                return measure(topics, ca, bootstrapPort, broker, g);
            }
        }
    }

    /** What {@code tls.engine} resolves to here: the bench has the gateway's classpath, so the same answer. */
    private static String engineName(String engine) {
        if (engine.equals("auto")) {
            return (io.vertx.core.net.OpenSSLEngineOptions.isAvailable() ? "openssl" : "jdk") + " (tls.engine auto)";
        }
        return engine;
    }

    /** The gateway's configuration: one TLS listener in front of the broker's plaintext listener. */
    private static Path gatewayConfig(Path workDir, String name, int bootstrapPort, Path chain, Path key, String engine,
                                      EmbeddedKafkaBroker broker) throws java.io.IOException {
        return PerfTools.writeGatewayConfig(workDir.resolve(name), "bench-tls", bootstrapPort, broker.bootstrapServers(),
                String.join("\n",
                        "    tls:",
                        "      certificate: " + chain,
                        "      key: " + key,
                        "      engine: " + engine,
                        ""), "");
    }

    private int measure(PerfTools.Topics topics, Path ca, int gatewayPort, EmbeddedKafkaBroker broker,
                        PerfTools.Gateway gateway) throws Exception {
        // Full-size warm-up runs: with half-size ones Warden's first measured produce round was still its slowest.
        Map<String, Runs> runs = PerfTools.throughputRounds(topics, targets, records, recordSize, rounds, records, List.of(gateway));

        // Handshakes: a warm-up against each port (until the server's JIT compilers are nearly idle: a minute or two
        // on two cores for a fresh gateway), then the measured storm, gateway first.
        String[] brokerTls = broker.tlsBootstrapServers().split(":");
        HandshakeLoad.Result gatewayHandshakes = null;
        HandshakeLoad.Result brokerHandshakes = null;
        try (HandshakeLoad toGateway = new HandshakeLoad("127.0.0.1", gatewayPort, ca, null, clientTls);
             HandshakeLoad toBroker = new HandshakeLoad("127.0.0.1", Integer.parseInt(brokerTls[1]), ca, null, clientTls)) {
            if (handshakeSeconds > 0) {
                toGateway.warmUp("gateway-tls", handshakeThreads, warmupSeconds, gateway, gateway::compilerCpuNanos);
                toBroker.warmUp("direct-tls", handshakeThreads, warmupSeconds / 2, gateway, PerfTools::ownCompilerNanos);
                gatewayHandshakes = toGateway.run(handshakeThreads, handshakeSeconds, gateway);
                System.out.printf(Locale.ROOT, "handshakes gateway-tls %s%n", HandshakeLoad.describe(gatewayHandshakes));
                brokerHandshakes = toBroker.run(handshakeThreads, handshakeSeconds, gateway);
                System.out.printf(Locale.ROOT, "handshakes direct-tls  %s%n", HandshakeLoad.describe(brokerHandshakes));
            }
        }

        System.out.println();
        PerfTools.printMedians(runs);
        if (gatewayHandshakes != null) {
            System.out.printf(Locale.ROOT, "tls handshakes_per_sec gateway=%.0f direct=%.0f (%d threads, TLS handshake + ApiVersions,"
                            + " no resumption, %s clients)%n",
                    gatewayHandshakes.perSecond(), brokerHandshakes.perSecond(), handshakeThreads, clientTls.label());
        }
        Runs viaGateway = runs.get(GATEWAY_TLS);
        Runs directTls = runs.get(DIRECT_TLS);
        Runs directPlaintext = runs.get(DIRECT_PLAINTEXT);
        PerfTools.printRoundRatios(GATEWAY_TLS, viaGateway, DIRECT_TLS, directTls);
        System.out.printf(Locale.ROOT, "tls gateway-tls/direct-tls produce=%.2f consume=%.2f; gateway-tls/direct-plaintext produce=%.2f consume=%.2f%n",
                viaGateway.produceMbPerSec() / directTls.produceMbPerSec(),
                viaGateway.consumeMbPerSec() / directTls.consumeMbPerSec(),
                viaGateway.produceMbPerSec() / directPlaintext.produceMbPerSec(),
                viaGateway.consumeMbPerSec() / directPlaintext.consumeMbPerSec());
        return 0;
    }

    /**
     * {@code --engines}: handshakes only. The gateway with {@code tls.engine: jdk}, then a fresh gateway with
     * {@code openssl} (each its own process, warmed up until its JIT compilers are nearly idle), then the broker's
     * TLS listener (JDK).
     */
    private int engines(Path ca, Path chain, Path key, EmbeddedKafkaBroker broker, Path workDir) throws Exception {
        System.out.printf(Locale.ROOT, "TLS handshake + ApiVersions, %d threads, %.0f s each after warm-up;"
                + " OpenSSL (netty-tcnative) %s%n", handshakeThreads, handshakeSeconds,
                io.vertx.core.net.OpenSSLEngineOptions.isAvailable() ? "available" : "NOT available");
        Map<String, HandshakeLoad.Result> results = new java.util.LinkedHashMap<>();
        for (String name : List.of("jdk", "openssl")) {
            int port = EmbeddedKafkaBroker.freePort();
            Path config = gatewayConfig(workDir, "warden-bench-tls-" + name + ".yaml", port, chain, key, name, broker);
            try (PerfTools.Gateway g = PerfTools.startGateway(config, inProcess, workDir, "warden-bench-tls-" + name + "-gateway", port);
                 HandshakeLoad load = new HandshakeLoad("127.0.0.1", port, ca, null, clientTls)) {
                load.warmUp("gateway-" + name, handshakeThreads, warmupSeconds, g, g::compilerCpuNanos);
                results.put("gateway, tls.engine " + name, load.run(handshakeThreads, handshakeSeconds, g));
            }
        }
        int brokerTlsPort = Integer.parseInt(broker.tlsBootstrapServers().split(":")[1]);
        try (HandshakeLoad toBroker = new HandshakeLoad("127.0.0.1", brokerTlsPort, ca, null, clientTls)) {
            toBroker.warmUp("direct-tls", handshakeThreads, warmupSeconds / 2, null, PerfTools::ownCompilerNanos);
            results.put("direct-tls (broker, JDK)", toBroker.run(handshakeThreads, handshakeSeconds, null));
        }
        System.out.println();
        results.forEach((name, r) -> System.out.printf(Locale.ROOT, "handshakes %-28s %s%n", name, HandshakeLoad.describe(r)));
        List<HandshakeLoad.Result> r = List.copyOf(results.values());
        System.out.printf(Locale.ROOT, "tls handshakes_per_sec gateway_jdk=%.0f gateway_openssl=%.0f direct=%.0f;"
                        + " gateway_cpu_ms_per_handshake jdk=%.2f openssl=%.2f%n",
                r.get(0).perSecond(), r.get(1).perSecond(), r.get(2).perSecond(),
                r.get(0).gatewayCpuNanos() / 1e6 / Math.max(1, r.get(0).completed()),
                r.get(1).gatewayCpuNanos() / 1e6 / Math.max(1, r.get(1).completed()));
        return 0;
    }
}
