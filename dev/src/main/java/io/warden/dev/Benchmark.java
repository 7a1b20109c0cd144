package io.warden.dev;

import io.warden.dev.PerfTools.ProduceRun;
import io.warden.dev.PerfTools.Runs;
import io.warden.dev.PerfTools.Target;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code warden bench}: Kafka's own perf tools ({@code ProducerPerformance}, {@code ConsumerPerformance}, each in
 * its own JVM) against one embedded broker, directly and through the gateway (its own {@code warden run} process), interleaved round by round so both
 * see the same machine conditions. Prints each run, the medians, and as its last line
 * {@code gateway/direct produce=<ratio> consume=<ratio> p99_added_ms=<ms>}. {@code warden bench tls},
 * {@code warden bench sasl} and {@code warden bench authz} are {@link TlsBenchmark}, {@link SaslBenchmark} and
 * {@link AuthzBenchmark}.
 */
final class Benchmark {

    private final int records;
    private final int recordSize;
    private final int rounds;
    private final double latencySeconds;
    /** Fixed-rate rounds (each one run per target); 0: as many as the throughput rounds less one, at least 2. */
    private final int latencyRounds;
    private final boolean inProcess;
    private Target direct;
    private Target gateway;
    private PerfTools.Topics topics;
    private PerfTools.Gateway gatewayProcess;
    private int adminPort;

    private Benchmark(PerfTools.ThroughputOptions options, double latencySeconds, int latencyRounds) {
        this.inProcess = options.inProcess;
        this.records = options.records;
        this.recordSize = options.recordSize;
        this.rounds = options.rounds;
        this.latencySeconds = latencySeconds;
        this.latencyRounds = latencyRounds > 0 ? latencyRounds : Math.max(2, options.rounds - 1);
    }

    static int run(List<String> args) throws Exception {
        if (args.contains("--help") || args.contains("-h")) {
            usage(System.out);
            return 0;
        }
        if (!args.isEmpty() && args.get(0).equals("tls")) {
            return TlsBenchmark.run(args.subList(1, args.size()));
        }
        if (!args.isEmpty() && args.get(0).equals("sasl")) {
            return SaslBenchmark.run(args.subList(1, args.size()));
        }
        if (!args.isEmpty() && args.get(0).equals("policy")) {
            return PolicyBenchmark.run(args.subList(1, args.size()));
        }
        if (!args.isEmpty() && args.get(0).equals("audit")) {
            return AuditBenchmark.run(args.subList(1, args.size()));
        }
        if (!args.isEmpty() && args.get(0).equals("authz")) {
            return AuthzBenchmark.run(args.subList(1, args.size()));
        }
        if (!args.isEmpty() && args.get(0).equals("metrics")) {
            return MetricsBenchmark.run(args.subList(1, args.size()));
        }
        if (!args.isEmpty() && args.get(0).equals("transport")) {
            return TransportBenchmark.run(args.subList(1, args.size()));
        }
        PerfTools.ThroughputOptions options = new PerfTools.ThroughputOptions();
        double latencySeconds = 10;
        int latencyRounds = 0;
        for (int i = 0; i < args.size(); i++) {
            String value = i + 1 < args.size() ? args.get(i + 1) : "";
            if (args.get(i).equals("--latency-seconds")) {
                if (!value.matches("[0-9]{1,4}(\\.[0-9]+)?")) {
                    System.err.println("--latency-seconds: expected a number of seconds (0 for no latency runs), got '" + value + "'");
                    return 2;
                }
                latencySeconds = Double.parseDouble(args.get(++i));
            } else if (args.get(i).equals("--latency-rounds")) {
                if (!value.matches("[1-9][0-9]{0,3}")) {
                    System.err.println("--latency-rounds: expected a whole number from 1 to 9999, got '" + value + "'");
                    return 2;
                }
                latencyRounds = Integer.parseInt(args.get(++i));
            } else if ((i = options.read(args, i)) < 0) {
                usage(System.err);
                return 2;
            }
        }
        return new Benchmark(options, latencySeconds, latencyRounds).execute();
    }

