package io.warden.dev;

import io.warden.authn.store.LocalUserStore;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code warden bench sasl}: a SASL handshake storm next to a steady producer. The gateway gets one SASL_SSL
 * listener (SCRAM-SHA-512, users in a local user file) in front of one embedded broker. A Kafka producer in this
 * JVM logs in once and sends 1 KiB records at a fixed rate ({@code acks=all}, {@code linger.ms=5}); its per-send
 * latency (send() to acknowledgement, as ProducerPerformance measures it) is recorded per phase. Each round is a
 * quiet phase, then a storm phase in which {@link HandshakeLoad} threads log in over fresh connections as fast as
 * they can (full TLS handshake, ApiVersions, SaslHandshake, SCRAM-SHA-512 in two SaslAuthenticate, close). The last
 * storm clients' TLS is OpenSSL unless {@code --client-tls jdk} (see {@link HandshakeLoad.ClientTls}). The last
 * line is {@code sasl handshakes_per_sec=<n> producer_p99_quiet_ms=<x> producer_p99_storm_ms=<y> ratio=<y/x>}.
 */
final class SaslBenchmark {

    private static final String PRODUCER_USER = "bench-producer";
    private static final String STORM_USER = "bench-storm";
    private static final int ITERATIONS = 8192;

    /** Latencies of the sends started during one phase. */
    private static final class Phase {
        private final List<Long> nanos = new ArrayList<>();
        private final AtomicLong errors = new AtomicLong();

        synchronized void record(long latency) {
            nanos.add(latency);
        }

        synchronized double percentileMs(double q) {
            if (nanos.isEmpty()) {
                return Double.NaN;
            }
            List<Long> sorted = new ArrayList<>(nanos);
            sorted.sort(null);
            int i = (int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1);
            return sorted.get(Math.max(0, i)) / 1e6;
        }

        synchronized int count() {
            return nanos.size();
        }
    }

    private final double stormSeconds;
    private final double warmupSeconds;
    private final int stormThreads;
    private final int rate;
    private final int rounds;
    private final int recordSize;
    private final boolean inProcess;
    private final String engine;
    private final HandshakeLoad.ClientTls clientTls;

    private SaslBenchmark(double stormSeconds, double warmupSeconds, int stormThreads, int rate, int rounds, int recordSize,
                          boolean inProcess, String engine, HandshakeLoad.ClientTls clientTls) {
        this.engine = engine;
        this.clientTls = clientTls;
        this.stormSeconds = stormSeconds;
        this.warmupSeconds = warmupSeconds;
        this.stormThreads = stormThreads;
        this.rate = rate;
        this.rounds = rounds;
        this.recordSize = recordSize;
        this.inProcess = inProcess;
    }

