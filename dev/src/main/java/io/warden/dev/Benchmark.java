package io.warden.dev;

import io.warden.dev.PerfTools.ProduceRun;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code warden bench}: Kafka's own perf tools ({@code ProducerPerformance}, {@code ConsumerPerformance}, each in
 * its own JVM) against one embedded broker, directly and through the gateway (its own {@code warden run} process), interleaved round by round so both
 * see the same machine conditions. Prints each run, the medians, and as its last line
 * {@code gateway/direct produce=<ratio> consume=<ratio> p99_added_ms=<ms>}. {@code warden bench tls} and
 * {@code warden bench sasl} are {@link TlsBenchmark} and {@link SaslBenchmark}.
 */
final class Benchmark {

    private enum Mode { DIRECT, GATEWAY }

    private final int records;
    private final int recordSize;
    private final int rounds;
    private final double latencySeconds;
    private final boolean inProcess;
    private String direct;
    private String gateway;
    private Admin admin;
    private int topicCounter;

    private Benchmark(int records, int recordSize, int rounds, double latencySeconds, boolean inProcess) {
        this.inProcess = inProcess;
        this.records = records;
        this.recordSize = recordSize;
        this.rounds = rounds;
        this.latencySeconds = latencySeconds;
    }

    static int run(List<String> args) throws Exception {
        if (!args.isEmpty() && args.get(0).equals("tls")) {
            return TlsBenchmark.run(args.subList(1, args.size()));
        }
        if (!args.isEmpty() && args.get(0).equals("sasl")) {
            return SaslBenchmark.run(args.subList(1, args.size()));
        }
        int records = 200_000;
        int recordSize = 1024;
        int rounds = 3;
        double latencySeconds = 10;
        boolean inProcess = false;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--records" -> records = Integer.parseInt(args.get(++i));
                case "--record-size" -> recordSize = Integer.parseInt(args.get(++i));
                case "--rounds" -> rounds = Integer.parseInt(args.get(++i));
                case "--latency-seconds" -> latencySeconds = Double.parseDouble(args.get(++i));
                case "--in-process" -> inProcess = true;
                default -> {
                    System.err.println("usage: warden bench [--records N] [--record-size BYTES] [--rounds N] [--latency-seconds S] [--in-process]");
                    System.err.println("       warden bench tls [--records N] [--record-size BYTES] [--rounds N] [--handshake-seconds S]"
                            + " [--handshake-warmup-seconds S] [--handshake-threads N] [--in-process] [--engine auto|jdk|openssl] [--engines]");
                    System.err.println("       warden bench sasl [--storm-seconds S] [--warmup-seconds S] [--storm-threads N]"
                            + " [--rate RECORDS_PER_SEC] [--rounds N] [--record-size BYTES] [--in-process] [--engine auto|jdk|openssl]");
                    return 2;
                }
            }
        }
        return new Benchmark(records, recordSize, rounds, latencySeconds, inProcess).execute();
    }

    private int execute() throws Exception {
        System.out.printf(Locale.ROOT, "bench: %d records of %d bytes, acks=all, %d rounds, %d cores, gateway %s%n",
                records, recordSize, rounds, Runtime.getRuntime().availableProcessors(),
                inProcess ? "in the broker's JVM" : "in its own process");
        Path workDir = PerfTools.workDir();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(workDir.resolve("kafka"), 0, Map.of())) {
            int bootstrapPort = EmbeddedKafkaBroker.freePort();
            int brokerPort = EmbeddedKafkaBroker.freePort();
            // The gateway runs as it is deployed: its own process (`warden run`), not inside the broker's JVM.
            Path config = workDir.resolve("warden-bench.yaml");
            Files.writeString(config, String.join("\n",
                    "listeners:",
                    "  - name: bench",
                    "    bindHost: 127.0.0.1",
                    "    bootstrapPort: " + bootstrapPort,
                    "    brokerPorts: " + brokerPort + "-" + brokerPort,
                    "    firstNodeId: " + EmbeddedKafkaBroker.NODE_ID,
                    "upstream:",
                    "  bootstrapServers: [\"" + broker.bootstrapServers() + "\"]",
                    ""));
            direct = broker.bootstrapServers();
            gateway = "127.0.0.1:" + bootstrapPort;
            admin = Admin.create(Map.of("bootstrap.servers", direct));
            try (PerfTools.Gateway g = PerfTools.startGateway(config, inProcess, workDir, "warden-bench-gateway", bootstrapPort)) {
                return measure();
            } finally {
                admin.close();
            }
        }
    }

    private int measure() throws Exception {
        List<ProduceRun> directProduce = new ArrayList<>();
        List<ProduceRun> gatewayProduce = new ArrayList<>();
        List<Double> directConsume = new ArrayList<>();
        List<Double> gatewayConsume = new ArrayList<>();

        warmUp();
        for (int round = 1; round <= rounds; round++) {
            List<Mode> order = round % 2 == 1 ? List.of(Mode.DIRECT, Mode.GATEWAY) : List.of(Mode.GATEWAY, Mode.DIRECT);
            for (Mode mode : order) {
                String topic = newTopic();
                ProduceRun p = produce(mode, topic, records, -1);
                (mode == Mode.DIRECT ? directProduce : gatewayProduce).add(p);
                System.out.printf(Locale.ROOT, "round %d produce %-7s %8.1f MB/s  p50 %4.0f ms  p99 %5.0f ms%n",
                        round, mode, p.mbPerSec(), p.p50(), p.p99());
                double c = consume(mode, topic, records);
                (mode == Mode.DIRECT ? directConsume : gatewayConsume).add(c);
                System.out.printf(Locale.ROOT, "round %d consume %-7s %8.1f MB/s%n", round, mode, c);
            }
        }

        double directRate = median(directProduce.stream().map(ProduceRun::recordsPerSec).toList());
        int fixedRate = (int) Math.max(1, directRate / 2);
        int latencyRecords = (int) Math.max(1000, fixedRate * latencySeconds);
        List<Double> directP99 = new ArrayList<>();
        List<Double> gatewayP99 = new ArrayList<>();
        for (int round = 1; latencySeconds > 0 && round <= Math.max(2, rounds - 1); round++) {
            List<Mode> order = round % 2 == 1 ? List.of(Mode.DIRECT, Mode.GATEWAY) : List.of(Mode.GATEWAY, Mode.DIRECT);
            for (Mode mode : order) {
                ProduceRun p = produce(mode, newTopic(), latencyRecords, fixedRate);
                (mode == Mode.DIRECT ? directP99 : gatewayP99).add(p.p99());
                System.out.printf(Locale.ROOT, "round %d latency at %d rec/s %-7s p50 %4.0f ms  p99 %5.0f ms%n",
                        round, fixedRate, mode, p.p50(), p.p99());
            }
        }

        double produceDirect = median(directProduce.stream().map(ProduceRun::mbPerSec).toList());
        double produceGateway = median(gatewayProduce.stream().map(ProduceRun::mbPerSec).toList());
        double consumeDirect = median(directConsume);
        double consumeGateway = median(gatewayConsume);
        double p99Direct = directP99.isEmpty() ? Double.NaN : median(directP99);
        double p99Gateway = gatewayP99.isEmpty() ? Double.NaN : median(gatewayP99);
        System.out.println();
        System.out.printf(Locale.ROOT, "median produce: direct %.1f MB/s (p50 %.0f ms, p99 %.0f ms), gateway %.1f MB/s (p50 %.0f ms, p99 %.0f ms)%n",
                produceDirect, median(directProduce.stream().map(ProduceRun::p50).toList()), median(directProduce.stream().map(ProduceRun::p99).toList()),
                produceGateway, median(gatewayProduce.stream().map(ProduceRun::p50).toList()), median(gatewayProduce.stream().map(ProduceRun::p99).toList()));
        System.out.printf(Locale.ROOT, "median consume: direct %.1f MB/s, gateway %.1f MB/s%n", consumeDirect, consumeGateway);
        System.out.printf(Locale.ROOT, "median p99 at %d rec/s (half the direct maximum): direct %.0f ms, gateway %.0f ms%n",
                fixedRate, p99Direct, p99Gateway);
        System.out.printf(Locale.ROOT, "gateway/direct produce=%.2f consume=%.2f p99_added_ms=%.0f%n",
                produceGateway / produceDirect, consumeGateway / consumeDirect, p99Gateway - p99Direct);
        return 0;
    }

    /** One short run each way, so JIT and page cache do not favour whichever mode runs second. */
    private void warmUp() throws Exception {
        int n = Math.max(1000, records / 2);
        for (Mode mode : Mode.values()) {
            String topic = newTopic();
            produce(mode, topic, n, -1);
            consume(mode, topic, n);
        }
    }

    private String newTopic() throws Exception {
        String topic = "bench-" + (++topicCounter);
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        return topic;
    }

    private ProduceRun produce(Mode mode, String topic, int count, int throughput) throws Exception {
        return PerfTools.produce(bootstrap(mode), List.of(), topic, count, recordSize, throughput);
    }

    private double consume(Mode mode, String topic, int count) throws Exception {
        return PerfTools.consume(bootstrap(mode), null, topic, count, "bench-" + topic + "-" + mode);
    }

    private String bootstrap(Mode mode) {
        return mode == Mode.DIRECT ? direct : gateway;
    }

    private static double median(List<Double> values) {
        return PerfTools.median(values);
    }
}
