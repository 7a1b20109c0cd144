package io.warden.dev;

import io.vertx.core.Vertx;
import io.warden.gateway.Warden;
import io.warden.gateway.config.ConfigLoader;
import io.warden.gateway.config.WardenConfig;
import io.warden.gateway.proxy.EventLoops;
import io.warden.gateway.proxy.GatewayServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the benchmarks share: Kafka's perf tools in their own JVMs, interleaved throughput rounds over several
 * targets, the gateway under test (its configuration file, and its own {@code warden run} process or this JVM), and
 * medians.
 */
final class PerfTools {

    private static final Pattern PRODUCER_SUMMARY = Pattern.compile(
            "(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg latency, ([\\d.]+) ms max latency, (\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms 99th");

    record ProduceRun(double recordsPerSec, double mbPerSec, double p50, double p99) {
    }

    /**
     * Where the perf tools connect: a label for the output, the bootstrap servers, and the client settings it needs
     * (extra producer settings as {@code key=value}; a consumer properties file, or null).
     */
    record Target(String label, String bootstrap, List<String> producerProps, Path consumerConfig) {

        /** A plaintext listener: no client settings. */
        static Target plaintext(String label, String bootstrap) {
            return new Target(label, bootstrap, List.of(), null);
        }
    }

    /**
     * The measured throughput runs of one target, in round order, with the CPU time the gateways' processes used
     * during each run per MB moved (empty when a gateway runs in this JVM, whose CPU time includes the broker's).
     */
    record Runs(List<ProduceRun> produced, List<Double> consumed, List<Double> produceCpu, List<Double> consumeCpu) {

        double produceMbPerSec() {
            return median(produced.stream().map(ProduceRun::mbPerSec).toList());
        }

        double consumeMbPerSec() {
            return median(consumed);
        }

        double produceP50() {
            return median(produced.stream().map(ProduceRun::p50).toList());
        }

        double produceP99() {
            return median(produced.stream().map(ProduceRun::p99).toList());
        }

        /** Median gateway CPU per MB produced, in ms; NaN when not measured. */
        double produceCpuMsPerMb() {
            return median(produceCpu);
        }

        /** Median gateway CPU per MB consumed, in ms; NaN when not measured. */
        double consumeCpuMsPerMb() {
            return median(consumeCpu);
        }
    }

    /** The throughput benchmarks' common options, with their defaults. */
    static final class ThroughputOptions {
        int records = 200_000;
        int recordSize = 1024;
        int rounds = 3;
        boolean inProcess;

        /**
         * Reads {@code args[i]} and its value if it is {@code --records}, {@code --record-size}, {@code --rounds} or
         * {@code --in-process}; returns the index of the last argument read, or -1 for any other argument.
         */
        int read(List<String> args, int i) {
            switch (args.get(i)) {
                case "--records" -> records = Integer.parseInt(args.get(++i));
                case "--record-size" -> recordSize = Integer.parseInt(args.get(++i));
                case "--rounds" -> rounds = Integer.parseInt(args.get(++i));
                case "--in-process" -> inProcess = true;
                default -> {
                    return -1;
                }
            }
            return i;
        }
    }

    /** Fresh single-partition topics on the broker, named by a prefix and a counter. */
    static final class Topics implements AutoCloseable {
        private final Admin admin;
        private final String prefix;
        private int counter;

        Topics(String brokerBootstrap, String prefix) {
            this.admin = Admin.create(Map.of("bootstrap.servers", brokerBootstrap));
            this.prefix = prefix;
        }

        String create() throws Exception {
            String topic = prefix + (++counter);
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            return topic;
        }

        @Override
        public void close() {
            admin.close();
        }
    }

    private PerfTools() {
    }

