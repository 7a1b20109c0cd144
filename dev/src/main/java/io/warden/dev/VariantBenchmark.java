package io.warden.dev;

import io.warden.dev.PerfTools.Runs;
import io.warden.dev.PerfTools.Target;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a gateway feature costs: the same gateway in several configurations (<em>variants</em>) side by side in one
 * run. One embedded broker; one gateway per variant, each its own {@code warden run} process ({@code --in-process}:
 * in this JVM), all started up front on ports of their own, each with one plaintext listener in front of the broker
 * plus the variant's own configuration sections. Kafka's perf tools ({@code ProducerPerformance},
 * {@code ConsumerPerformance}, 1 KiB records by default, {@code acks=all}, each in its own JVM) run against every
 * variant after one full-size warm-up run each, interleaved round by round with the order rotating, so all variants
 * see the same machine conditions. Prints each run and the medians per variant; the last line compares every other variant with
 * the first, the baseline: {@code <variant>/<baseline> produce=<ratio> consume=<ratio>}, separated by {@code ; }.
 *
 * <p>Topics are named {@value #NAME_PREFIX}N and consumer groups start with {@value #NAME_PREFIX} too, for policies
 * that must let the perf tools through. Clients connect without TLS or SASL, so the gateway sees them as
 * {@code User:ANONYMOUS}.
 */
final class VariantBenchmark {

    /** The first characters of the name of every topic and consumer group the perf tools use. */
    static final String NAME_PREFIX = "bench-";

    /** The options every variant benchmark takes, for usage lines. */
    static final String OPTIONS = "[--records N] [--record-size BYTES] [--rounds N] [--in-process]";

    /**
     * One gateway configuration under test: a short name for the output, and the YAML sections it adds to the
     * gateway's configuration file (top-level keys such as {@code authorization:}; empty for none). The listener and
     * {@code upstream} sections are the benchmark's.
     */
    record Variant(String name, String yaml) {
    }

    /**
     * Runs once every gateway listens and before anything is measured, with each variant's bootstrap servers (by
     * name) and the broker's. Throws to stop the benchmark: for instance when a variant does not behave as
     * configured, so that its figures would mean nothing.
     */
    @FunctionalInterface
    interface Check {
        void verify(Map<String, String> gatewayBootstrap, String brokerBootstrap) throws Exception;
    }

    private final String title;
    private final List<Variant> variants;
    private final int records;
    private final int recordSize;
    private final int rounds;
    private final boolean inProcess;

    private VariantBenchmark(String title, List<Variant> variants, PerfTools.ThroughputOptions options) {
        this.title = title;
        this.variants = variants;
        this.records = options.records;
        this.recordSize = options.recordSize;
        this.rounds = options.rounds;
        this.inProcess = options.inProcess;
    }

    /** {@code warden bench <title>} with these variants, the first being the baseline. */
    static int run(String title, List<Variant> variants, List<String> args) throws Exception {
        return run(title, variants, args, (gateways, broker) -> { });
    }

    /** As {@link #run(String, List, List)}, with a check of the running gateways before the measured rounds. */
    static int run(String title, List<Variant> variants, List<String> args, Check check) throws Exception {
        if (variants.size() < 2 || variants.stream().map(Variant::name).distinct().count() < variants.size()) {
            throw new IllegalArgumentException("expected a baseline and at least one other variant, all named differently");
        }
        PerfTools.ThroughputOptions options = new PerfTools.ThroughputOptions();
        for (int i = 0; i < args.size(); i++) {
            if ((i = options.read(args, i)) < 0) {
                System.err.println("usage: warden bench " + title + " " + OPTIONS);
                return 2;
            }
        }
        return new VariantBenchmark(title, variants, options).execute(check);
    }

    private int execute(Check check) throws Exception {
        System.out.printf(Locale.ROOT, "bench %s: %d records of %d bytes, acks=all, %d rounds, %d cores, gateways %s, variants %s (baseline %s)%n",
                title, records, recordSize, rounds, Runtime.getRuntime().availableProcessors(),
                inProcess ? "in the broker's JVM" : "each in its own process",
                String.join(", ", variants.stream().map(Variant::name).toList()), variants.get(0).name());
        Path workDir = PerfTools.workDir();
        Map<String, Runs> runs;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(workDir.resolve("kafka"), 0, Map.of());
             PerfTools.Topics topics = new PerfTools.Topics(broker.bootstrapServers(), NAME_PREFIX)) {
            List<PerfTools.Gateway> started = new ArrayList<>();
            try {
                List<Target> targets = new ArrayList<>();
                for (Variant v : variants) {
                    String name = "warden-bench-" + title + "-" + v.name();
                    int port = EmbeddedKafkaBroker.freePort();
                    Path config = PerfTools.writeGatewayConfig(workDir.resolve(name + ".yaml"), "bench-" + title + "-" + v.name(),
                            port, broker.bootstrapServers(), "", v.yaml());
                    started.add(PerfTools.startGateway(config, inProcess, workDir, name + "-gateway", port));
                    targets.add(Target.plaintext(v.name(), "127.0.0.1:" + port));
                }
                runs = measure(check, targets, topics, broker.bootstrapServers(), started);
            } finally {
                for (PerfTools.Gateway g : started) {
                    g.close();
                }
            }
        }
        if (runs == null) {
            return 1;
        }
        // After the broker's and the gateways' shutdown messages, so that the ratios are the last line.
        System.out.println();
        PerfTools.printMedians(runs);
        Runs baseline = runs.get(variants.get(0).name());
        for (Variant v : variants.subList(1, variants.size())) {
            PerfTools.printRoundRatios(v.name(), runs.get(v.name()), variants.get(0).name(), baseline);
        }
        System.out.println(ratios(runs));
        return 0;
    }

    /** The check, then the rounds; null when the check failed. */
    private Map<String, Runs> measure(Check check, List<Target> targets, PerfTools.Topics topics, String brokerBootstrap,
                                      List<PerfTools.Gateway> gateways)
            throws Exception {
        Map<String, String> gatewayBootstrap = new LinkedHashMap<>();
        targets.forEach(t -> gatewayBootstrap.put(t.label(), t.bootstrap()));
        try {
            check.verify(gatewayBootstrap, brokerBootstrap);
        } catch (Exception e) {
            System.err.println("bench " + title + ": not measured: " + e.getMessage());
            return null;
        }
        return PerfTools.throughputRounds(topics, targets, records, recordSize, rounds, records, gateways);
    }

    /** {@code <variant>/<baseline> produce=<ratio> consume=<ratio>} for every variant but the baseline. */
    private String ratios(Map<String, Runs> runs) {
        String baselineName = variants.get(0).name();
        Runs baseline = runs.get(baselineName);
        List<String> parts = new ArrayList<>();
        for (Variant v : variants.subList(1, variants.size())) {
            Runs r = runs.get(v.name());
            parts.add(String.format(Locale.ROOT, "%s/%s produce=%.2f consume=%.2f", v.name(), baselineName,
                    r.produceMbPerSec() / baseline.produceMbPerSec(), r.consumeMbPerSec() / baseline.consumeMbPerSec()));
        }
        return String.join("; ", parts);
    }
}
