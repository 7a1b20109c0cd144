package io.warden.dev;

import io.warden.audit.AuditQuery;
import io.warden.audit.PemKeys;
import io.warden.dev.VariantBenchmark.Variant;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code warden bench audit}: what auditing costs. A {@link VariantBenchmark} of three gateways: {@code off}, without
 * an {@code audit} section, the baseline; {@code best-effort} and {@code fail-closed}, each auditing to its own file
 * sink (hash-chained segments of {@link #SEGMENT_BYTES}, sealed with an Ed25519 key). Before measuring, a record produced through each audited
 * gateway must show up in its trail, or the benchmark stops. Afterwards the events each trail holds are counted.
 * The last line is {@code best-effort/off produce=<ratio> consume=<ratio>; fail-closed/off produce=... consume=...}.
 */
final class AuditBenchmark {

    private AuditBenchmark() {
    }

    static int run(List<String> args) throws Exception {
        Path work = PerfTools.workDir().toAbsolutePath();
        Path key = work.resolve("bench-audit-key.pem");
        Path pub = work.resolve("bench-audit-key.pub.pem");
        Files.deleteIfExists(key);
        Files.deleteIfExists(pub);
        PemKeys.generateEd25519(key, pub);
        Path bestEffort = fresh(work.resolve("bench-audit-best-effort"));
        Path failClosed = fresh(work.resolve("bench-audit-fail-closed"));
        List<Variant> variants = List.of(
                new Variant("off", ""),
                new Variant("best-effort", section("best-effort", bestEffort, key)),
                new Variant("fail-closed", section("fail-closed", failClosed, key)));
        int exit = VariantBenchmark.run("audit", variants, args, (gateways, broker) -> {
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", broker))) {
                admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(VariantBenchmark.NAME_PREFIX + "audit-probe", 1, (short) 1)))
                        .all().get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
            for (Map.Entry<String, Path> audited : Map.of("best-effort", bestEffort, "fail-closed", failClosed).entrySet()) {
                PerfTools.produceOne(gateways.get(audited.getKey()), VariantBenchmark.NAME_PREFIX + "audit-probe");
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (events(audited.getValue(), "produce") == 0) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("'" + audited.getKey() + "' wrote no produce event to "
                                + audited.getValue() + ": the gateway is not auditing");
                    }
                    Thread.sleep(100);
                }
            }
            System.out.println("bench audit: best-effort and fail-closed both record produce events in their trails");
        });
        System.out.printf(Locale.ROOT, "bench audit: events written: best-effort %d, fail-closed %d%n",
                events(bestEffort, null), events(failClosed, null));
        return exit;
    }

    /**
     * Segments of this size rotate about once per warm-up pass, so the warm-up compiles the rotation path too. With
     * the default 64 MiB the first rotation came in a measured round, and C2 then compiled the audit writer's batch
     * loop again (about a second of compiler time, JFR showed) while the round ran.
     */
    static final long SEGMENT_BYTES = 16L * 1024 * 1024;

    private static String section(String mode, Path dir, Path key) {
        return "audit:\n  mode: " + mode + "\n  file: {directory: \"" + dir + "\", signingKey: \"" + key
                + "\", maxSegmentBytes: " + SEGMENT_BYTES + "}\n";
    }

    private static long events(Path dir, String type) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        return AuditQuery.find(dir, AuditQuery.Filter.all()).stream()
                .filter(e -> type == null || e.path("unmapped").path("event_type").asText().equals(type)).count();
    }

    private static Path fresh(Path dir) throws Exception {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return dir;
    }
}
