package io.warden.audit;

import com.sun.management.ThreadMXBean;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

import java.io.IOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * How many events per second the file sink sustains with a force to disk per batch, directly and through the
 * pipeline in both modes, so that audit capacity can be sized against traffic; first, the CPU cost of an event
 * without I/O (encoding, chaining, hashing); last, the writer's CPU per event at a gateway's steady rate. Prints
 * one line per case.
 * <p>
 * Arguments: {@code [events] [directory]} (default 200000 events in a temporary directory).
 */
public final class FileSinkBenchmark {

    private FileSinkBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        Path root = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("warden-audit-bench");
        Path key = writeKey(root);
        AuditEvent sample = sample();
        OcsfEncoder encoder = new OcsfEncoder();
        System.out.printf("event line ~%d bytes, %d events per case, dir=%s%n",
                encoder.encode(sample, 1).length() + 90, events, root);
        encodeOnly(encoder, sample, events);
        for (int batch : new int[]{1, 16, 128, 1024}) {
            int n = batch == 1 ? Math.min(events, 5_000) : events;
            Path dir = root.resolve("direct-" + batch);
            long start = System.nanoTime();
            try (FileSink sink = new FileSink(new FileSinkConfig(dir, FileSinkConfig.DEFAULT_MAX_SEGMENT_BYTES, null, key))) {
                List<EncodedEvent> b = new ArrayList<>(batch);
                for (int i = 1; i <= n; i++) {
                    b.add(new EncodedEvent(sample, encoder.encodeUtf8(sample, i)));
                    if (b.size() == batch || i == n) {
                        sink.write(b);
                        sink.flush();
                        b.clear();
                    }
                }
            }
            report("file sink, batch " + batch + ", encode+write+force", n, start);
            delete(dir);
        }
        for (AuditLog.Mode mode : AuditLog.Mode.values()) {
            Path dir = root.resolve("pipeline-" + mode);
            long start = System.nanoTime();
            AuditLog log = new AuditLog(mode, 65_536, 1024,
                    List.of(new FileSink(new FileSinkConfig(dir, FileSinkConfig.DEFAULT_MAX_SEGMENT_BYTES, null, key))),
                    encoder);
            CompletableFuture<Void> last = null;
            for (int i = 0; i < events; i++) {
                if (mode == AuditLog.Mode.BEST_EFFORT) {
                    log.offer(sample);
                } else {
                    CompletableFuture<Void> f = log.append(sample);
                    while (f.isCompletedExceptionally()) {
                        Thread.onSpinWait();
                        f = log.append(sample);
                    }
                    last = f;
                }
            }
            if (last != null) {
                last.join();
            }
            log.close();
            report("pipeline " + mode + " (written " + log.written() + ", dropped " + log.dropped() + ")",
                    log.written(), start);
            delete(dir);
        }
        for (long lingerMs : new long[]{5, AuditLog.BEST_EFFORT_LINGER_NANOS / 1_000_000}) {
            paced(encoder, root, key, lingerMs);
        }
    }

    /** Events a second offered in {@link #paced}: what {@code warden bench audit}'s producer makes a gateway write. */
    private static final int PACED_RATE = 3_300;
    private static final int PACED_WARM_UP_SECONDS = 15;
    private static final int PACED_MEASURED_SECONDS = 15;

    /**
     * The writer thread's CPU per event when events come at a steady {@link #PACED_RATE} (best effort, batches
     * gathering {@code lingerMs}), each a new produce event as a gateway builds them: unlike the cases above, the
     * writer sleeps between batches of a few dozen events, which is how it works in a gateway.
     */
    private static void paced(OcsfEncoder encoder, Path root, Path key, long lingerMs) throws Exception {
        Path dir = root.resolve("paced-" + lingerMs);
        AuditLog log = new AuditLog(AuditLog.Mode.BEST_EFFORT, 65_536, 1024,
                List.of(new FileSink(new FileSinkConfig(dir, FileSinkConfig.DEFAULT_MAX_SEGMENT_BYTES, null, key))),
                encoder, TimeUnit.MILLISECONDS.toNanos(lingerMs));
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long writer = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("warden-audit-writer") && t.isAlive())
                .mapToLong(Thread::getId).findFirst().orElseThrow();
        long start = System.nanoTime();
        long offered = 0;
        long cpuAtMark = -1;
        long writtenAtMark = 0;
        while (System.nanoTime() - start < (PACED_WARM_UP_SECONDS + PACED_MEASURED_SECONDS) * 1_000_000_000L) {
            long due = (System.nanoTime() - start) * PACED_RATE / 1_000_000_000L;
            for (; offered < due; offered++) {
                log.offer(produceEvent(offered));
            }
            if (cpuAtMark < 0 && System.nanoTime() - start >= PACED_WARM_UP_SECONDS * 1_000_000_000L) {
                cpuAtMark = threads.getThreadCpuTime(writer);
                writtenAtMark = log.written();
            }
            Thread.sleep(1);
        }
        long cpu = threads.getThreadCpuTime(writer) - cpuAtMark;
        long written = log.written() - writtenAtMark;
        log.close();
        System.out.printf(Locale.ROOT,
                "pipeline BEST_EFFORT paced at %d events/s, batches gather %d ms: writer CPU %.2f us/event (last %d s, %d events, dropped %d)%n",
                PACED_RATE, lingerMs, cpu / 1e3 / Math.max(1, written), PACED_MEASURED_SECONDS, written, log.dropped());
        delete(dir);
    }

    /** A produce event like those a gateway builds for one Produce request of 15 records. */
    private static AuditEvent produceEvent(long n) {
        long now = System.currentTimeMillis();
        return AuditEvent.builder(AuditEventType.PRODUCE, Instant.ofEpochMilli(now))
                .principal("User:ANONYMOUS").client("127.0.0.1", 36646).clientId("perf-producer-client")
                .listener("bench").api("Produce", 13).requestId("127.0.0.1:36646#" + n).latencyMs(1)
                .partition(new PartitionDetail("bench-11", 0, (short) 0, 15, 15_556, 15 * n, 15 * n + 14, now, now))
                .build();
    }

    /**
     * The CPU side of a file sink's work per event, without I/O: encode, chain and hash, as the writer thread does
     * it. Three passes, so that the last is compiled code.
     */
    private static void encodeOnly(OcsfEncoder encoder, AuditEvent sample, int events) {
        MessageDigest sha256 = HashChain.sha256();
        String prev = HashChain.GENESIS;
        for (int pass = 1; pass <= 3; pass++) {
            long start = System.nanoTime();
            for (int i = 1; i <= events; i++) {
                byte[] line = HashChain.chainLine(i, prev, encoder.encodeUtf8(sample, i));
                prev = HashChain.hash(sha256, line, 0, line.length);
            }
            report("encode+chain+hash only, no I/O, pass " + pass + " (" + String.format(Locale.ROOT, "%.2f",
                    (System.nanoTime() - start) / 1e3 / events) + " us/event)", events, start);
        }
    }

    private static void report(String name, long n, long startNanos) {
        double secs = (System.nanoTime() - startNanos) / 1e9;
        System.out.printf("%-70s %10.0f events/s  (%d in %.2f s)%n", name, n / secs, n, secs);
    }

    private static AuditEvent sample() {
        return AuditEvent.builder(AuditEventType.PRODUCE, Instant.now())
                .principal("User:alice").client("10.0.0.7", 50412).clientId("orders-app").listener("external")
                .api("Produce", 11).requestId("conn-1/42").latencyMs(2)
                .partition(new PartitionDetail("orders", 0, (short) 0, 100, 12_000, 1_000, 1_099,
                        1_762_000_000_000L, 1_762_000_000_050L))
                .build();
    }

    private static Path writeKey(Path root) throws IOException, GeneralSecurityException {
        Files.createDirectories(root);
        Path key = root.resolve("bench-signing.pem");
        try (Writer w = Files.newBufferedWriter(key); JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(new JcaPKCS8Generator(KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate(), null));
        }
        return key;
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
