package io.warden.dev;

import io.vertx.core.Vertx;
import io.warden.gateway.Warden;
import io.warden.gateway.config.ConfigLoader;
import io.warden.gateway.proxy.GatewayServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code warden bench}: Kafka's own perf tools ({@code ProducerPerformance}, {@code ConsumerPerformance}, each in
 * its own JVM) against one embedded broker, directly and through the gateway (its own {@code warden run} process), interleaved round by round so both
 * see the same machine conditions. Prints each run, the medians, and as its last line
 * {@code gateway/direct produce=<ratio> consume=<ratio> p99_added_ms=<ms>}.
 */
final class Benchmark {

    private static final Pattern PRODUCER_SUMMARY = Pattern.compile(
            "(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg latency, ([\\d.]+) ms max latency, (\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms 99th");

    private record ProduceRun(double recordsPerSec, double mbPerSec, double p50, double p99) {
    }

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
        Path workDir = Path.of(".warden-bench");
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
            if (inProcess) {
                // For comparison: the gateway shares the broker's JVM (one heap, one GC, one fewer process).
                Vertx vertx = Vertx.vertx();
                GatewayServer server = GatewayServer.start(vertx, ConfigLoader.load(config)).await(60, TimeUnit.SECONDS);
                try {
                    return measure();
                } finally {
                    admin.close();
                    server.stop().eventually(vertx::close).await(30, TimeUnit.SECONDS);
                }
            }
            List<String> gatewayCommand = javaCommand(List.of(Warden.class.getName(), "run", "--config", config.toString()));
            // GC pauses are the first suspect for tail latency, so keep the gateway's GC log beside its output.
            gatewayCommand.add(1, "-Xlog:gc:file=" + workDir.resolve("warden-bench-gateway-gc.log"));
            Process gatewayProcess = new ProcessBuilder(gatewayCommand)
                    .redirectErrorStream(true)
                    .redirectOutput(workDir.resolve("warden-bench-gateway.log").toFile())
                    .start();
            try {
                awaitListening(gatewayProcess, bootstrapPort);
                return measure();
            } finally {
                admin.close();
                gatewayProcess.destroy();
                if (!gatewayProcess.waitFor(30, TimeUnit.SECONDS)) {
                    gatewayProcess.destroyForcibly();
                }
            }
        }
    }

    private static void awaitListening(Process process, int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the gateway exited with status " + process.exitValue()
                        + "; see .warden-bench/warden-bench-gateway.log");
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("the gateway did not listen on port " + port + " within 60 s");
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
                        round, mode, p.mbPerSec, p.p50, p.p99);
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
                (mode == Mode.DIRECT ? directP99 : gatewayP99).add(p.p99);
                System.out.printf(Locale.ROOT, "round %d latency at %d rec/s %-7s p50 %4.0f ms  p99 %5.0f ms%n",
                        round, fixedRate, mode, p.p50, p.p99);
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
        // Fixed-rate (latency) runs warm their JVM first; throughput runs measure from a cold start, as Kafka's docs do.
        List<String> launcher = throughput > 0
                ? List.of(WarmProducerPerformance.class.getName(), String.valueOf(Math.max(1000, count / 4)))
                : List.of("org.apache.kafka.tools.ProducerPerformance");
        String out = tool(launcher,
                "--topic", topic, "--num-records", String.valueOf(count), "--record-size", String.valueOf(recordSize),
                "--throughput", String.valueOf(throughput),
                "--producer-props", "bootstrap.servers=" + bootstrap(mode), "acks=all", "linger.ms=5");
        Matcher m = null;
        for (String line : out.split("\n")) {
            Matcher candidate = PRODUCER_SUMMARY.matcher(line);
            if (candidate.find()) {
                m = candidate;
            }
        }
        if (m == null) {
            throw new IllegalStateException("ProducerPerformance printed no summary:\n" + out);
        }
        return new ProduceRun(Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)),
                Double.parseDouble(m.group(6)), Double.parseDouble(m.group(8)));
    }

    private double consume(Mode mode, String topic, int count) throws Exception {
        String out = tool(List.of("org.apache.kafka.tools.ConsumerPerformance"),
                "--bootstrap-server", bootstrap(mode), "--topic", topic, "--messages", String.valueOf(count),
                "--timeout", "60000", "--group", "bench-" + topic + "-" + mode);
        String[] lines = out.trim().split("\n");
        String[] fields = lines[lines.length - 1].split(",\\s*");
        if (fields.length < 10) {
            throw new IllegalStateException("ConsumerPerformance printed no summary:\n" + out);
        }
        long consumed = Long.parseLong(fields[4].trim());
        if (consumed < count) {
            throw new IllegalStateException("consumed " + consumed + " of " + count + " records via " + mode);
        }
        return Double.parseDouble(fields[8].trim());
    }

    private String bootstrap(Mode mode) {
        return mode == Mode.DIRECT ? direct : gateway;
    }

    private static List<String> javaCommand(List<String> mainClassAndArgs) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms512m", "-Xmx1g", "-Dlog4j2.level=WARN",
                "-cp", System.getProperty("java.class.path")));
        command.addAll(mainClassAndArgs);
        return command;
    }

    private static String tool(List<String> mainClassAndArgs, String... args) throws IOException, InterruptedException {
        String mainClass = mainClassAndArgs.get(0);
        List<String> command = javaCommand(mainClassAndArgs);
        command.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(mainClass + " failed:\n" + out);
        }
        return out;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