    static int run(List<String> args) throws Exception {
        double stormSeconds = 10;
        double warmupSeconds = 240;
        int stormThreads = 4;
        int rate = 1000;
        int rounds = 3;
        int recordSize = 1024;
        boolean inProcess = false;
        String engine = "auto";
        HandshakeLoad.ClientTls clientTls = HandshakeLoad.ClientTls.OPENSSL;
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--storm-seconds" -> stormSeconds = Double.parseDouble(args.get(++i));
                case "--warmup-seconds" -> warmupSeconds = Double.parseDouble(args.get(++i));
                case "--storm-threads" -> stormThreads = Integer.parseInt(args.get(++i));
                case "--rate" -> rate = Integer.parseInt(args.get(++i));
                case "--rounds" -> rounds = Integer.parseInt(args.get(++i));
                case "--record-size" -> recordSize = Integer.parseInt(args.get(++i));
                case "--in-process" -> inProcess = true;
                case "--engine" -> engine = args.get(++i);
                case "--client-tls" -> clientTls = HandshakeLoad.ClientTls.parse(args.get(++i));
                default -> {
                    System.err.println("usage: warden bench sasl [--storm-seconds S] [--warmup-seconds S] [--storm-threads N] [--rate RECORDS_PER_SEC]"
                            + " [--rounds N] [--record-size BYTES] [--in-process] [--engine auto|jdk|openssl] [--client-tls openssl|jdk]");
                    return 2;
                }
            }
        }
        return new SaslBenchmark(stormSeconds, warmupSeconds, stormThreads, rate, rounds, recordSize, inProcess, engine, clientTls).execute();
    }

    private int execute() throws Exception {
        System.out.printf(Locale.ROOT, "bench sasl: SCRAM-SHA-512 over TLS, %d storm threads for %.0f s per round after up to %.0f s of warm-up,"
                        + " producer at %d records/s of %d bytes (acks=all), %d rounds, %d cores, gateway %s, gateway TLS engine %s,"
                        + " storm clients' TLS %s%n",
                stormThreads, stormSeconds, warmupSeconds, rate, recordSize, rounds, Runtime.getRuntime().availableProcessors(),
                inProcess ? "in the broker's JVM" : "in its own process",
                engine.equals("auto") ? (io.vertx.core.net.OpenSSLEngineOptions.isAvailable() ? "openssl" : "jdk") + " (tls.engine auto)" : engine,
                clientTls.label());
        Path workDir = PerfTools.workDir();
        Path pkiDir = workDir.resolve("pki").toAbsolutePath();
        DemoPki.create(pkiDir);
        Path ca = pkiDir.resolve("ca.crt");

        Path usersFile = workDir.resolve("bench-users.txt").toAbsolutePath();
        Files.deleteIfExists(usersFile);
        LocalUserStore store = LocalUserStore.loadOrEmpty(usersFile);
        String producerPassword = password();
        String stormPassword = password();
        store.addUser(PRODUCER_USER, producerPassword.toCharArray(), List.of(ScramMechanism.SCRAM_SHA_512), ITERATIONS);
        store.addUser(STORM_USER, stormPassword.toCharArray(), List.of(ScramMechanism.SCRAM_SHA_512), ITERATIONS);

        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(workDir.resolve("kafka"), 0, Map.of())) {
            int bootstrapPort = EmbeddedKafkaBroker.freePort();
            Path config = PerfTools.writeGatewayConfig(workDir.resolve("warden-bench-sasl.yaml"), "bench-sasl", bootstrapPort,
                    broker.bootstrapServers(),
                    String.join("\n",
                            "    tls:",
                            "      certificate: " + pkiDir.resolve("server-chain.crt"),
                            "      key: " + pkiDir.resolve("server.key"),
                            "      engine: " + engine,
                            "    sasl:",
                            "      mechanisms: [SCRAM-SHA-512]",
                            ""),
                    String.join("\n",
                            "authentication:",
                            "  users:",
                            "    file: " + usersFile,
                            ""));
            String topic = "bench-sasl";
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            try (PerfTools.Gateway g = PerfTools.startGateway(config, inProcess, workDir, "warden-bench-sasl-gateway", bootstrapPort);
                 HandshakeLoad storm = new HandshakeLoad("127.0.0.1", bootstrapPort, ca,
                         new HandshakeLoad.ScramUser(STORM_USER, stormPassword), clientTls)) {
                return measure(storm, producerSettings("127.0.0.1:" + bootstrapPort, ca, producerPassword), topic, g);
            }
        }
    }

    private static String password() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static Map<String, Object> producerSettings(String bootstrap, Path ca, String password) {
        return Map.ofEntries(
                Map.entry("bootstrap.servers", bootstrap),
                Map.entry("security.protocol", "SASL_SSL"),
                Map.entry("sasl.mechanism", "SCRAM-SHA-512"),
                Map.entry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + PRODUCER_USER + "\" password=\"" + password + "\";"),
                Map.entry("ssl.truststore.type", "PEM"),
                Map.entry("ssl.truststore.location", ca.toString()),
                Map.entry("acks", "all"),
                Map.entry("linger.ms", "5"),
                Map.entry("key.serializer", ByteArraySerializer.class.getName()),
                Map.entry("value.serializer", ByteArraySerializer.class.getName()));
    }

    private int measure(HandshakeLoad storm, Map<String, Object> producerSettings, String topic, PerfTools.Gateway gateway)
            throws Exception {
        Phase discard = new Phase();
        AtomicReference<Phase> current = new AtomicReference<>(discard);
        byte[] payload = new byte[recordSize];
        new SecureRandom().nextBytes(payload);
        List<Phase> quiet = new ArrayList<>();
        List<Phase> stormy = new ArrayList<>();
        List<HandshakeLoad.Result> storms = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerSettings)) {
            Thread pacer = new Thread(() -> sendAtFixedRate(producer, topic, payload, current), "bench-sasl-producer");
            pacer.start();
            try {
                // Warm-up: the producer alone, then a storm until the gateway's JIT compilers have settled.
                Thread.sleep(5_000);
                storm.warmUp("storm", stormThreads, warmupSeconds, gateway, gateway::compilerCpuNanos);
                Thread.sleep(2_000);
                for (int round = 1; round <= rounds; round++) {
                    Phase q = new Phase();
                    current.set(q);
                    Thread.sleep((long) (stormSeconds * 1000));
                    current.set(discard);
                    quiet.add(q);
                    System.out.printf(Locale.ROOT, "round %d quiet  producer p50 %5.1f ms  p99 %6.1f ms  (%d sends, %d errors)%n",
                            round, q.percentileMs(0.50), q.percentileMs(0.99), q.count(), q.errors.get());

                    Phase s = new Phase();
                    current.set(s);
                    HandshakeLoad.Result result = storm.run(stormThreads, stormSeconds, gateway);
                    current.set(discard);
                    stormy.add(s);
                    storms.add(result);
                    System.out.printf(Locale.ROOT, "round %d storm  producer p50 %5.1f ms  p99 %6.1f ms  (%d sends, %d errors)  logins %s%n",
                            round, s.percentileMs(0.50), s.percentileMs(0.99), s.count(), s.errors.get(), HandshakeLoad.describe(result));
                    // Let the storm's connections drain before the next quiet phase.
                    Thread.sleep(2_000);
                }
            } finally {
                pacer.interrupt();
                pacer.join();
            }
        }
        double perSecond = PerfTools.median(storms.stream().map(HandshakeLoad.Result::perSecond).toList());
        double p99Quiet = PerfTools.median(quiet.stream().map(p -> p.percentileMs(0.99)).toList());
        double p99Storm = PerfTools.median(stormy.stream().map(p -> p.percentileMs(0.99)).toList());
        long failed = storms.stream().mapToLong(HandshakeLoad.Result::failed).sum();
        System.out.println();
        System.out.printf(Locale.ROOT, "median producer p50: quiet %.1f ms, storm %.1f ms; logins failed: %d%n",
                PerfTools.median(quiet.stream().map(p -> p.percentileMs(0.50)).toList()),
                PerfTools.median(stormy.stream().map(p -> p.percentileMs(0.50)).toList()), failed);
        System.out.printf(Locale.ROOT, "sasl handshakes_per_sec=%.0f producer_p99_quiet_ms=%.1f producer_p99_storm_ms=%.1f ratio=%.2f%n",
                perSecond, p99Quiet, p99Storm, p99Storm / p99Quiet);
        return 0;
    }

    /** Sends one record every 1/rate seconds until interrupted; each send's latency goes to the phase it started in. */
    private void sendAtFixedRate(KafkaProducer<byte[], byte[]> producer, String topic, byte[] payload,
                                 AtomicReference<Phase> current) {
        long interval = 1_000_000_000L / rate;
        long next = System.nanoTime();
        while (!Thread.currentThread().isInterrupted()) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue;
            }
            next += interval;
            Phase phase = current.get();
            long start = System.nanoTime();
            try {
                producer.send(new ProducerRecord<>(topic, payload), (metadata, error) -> {
                    if (error != null) {
                        phase.errors.incrementAndGet();
                    } else {
                        phase.record(System.nanoTime() - start);
                    }
                });
            } catch (RuntimeException e) {
                phase.errors.incrementAndGet();
            }
        }
    }
}