    /**
     * One ProducerPerformance run with {@code acks=all linger.ms=5}; {@code throughput} below 1 means as fast as
     * possible. Fixed-rate (latency) runs warm their JVM first; throughput runs measure from a cold start, as
     * Kafka's docs do. {@code clientProps} are extra producer settings ({@code key=value}), e.g. for TLS; the system
     * property {@code warden.bench.producerProps} adds more to every run (e.g. {@code batch.size=262144}), to see how
     * a figure depends on the producer's settings.
     */
    static ProduceRun produce(String bootstrap, List<String> clientProps, String topic, int count, int recordSize,
                              int throughput) throws Exception {
        List<String> launcher = throughput > 0
                ? List.of(WarmProducerPerformance.class.getName(), String.valueOf(Math.max(1000, count / 4)))
                : List.of("org.apache.kafka.tools.ProducerPerformance");
        List<String> args = new ArrayList<>(List.of(
                "--topic", topic, "--num-records", String.valueOf(count), "--record-size", String.valueOf(recordSize),
                "--throughput", String.valueOf(throughput),
                "--producer-props", "bootstrap.servers=" + bootstrap, "acks=all", "linger.ms=5"));
        args.addAll(words("warden.bench.producerProps"));
        args.addAll(clientProps);
        List<String> jvmOptions = throughput > 0 ? latencyProducerJvmOptions() : List.of();
        String out = tool(jvmOptions, launcher, args.toArray(String[]::new));
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

    /** One ConsumerPerformance run reading {@code count} records; returns MB/s. {@code consumerConfig} may be null. */
    static double consume(String bootstrap, Path consumerConfig, String topic, int count, String group) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "--bootstrap-server", bootstrap, "--topic", topic, "--messages", String.valueOf(count),
                "--timeout", "60000", "--group", group));
        if (consumerConfig != null) {
            args.addAll(List.of("--consumer.config", consumerConfig.toString()));
        }
        String out = tool(List.of("org.apache.kafka.tools.ConsumerPerformance"), args.toArray(String[]::new));
        String[] lines = out.trim().split("\n");
        String[] fields = lines[lines.length - 1].split(",\\s*");
        if (fields.length < 10) {
            throw new IllegalStateException("ConsumerPerformance printed no summary:\n" + out);
        }
        long consumed = Long.parseLong(fields[4].trim());
        if (consumed < count) {
            throw new IllegalStateException("consumed " + consumed + " of " + count + " records from " + bootstrap);
        }
        return Double.parseDouble(fields[8].trim());
    }

    /** A produce run against {@code target} at {@code throughput} records/s (below 1: as fast as possible). */
    static ProduceRun produce(Target target, String topic, int count, int recordSize, int throughput) throws Exception {
        return produce(target.bootstrap(), target.producerProps(), topic, count, recordSize, throughput);
    }

    /** A consume run against {@code target}, in a consumer group of its own: {@code bench-<topic>-<label>}. */
    static double consume(Target target, String topic, int count) throws Exception {
        return consume(target.bootstrap(), target.consumerConfig(), topic, count, "bench-" + topic + "-" + target.label());
    }

    /** At most this many warm-up passes over the targets before the measured rounds. */
    static final int MAX_WARM_UP_PASSES = 8;
    /**
     * Warm-up stops once every gateway's JIT compilers used less than this many cores over a whole pass. Looser
     * limits (0.05 cores for all gateways together, until 2026-11-26) let measured rounds overlap with compilations
     * of whole code paths — an audit writer's batch loop took 1–1.4 s of C2 time at a time — which on two cores
     * competes with the traffic being measured.
     */
    static final double SETTLED_JIT_CORES = 0.01;

    /**
     * Throughput rounds: first warm-up passes, each one run per target ({@code warmUpRecords} produced to a fresh
     * topic and consumed back), so that JIT and page cache do not favour whichever target runs later, repeated until
     * the JIT compilers of each of {@code gateways} used under {@value #SETTLED_JIT_CORES} cores over a pass (at
     * most {@value #MAX_WARM_UP_PASSES} passes; a gateway in this JVM counts this JVM's compilers); then
     * {@code rounds} rounds in which each target produces {@code records} to a fresh topic and consumes them back,
     * in an order that rotates by one each round. Prints each measured run; returns the runs by target label, in
     * the order of {@code targets}.
     */
    static Map<String, Runs> throughputRounds(Topics topics, List<Target> targets, int records, int recordSize,
                                              int rounds, int warmUpRecords, List<Gateway> gateways) throws Exception {
        List<String> producerProps = words("warden.bench.producerProps");
        if (!producerProps.isEmpty()) {
            System.out.println("producer settings added to every run: " + String.join(" ", producerProps));
        }
        for (int pass = 1; ; pass++) {
            long[] jitBefore = compilerNanosEach(gateways);
            long start = System.nanoTime();
            for (Target t : targets) {
                String topic = topics.create();
                produce(t, topic, warmUpRecords, recordSize, -1);
                consume(t, topic, warmUpRecords);
            }
            long[] jitAfter = compilerNanosEach(gateways);
            if (jitBefore == null || jitAfter == null) {
                System.out.printf(Locale.ROOT, "warm-up pass %d: gateways' JIT time unknown, no further pass%n", pass);
                break;
            }
            long elapsed = System.nanoTime() - start;
            double busiest = 0;
            for (int i = 0; i < jitAfter.length; i++) {
                busiest = Math.max(busiest, (jitAfter[i] - jitBefore[i]) / (double) elapsed);
            }
            boolean settled = busiest < SETTLED_JIT_CORES;
            System.out.printf(Locale.ROOT, "warm-up pass %d: busiest gateway's JIT compilers %.3f cores%s%n", pass, busiest,
                    settled ? " (settled)" : pass >= MAX_WARM_UP_PASSES ? " (still compiling; measuring anyway)" : "");
            if (settled || pass >= MAX_WARM_UP_PASSES) {
                break;
            }
        }
        Map<String, Runs> runs = new LinkedHashMap<>();
        targets.forEach(t -> runs.put(t.label(), new Runs(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>())));
        int width = targets.stream().mapToInt(t -> t.label().length()).max().orElse(1);
        double mb = (double) records * recordSize / 1_000_000;
        for (int round = 1; round <= rounds; round++) {
            for (int k = 0; k < targets.size(); k++) {
                Target t = targets.get((k + round - 1) % targets.size());
                Runs r = runs.get(t.label());
                String topic = topics.create();
                long cpu = gatewaysCpuNanos(gateways);
                long jit = compilerNanos(gateways);
                ProduceRun p = produce(t, topic, records, recordSize, -1);
                long cpuProduced = gatewaysCpuNanos(gateways);
                long jitProduced = compilerNanos(gateways);
                r.produced().add(p);
                String produceCpu = cpuPerMb(cpu, cpuProduced, mb, r.produceCpu());
                produceCpu += produceCpu.isEmpty() ? "" : jitPerMb(jit, jitProduced, mb);
                System.out.printf(Locale.ROOT, "round %d produce %-" + width + "s %8.1f MB/s  p50 %4.0f ms  p99 %5.0f ms%s%n",
                        round, t.label(), p.mbPerSec(), p.p50(), p.p99(), produceCpu);
                double c = consume(t, topic, records);
                r.consumed().add(c);
                String consumeCpu = cpuPerMb(cpuProduced, gatewaysCpuNanos(gateways), mb, r.consumeCpu());
                consumeCpu += consumeCpu.isEmpty() ? "" : jitPerMb(jitProduced, compilerNanos(gateways), mb);
                System.out.printf(Locale.ROOT, "round %d consume %-" + width + "s %8.1f MB/s%s%n", round, t.label(), c, consumeCpu);
            }
        }
        return runs;
    }

    /**
     * CPU time of every gateway's process so far, in ns (idle gateways count too; they use next to nothing); -1 when
     * one runs in this JVM.
     */
    private static long gatewaysCpuNanos(List<Gateway> gateways) {
        long sum = 0;
        for (Gateway g : gateways) {
            long n = g.cpuNanos();
            if (n < 0) {
                return -1;
            }
            sum += n;
        }
        return sum;
    }

    /** Adds the gateways' CPU ms per MB between two readings to {@code into}; returns it for the output, or "". */
    private static String cpuPerMb(long before, long after, double mb, List<Double> into) {
        if (before < 0 || after < 0) {
            return "";
        }
        double msPerMb = (after - before) / 1e6 / mb;
        into.add(msPerMb);
        return String.format(Locale.ROOT, "  gateway CPU %.2f ms/MB", msPerMb);
    }

    /**
     * The part of the gateways' CPU per MB that their JIT compilers took between two readings (it is included in
     * the CPU figure before it): after warm-up, code paths first taken late — a segment rotation, a rare branch
     * that deoptimizes a compiled method — still get compiled, and on two cores that competes with the traffic.
     */
    private static String jitPerMb(long before, long after, double mb) {
        if (before < 0 || after < 0) {
            return "";
        }
        return String.format(Locale.ROOT, " (JIT %.2f)", (after - before) / 1e6 / mb);
    }

    /**
     * One line comparing {@code runs} with {@code baseline} round by round (both measured in the same rounds):
     * {@code per-round <label>/<baselineLabel> produce r1 r2 ... (median m), consume ... (median m)}. The median of
     * these paired ratios is less sensitive than the ratio of the medians to a round in which the machine was
     * slower for everyone.
     */
    static void printRoundRatios(String label, Runs runs, String baselineLabel, Runs baseline) {
        List<Double> produce = new ArrayList<>();
        List<Double> consume = new ArrayList<>();
        for (int i = 0; i < Math.min(runs.produced().size(), baseline.produced().size()); i++) {
            produce.add(runs.produced().get(i).mbPerSec() / baseline.produced().get(i).mbPerSec());
            consume.add(runs.consumed().get(i) / baseline.consumed().get(i));
        }
        System.out.printf(Locale.ROOT, "per-round %s/%s produce %s (median %.2f), consume %s (median %.2f)%n",
                label, baselineLabel, joined(produce, "%.2f"), median(produce), joined(consume, "%.2f"), median(consume));
    }

    /** The values in {@code format}, separated by spaces: one per round. */
    static String joined(List<Double> values, String format) {
        StringBuilder out = new StringBuilder();
        for (double v : values) {
            out.append(out.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, format, v));
        }
        return out.toString();
    }

    /**
     * One line per target: its median produce and consume throughput, the medians of its produce p50 and p99, and
     * the gateways' median CPU per MB produced and consumed when measured.
     */
    static void printMedians(Map<String, Runs> runs) {
        int width = runs.keySet().stream().mapToInt(String::length).max().orElse(1);
        runs.forEach((label, r) -> System.out.printf(Locale.ROOT,
                "median %-" + width + "s produce %6.1f MB/s (p50 %.0f ms, p99 %.0f ms), consume %6.1f MB/s%s%n",
                label, r.produceMbPerSec(), r.produceP50(), r.produceP99(), r.consumeMbPerSec(),
                r.produceCpu().isEmpty() ? "" : String.format(Locale.ROOT, "; gateway CPU produce %.2f ms/MB, consume %.2f ms/MB",
                        r.produceCpuMsPerMb(), r.consumeCpuMsPerMb())));
    }

    /**
     * Writes a gateway configuration: one listener on 127.0.0.1, with a bootstrap port and one broker port (for the
     * embedded broker's node), in front of {@code upstream}. {@code listenerYaml} adds keys to the listener (lines
     * indented by four spaces); {@code sectionsYaml} adds top-level sections. Either may be empty. The connection
     * creation rate is not limited: the handshake storms come from one IP, and the broker they are compared with has
     * no such limit.
     */
    static Path writeGatewayConfig(Path file, String listenerName, int bootstrapPort, String upstream,
                                   String listenerYaml, String sectionsYaml) throws IOException {
        return writeGatewayConfig(file, listenerName, bootstrapPort, upstream, listenerYaml, sectionsYaml, "");
    }

    /** As {@link #writeGatewayConfig(Path, String, int, String, String, String)}, with more keys (indented by two spaces) for {@code limits}. */
    static Path writeGatewayConfig(Path file, String listenerName, int bootstrapPort, String upstream,
                                   String listenerYaml, String sectionsYaml, String limitsYaml) throws IOException {
        int brokerPort = EmbeddedKafkaBroker.freePort();
        Files.writeString(file, String.format(Locale.ROOT, """
                listeners:
                  - name: %s
                    bindHost: 127.0.0.1
                    bootstrapPort: %d
                    brokerPorts: %d-%d
                    firstNodeId: %d
                %slimits:
                  maxConnectionCreationRatePerIp: 0
                %supstream:
                  bootstrapServers: ["%s"]
                %s""", listenerName, bootstrapPort, brokerPort, brokerPort, EmbeddedKafkaBroker.NODE_ID, listenerYaml,
                limitsYaml, upstream, sectionsYaml));
        return file;
    }

    /** JVM options of the fixed-rate (latency) producer runs: {@code warden.bench.latencyProducerJvmOptions}. */
    private static List<String> latencyProducerJvmOptions() {
        return words("warden.bench.latencyProducerJvmOptions");
    }

    /** A system property's value split at whitespace; none when unset or blank. */
    private static List<String> words(String property) {
        String value = System.getProperty(property, "").trim();
        return value.isEmpty() ? List.of() : Arrays.asList(value.split("\\s+"));
    }

    static List<String> javaCommand(List<String> mainClassAndArgs) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms512m", "-Xmx1g", "-Dlog4j2.level=WARN",
                "-cp", System.getProperty("java.class.path")));
        command.addAll(mainClassAndArgs);
        return command;
    }

    static String tool(List<String> mainClassAndArgs, String... args) throws IOException, InterruptedException {
        return tool(List.of(), mainClassAndArgs, args);
    }

    /** As {@link #tool(List, String...)}, with extra options for the tool's JVM. */
    static String tool(List<String> jvmOptions, List<String> mainClassAndArgs, String... args) throws IOException, InterruptedException {
        String mainClass = mainClassAndArgs.get(0);
        List<String> command = javaCommand(mainClassAndArgs);
        command.addAll(1, jvmOptions);
        command.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(mainClass + " failed:\n" + out);
        }
        return out;
    }

    /** Creates the benchmarks' scratch folder, which keeps itself out of git. */
    static Path workDir() throws IOException {
        Path dir = Path.of(".warden-bench");
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.writeString(dir.resolve(".gitignore"), "*\n");
        return dir;
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The gateway being measured; closing it stops it. */
    interface Gateway extends AutoCloseable {
        @Override
        void close() throws Exception;

        /** CPU time the gateway's own process has used so far, in ns; -1 when it runs in this JVM. */
        default long cpuNanos() {
            return -1;
        }

        /** What {@link #cpuNanos()} counts. */
        default String cpuLabel() {
            return "gateway process";
        }

        /** CPU time of the gateway's JIT compiler threads so far, in ns; -1 when unknown. */
        default long compilerCpuNanos() {
            return ownCompilerNanos();
        }

        /** The gateway's process id; -1 when it runs in this JVM. */
        default long pid() {
            return -1;
        }
    }

    /** The JIT compiler time of each of {@code gateways} so far, in ns; null when any of them does not say. */
    private static long[] compilerNanosEach(List<Gateway> gateways) {
        long[] each = new long[gateways.size()];
        for (int i = 0; i < each.length; i++) {
            each[i] = gateways.get(i).compilerCpuNanos();
            if (each[i] < 0) {
                return null;
            }
        }
        return each;
    }

    /**
     * The JIT compiler time of all {@code gateways} so far, in ns (this JVM's counted once, however many of them run
     * in it); -1 when any of them does not say.
     */
    private static long compilerNanos(List<Gateway> gateways) {
        long sum = 0;
        boolean ownCounted = false;
        for (Gateway g : gateways) {
            if (g.pid() < 0) {
                if (ownCounted) {
                    continue;
                }
                ownCounted = true;
            }
            long n = g.compilerCpuNanos();
            if (n < 0) {
                return -1;
            }
            sum += n;
        }
        return sum;
    }

    /** Time this JVM's JIT compilers have spent so far, in ns; -1 when the JVM does not say. */
    static long ownCompilerNanos() {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() * 1_000_000 : -1;
    }

    /**
     * CPU time of the HotSpot compiler threads ({@code C1/C2 CompilerThread}) of another process, from Linux's
     * {@code /proc}; -1 elsewhere.
     */
    static long compilerCpuNanos(long pid) {
        Path tasks = Path.of("/proc", String.valueOf(pid), "task");
        if (!java.nio.file.Files.isDirectory(tasks)) {
            return -1;
        }
        long ticks = 0;
        try (java.util.stream.Stream<Path> threads = java.nio.file.Files.list(tasks)) {
            for (Path thread : threads.toList()) {
                try {
                    String name = java.nio.file.Files.readString(thread.resolve("comm")).trim();
                    if (!name.startsWith("C1 CompilerThre") && !name.startsWith("C2 CompilerThre")) {
                        continue;
                    }
                    String stat = java.nio.file.Files.readString(thread.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
                } catch (IOException | RuntimeException threadGone) {
                    // a thread that ended meanwhile
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return ticks * 10_000_000L; // USER_HZ is 100 on Linux
    }

    /**
     * For investigations ({@code -Dwarden.bench.gatewayCpus}): the command under {@code taskset -c cpus}, so that a
     * gateway runs on CPUs of its own, as when it is deployed on its own hosts (the benchmark itself is then started
     * under taskset on the others); unchanged when {@code cpus} is blank.
     */
    static List<String> onCpus(List<String> command, String cpus) {
        if (cpus == null || cpus.isBlank()) {
            return command;
        }
        List<String> pinned = new ArrayList<>(List.of("taskset", "-c", checkCpuList(cpus)));
        pinned.addAll(command);
        return pinned;
    }

    /**
     * The CPU list of {@code -Dwarden.bench.gatewayCpus}, trimmed; blank is allowed (no pinning).
     *
     * @throws IllegalArgumentException naming the property and what is expected, for anything else
     */
    static String checkCpuList(String cpus) {
        String list = cpus == null ? "" : cpus.trim();
        if (!list.isEmpty() && !list.matches("[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*")) {
            throw new IllegalArgumentException("warden.bench.gatewayCpus: expected a CPU list such as 1, 2-3 or 0,2, got '" + list + "'");
        }
        return list;
    }

    /** CPU time this JVM (the broker, the load generators, and an in-process gateway) has used so far, in ns. */
    static long ownCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /**
     * Starts the gateway with this configuration file: as its own {@code warden run} process (how it is deployed;
     * its output and GC log go to {@code workDir/<name>.log} and {@code workDir/<name>-gc.log}), or in this JVM.
     * Returns once {@code port} accepts connections.
     */
    static Gateway startGateway(Path config, boolean inProcess, Path workDir, String name, int port) throws Exception {
        if (inProcess) {
            // For comparison: the gateway shares the broker's JVM (one heap, one GC, one fewer process).
            WardenConfig loaded = ConfigLoader.load(config);
            Vertx vertx = EventLoops.create(loaded.transport());
            GatewayServer server;
            try {
                server = GatewayServer.start(vertx, loaded).await(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                vertx.close();
                throw e;
            }
            return () -> server.stop().eventually(vertx::close).await(30, TimeUnit.SECONDS);
        }
        List<String> command = javaCommand(List.of(Warden.class.getName(), "run", "--config", config.toString()));
        // Extra JVM options for the gateway alone, for investigations (a JFR recording, another GC).
        String extra = System.getProperty("warden.bench.gatewayJvmOptions", "").trim();
        if (!extra.isEmpty()) {
            command.addAll(1, Arrays.asList(extra.split("\\s+")));
        }
        // GC pauses are the first suspect for tail latency, so keep the gateway's GC log beside its output.
        command.add(1, "-Xlog:gc:file=" + workDir.resolve(name + "-gc.log"));
        String cpus = System.getProperty("warden.bench.gatewayCpus", "");
        command = onCpus(command, cpus);
        if (!cpus.isBlank()) {
            System.out.printf("gateway %s runs on CPUs %s only (warden.bench.gatewayCpus)%n", name, cpus.trim());
        }
        Path log = workDir.resolve(name + ".log");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Gateway gateway = new Gateway() {
            @Override
            public void close() throws Exception {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }

            @Override
            public long cpuNanos() {
                return process.toHandle().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
            }

            @Override
            public long compilerCpuNanos() {
                return PerfTools.compilerCpuNanos(process.pid());
            }

            @Override
            public long pid() {
                return process.pid();
            }
        };
        try {
            awaitListening(process, port, log);
        } catch (Exception e) {
            gateway.close();
            throw e;
        }
        return gateway;
    }

    private static void awaitListening(Process process, int port, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the gateway exited with status " + process.exitValue() + "; see " + log);
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("the gateway did not listen on port " + port + " within 60 s; see " + log);
    }

    /** Produces one small record with acks=all and waits for it; throws what the producer reports. */
    static void produceOne(String bootstrap, String topic) throws Exception {
        Map<String, Object> settings = Map.of(
                "bootstrap.servers", bootstrap,
                "acks", "all",
                "max.block.ms", 15_000,
                "delivery.timeout.ms", 15_000,
                "request.timeout.ms", 5_000,
                "key.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class.getName(),
                "value.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class.getName());
        try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer = new org.apache.kafka.clients.producer.KafkaProducer<>(settings)) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, new byte[16])).get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