    /** Every benchmark's options. */
    private static void usage(java.io.PrintStream out) {
        out.println("usage: warden bench [--records N] [--record-size BYTES] [--rounds N] [--latency-seconds S]"
                + " [--latency-rounds N] [--in-process]");
        out.println("       warden bench tls [--records N] [--record-size BYTES] [--rounds N] [--handshake-seconds S]"
                + " [--handshake-warmup-seconds S] [--handshake-threads N] [--in-process] [--engine auto|jdk|openssl] [--engines]"
                + " [--client-tls openssl|jdk]");
        out.println("       warden bench sasl [--storm-seconds S] [--warmup-seconds S] [--storm-threads N]"
                + " [--rate RECORDS_PER_SEC] [--rounds N] [--record-size BYTES] [--in-process] [--engine auto|jdk|openssl]"
                + " [--client-tls openssl|jdk]");
        out.println("       warden bench authz " + VariantBenchmark.OPTIONS);
        out.println("       warden bench audit " + VariantBenchmark.OPTIONS);
        out.println("       warden bench metrics [--connections N] " + VariantBenchmark.OPTIONS);
        out.println("       warden bench transport " + VariantBenchmark.OPTIONS);
        out.println("       warden bench policy [--edits N]");
    }

    private int execute() throws Exception {
        System.out.printf(Locale.ROOT, "bench: %d records of %d bytes, acks=all, %d rounds, %d cores, gateway %s%n",
                records, recordSize, rounds, Runtime.getRuntime().availableProcessors(),
                inProcess ? "in the broker's JVM" : "in its own process");
        Path workDir = PerfTools.workDir();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(workDir.resolve("kafka"), 0, Map.of())) {
            int bootstrapPort = EmbeddedKafkaBroker.freePort();
            // The gateway runs as it is deployed: its own process (`warden run`), not inside the broker's JVM.
            adminPort = EmbeddedKafkaBroker.freePort();
            // The admin listener's histogram of the time each request spends in the gateway itself.
            Path config = PerfTools.writeGatewayConfig(workDir.resolve("warden-bench.yaml"), "bench", bootstrapPort,
                    broker.bootstrapServers(), "", "admin:\n  port: " + adminPort + "\n");
            direct = Target.plaintext("DIRECT", broker.bootstrapServers());
            gateway = Target.plaintext("GATEWAY", "127.0.0.1:" + bootstrapPort);
            try (PerfTools.Topics t = new PerfTools.Topics(broker.bootstrapServers(), "bench-");
                 PerfTools.Gateway g = PerfTools.startGateway(config, inProcess, workDir, "warden-bench-gateway", bootstrapPort)) {
                topics = t;
                gatewayProcess = g;
                return measure();
            }
        }
    }

    private int measure() throws Exception {
        // Half-size warm-up runs, as this benchmark's figures in the README were measured.
        Map<String, Runs> runs = PerfTools.throughputRounds(topics, List.of(direct, gateway), records, recordSize, rounds,
                Math.max(1000, records / 2), List.of(gatewayProcess));
        Runs directRuns = runs.get(direct.label());
        Runs gatewayRuns = runs.get(gateway.label());

        double directRate = median(directRuns.produced().stream().map(ProduceRun::recordsPerSec).toList());
        int fixedRate = (int) Math.max(1, directRate / 2);
        int latencyRecords = (int) Math.max(1000, fixedRate * latencySeconds);
        List<Double> directP99 = new ArrayList<>();
        List<Double> gatewayP99 = new ArrayList<>();
        List<Double> insideP99 = new ArrayList<>();
        List<Double> upstreamP99 = new ArrayList<>();
        for (int round = 1; latencySeconds > 0 && round <= latencyRounds; round++) {
            List<Target> order = round % 2 == 1 ? List.of(direct, gateway) : List.of(gateway, direct);
            for (Target target : order) {
                String before = target == gateway ? GatewayHistogram.scrape(adminPort) : null;
                ProduceRun p = PerfTools.produce(target, topics.create(), latencyRecords, recordSize, fixedRate);
                if (before != null) {
                    String after = GatewayHistogram.scrape(adminPort);
                    double inside = GatewayHistogram.quantile(GatewayHistogram.produce(before, GatewayHistogram.GATEWAY_TIME),
                            GatewayHistogram.produce(after, GatewayHistogram.GATEWAY_TIME), 0.99);
                    double upstream = GatewayHistogram.quantile(GatewayHistogram.produce(before, GatewayHistogram.UPSTREAM_TIME),
                            GatewayHistogram.produce(after, GatewayHistogram.UPSTREAM_TIME), 0.99);
                    insideP99.add(inside);
                    upstreamP99.add(upstream);
                    System.out.printf(Locale.ROOT, "round %d latency at %d rec/s %-7s p99 of Produce requests' time inside the gateway <= %.2f ms,"
                                    + " at the broker (sent to answered, as the gateway sees it) <= %.1f ms%n",
                            round, fixedRate, target.label(), inside, upstream);
                }
                (target == direct ? directP99 : gatewayP99).add(p.p99());
                System.out.printf(Locale.ROOT, "round %d latency at %d rec/s %-7s p50 %4.0f ms  p99 %5.0f ms%n",
                        round, fixedRate, target.label(), p.p50(), p.p99());
            }
        }

        double produceDirect = directRuns.produceMbPerSec();
        double produceGateway = gatewayRuns.produceMbPerSec();
        double consumeDirect = directRuns.consumeMbPerSec();
        double consumeGateway = gatewayRuns.consumeMbPerSec();
        double p99Direct = directP99.isEmpty() ? Double.NaN : median(directP99);
        double p99Gateway = gatewayP99.isEmpty() ? Double.NaN : median(gatewayP99);
        System.out.println();
        System.out.printf(Locale.ROOT, "median produce: direct %.1f MB/s (p50 %.0f ms, p99 %.0f ms), gateway %.1f MB/s (p50 %.0f ms, p99 %.0f ms)%n",
                produceDirect, directRuns.produceP50(), directRuns.produceP99(),
                produceGateway, gatewayRuns.produceP50(), gatewayRuns.produceP99());
        System.out.printf(Locale.ROOT, "median consume: direct %.1f MB/s, gateway %.1f MB/s%n", consumeDirect, consumeGateway);
        System.out.printf(Locale.ROOT, "median p99 at %d rec/s (half the direct maximum): direct %.0f ms, gateway %.0f ms%n",
                fixedRate, p99Direct, p99Gateway);
        if (!insideP99.isEmpty()) {
            System.out.printf(Locale.ROOT, "median p99 at %d rec/s of the time Produce requests spent inside the gateway (its "
                    + "warden_request_gateway_time_seconds histogram, bucket bound): %.2f ms; at the broker as the gateway sees it"
                    + " (warden_request_upstream_time_seconds): %.1f ms%n", fixedRate, median(insideP99), median(upstreamP99));
        }
        if (!directP99.isEmpty()) {
            // Each round's two fixed-rate runs are back to back: their difference cancels what drifts between rounds.
            List<Double> added = new ArrayList<>();
            for (int i = 0; i < directP99.size(); i++) {
                added.add(gatewayP99.get(i) - directP99.get(i));
            }
            System.out.printf(Locale.ROOT, "per-round added p99 (gateway - direct) %s ms (median %.0f)%n",
                    PerfTools.joined(added, "%.0f"), median(added));
        }
        PerfTools.printRoundRatios("gateway", gatewayRuns, "direct", directRuns);
        System.out.printf(Locale.ROOT, "gateway/direct produce=%.2f consume=%.2f p99_added_ms=%.0f%n",
                produceGateway / produceDirect, consumeGateway / consumeDirect, p99Gateway - p99Direct);
        return 0;
    }

    private static double median(List<Double> values) {
        return PerfTools.median(values);
    }
}
