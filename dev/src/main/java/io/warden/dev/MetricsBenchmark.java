package io.warden.dev;

import io.warden.dev.VariantBenchmark.Variant;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code warden bench metrics}: what the request-path metrics cost, and what an idle TLS connection costs.
 * <ol>
 * <li>A {@link VariantBenchmark} of two gateways with the same admin listener: {@code off}
 * ({@code admin.metrics.enabled: false}: the counters only), the baseline, and {@code on} (latency histograms, topic
 * and principal series). Before measuring, a record produced through each must show in its latency histogram only
 * with metrics on. Last line of this part: {@code on/off produce=<ratio> consume=<ratio>}.</li>
 * <li>A gateway with one TLS listener (its own process) and {@code --connections N} (default 2000) clients that
 * complete a TLS handshake and then stay idle. Prints how many connections the gateway reports open, and its memory
 * per connection: heap after a full GC (outside the young generation), and resident set size, each before and after, divided by N. Each client
 * connection also holds one connection from the gateway to the broker.</li>
 * </ol>
 */
final class MetricsBenchmark {

    private MetricsBenchmark() {
    }

    static int run(List<String> args) throws Exception {
        List<String> rest = new ArrayList<>(args);
        int connections = 2000;
        int at = rest.indexOf("--connections");
        if (at >= 0) {
            if (at + 1 >= rest.size()) {
                System.err.println("usage: warden bench metrics [--connections N] " + VariantBenchmark.OPTIONS);
                return 2;
            }
            connections = Integer.parseInt(rest.get(at + 1));
            rest.subList(at, at + 2).clear();
        }
        int offAdmin = EmbeddedKafkaBroker.freePort();
        int onAdmin = EmbeddedKafkaBroker.freePort();
        List<Variant> variants = List.of(
                new Variant("off", "admin:\n  port: " + offAdmin + "\n  metrics: {enabled: false}\n"),
                new Variant("on", "admin:\n  port: " + onAdmin + "\n"));
        int exit = VariantBenchmark.run("metrics", variants, rest, (gateways, broker) -> {
            String probe = VariantBenchmark.NAME_PREFIX + "metrics-probe";
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", broker))) {
                admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(probe, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            PerfTools.produceOne(gateways.get("on"), probe);
            PerfTools.produceOne(gateways.get("off"), probe);
            String timed = "warden_request_gateway_time_seconds_count{api=\"Produce\"}";
            if (!GatewayHistogram.scrape(onAdmin).contains(timed) || GatewayHistogram.scrape(offAdmin).contains(timed)) {
                throw new IllegalStateException("'on' must time produce requests and 'off' must not");
            }
            System.out.println("bench metrics: 'on' records request latency, 'off' does not");
        });
        if (exit != 0) {
            return exit;
        }
        return idleConnections(connections);
    }

    /** Part two: N idle TLS connections held by one gateway, and its memory per connection. */
    private static int idleConnections(int n) throws Exception {
        Path workDir = PerfTools.workDir();
        Path pkiDir = workDir.resolve("pki").toAbsolutePath();
        DemoPki.create(pkiDir);
        int port = EmbeddedKafkaBroker.freePort();
        int admin = EmbeddedKafkaBroker.freePort();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(workDir.resolve("kafka-connections"), 0, Map.of())) {
            Path config = PerfTools.writeGatewayConfig(workDir.resolve("warden-bench-connections.yaml"), "tls", port,
                    broker.bootstrapServers(), String.join("\n",
                            "    tls:",
                            "      certificate: " + pkiDir.resolve("server-chain.crt"),
                            "      key: " + pkiDir.resolve("server.key"),
                            ""),
                    "admin:\n  port: " + admin + "\n", "  maxConnections: " + (n + 100) + "\n  maxConnectionsPerIp: " + (n + 100) + "\n");
            try (PerfTools.Gateway gateway = PerfTools.startGateway(config, false, workDir, "warden-bench-connections-gateway", port)) {
                SSLContext tls = clientContext(pkiDir.resolve("ca.crt"));
                // Warm up the handshake path, so the figures below are not the JIT's.
                for (int i = 0; i < 200; i++) {
                    open(tls, port).close();
                }
                Memory before = memory(gateway.pid(), admin);
                List<SSLSocket> open = new ArrayList<>(n);
                try {
                    long start = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        open.add(open(tls, port));
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    double held;
                    while ((held = sample(GatewayHistogram.scrape(admin), "warden_connections_open{listener=\"tls\",state=\"active\"}")) < n
                            && System.nanoTime() < deadline) {
                        Thread.sleep(200);
                    }
                    double upstream = sample(GatewayHistogram.scrape(admin), "warden_upstream_connections_open");
                    Memory after = memory(gateway.pid(), admin);
                    System.out.printf(Locale.ROOT, "bench metrics: %d idle TLS connections opened in %.1f s; the gateway holds %.0f client "
                                    + "and %.0f broker connections%n", n, seconds, held, upstream);
                    System.out.printf(Locale.ROOT, "bench metrics: gateway memory per idle TLS connection (with its broker connection): "
                                    + "heap after full GC %.1f KiB (%.1f -> %.1f MiB), resident set %.1f KiB (%.1f -> %.1f MiB)%n",
                            (after.heap - before.heap) / 1024.0 / n, before.heap / 1048576.0, after.heap / 1048576.0,
                            (after.rss - before.rss) / 1024.0 / n, before.rss / 1048576.0, after.rss / 1048576.0);
                    if (held < n) {
                        System.err.println("bench metrics: the gateway reported " + held + " of " + n + " connections open");
                        return 1;
                    }
                } finally {
                    for (SSLSocket s : open) {
                        s.close();
                    }
                }
            }
        }
        return 0;
    }

    private record Memory(double heap, double rss) {
    }

    /** The gateway's heap in use right after a full GC (by its own metrics), and its resident set size. */
    private static Memory memory(long pid, int admin) throws Exception {
        Process gc = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(pid), "GC.run")
                .redirectErrorStream(true).start();
        gc.getInputStream().readAllBytes();
        if (!gc.waitFor(60, TimeUnit.SECONDS) || gc.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + pid + " GC.run failed");
        }
        String scrape = GatewayHistogram.scrape(admin);
        double heap = 0;
        // Live objects, which a full GC leaves outside the young generation; the scrape's own garbage is in Eden.
        Matcher m = Pattern.compile("(?m)^jvm_memory_used_bytes\\{area=\"heap\",id=\"([^\"]*)\"} (\\S+)$").matcher(scrape);
        while (m.find()) {
            if (!m.group(1).contains("Eden")) {
                heap += Double.parseDouble(m.group(2));
            }
        }
        double rss = 0;
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Double.parseDouble(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return new Memory(heap, rss);
    }

    private static SSLSocket open(SSLContext tls, int port) throws IOException {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return socket;
    }

    private static SSLContext clientContext(Path ca) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(ca)) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static double sample(String scrape, String nameAndLabels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(nameAndLabels) + " (\\S+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }
}
