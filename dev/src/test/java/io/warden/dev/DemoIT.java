package io.warden.dev;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./warden demo} as a user runs it: the launcher, a client through the printed bootstrap, then SIGTERM. */
class DemoIT {

    @Test
    void demoServesClientsAndStopsCleanlyOnSigterm(@TempDir Path dir) throws Exception {
        // The demo uses port, port + 2, port + 3 and port + 100 .. port + 307: pick a base below the ephemeral range.
        int port = 20_000 + new java.util.Random().nextInt(10_000);
        // The launcher a user runs, on the build this test is part of (it finds the packaged jars and skips building).
        Path launcher = Path.of("..", "warden").toAbsolutePath().normalize();
        // A shell that starts a background job (as CI runners and `cmd &` do) makes it ignore SIGINT, and children
        // inherit that; restore the default, as a terminal has it, so the Ctrl-C below means what it means there.
        Process demo = new ProcessBuilder("python3", "-c",
                "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
                        + "signal.signal(signal.SIGTERM, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])",
                launcher.toString(), "demo", "--port", String.valueOf(port), "--dir", dir.toString())
                .redirectErrorStream(true).start();
        List<String> output = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.add(line);
                    if (line.contains("Press Ctrl-C to stop")) {
                        ready.complete(null);
                    }
                }
            } catch (Exception e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new AssertionError("demo exited early:\n" + String.join("\n", output)));
        });
        reader.start();
        try {
            ready.get(120, TimeUnit.SECONDS);
            String bootstrap = "127.0.0.1:" + port;
            assertThat(output).anyMatch(l -> l.contains("Warden bootstrap:") && l.contains(bootstrap));
            assertThat(output).anyMatch(l -> l.contains("kcat -b " + bootstrap + " -L"));
            assertThat(output).anyMatch(l -> l.contains("kafka-console-producer.sh --bootstrap-server " + bootstrap));

            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
                producer.send(new ProducerRecord<>("demo", "hello through the demo")).get(60, TimeUnit.SECONDS);
            }
            java.util.Properties plain = new java.util.Properties();
            plain.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            assertThat(readDemoTopic(plain)).containsExactly("hello through the demo");

            // The settings files the demo printed work as they are: kcat over mTLS, the Java client over TLS.
            Path kcatMtls = dir.resolve("kcat-mtls.conf").toAbsolutePath();
            assertThat(output).anyMatch(l -> l.contains("kcat -F " + kcatMtls + " -L"));
            assertThat(kcatMetadata(kcatMtls)).contains("ssl://127.0.0.1:" + (port + 3)).contains("broker 1 at 127.0.0.1:" + (port + 300));
            assertThat(readDemoTopic(settings(dir.resolve("client-tls.properties")))).containsExactly("hello through the demo");

            // And over SASL_SSL as the two demo users, under the demo policy: alice (kcat, SCRAM-SHA-512) produces
            // to orders.demo, bob (the Java client) reads it and may not read the demo topic.
            Path kcatAlice = dir.resolve("kcat-sasl-alice.conf").toAbsolutePath();
            assertThat(output).anyMatch(l -> l.contains("kcat -F " + kcatAlice + " -L"));
            assertThat(kcatMetadata(kcatAlice)).contains("broker 1 at 127.0.0.1:" + (port + 400));
            Process produce = new ProcessBuilder("kcat", "-F", kcatAlice.toString(), "-t", "orders.demo", "-P", "-m", "30")
                    .redirectErrorStream(true).start();
            produce.getOutputStream().write("order-1\n".getBytes(StandardCharsets.UTF_8));
            produce.getOutputStream().close();
            String produced = new String(produce.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(produce.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(produce.exitValue()).as(produced).isZero();
            java.util.Properties bob = settings(dir.resolve("client-sasl-bob.properties"));
            assertThat(readTopic(bob, "orders.demo")).containsExactly("order-1");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> readTopic(settings(dir.resolve("client-sasl-bob.properties")), "demo"))
                    .isInstanceOf(org.apache.kafka.common.errors.TopicAuthorizationException.class);
            // The admin API, with the token the demo printed: over HTTP, and with the CLI.
            String token = output.stream().filter(l -> l.contains("export WARDEN_ADMIN_TOKEN=")).findFirst().orElseThrow()
                    .replaceFirst(".*export WARDEN_ADMIN_TOKEN=", "").trim();
            java.net.http.HttpResponse<String> policy = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + (port + 88) + "/v1/policy"))
                            .header("Authorization", "Bearer " + token).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(policy.statusCode()).as(policy.body()).isEqualTo(200);
            assertThat(policy.body()).contains("User:alice").contains("orders.");
            java.io.ByteArrayOutputStream listed = new java.io.ByteArrayOutputStream();
            int listExit = io.warden.gateway.admin.AdminCommand.run(List.of("list", "--url", "http://127.0.0.1:" + (port + 88),
                    "--token", token, "--principal", "User:bob"), new java.io.PrintStream(listed), System.err);
            assertThat(listExit).isZero();
            assertThat(listed.toString(StandardCharsets.UTF_8)).contains("ALLOW User:bob READ topic:orders. (prefixed)");
        } finally {
            // Ctrl-C: SIGINT to the process, which runs the same shutdown path as SIGTERM.
            new ProcessBuilder("kill", "-INT", String.valueOf(demo.pid())).start().waitFor();
        }
        boolean stopped = demo.waitFor(60, TimeUnit.SECONDS);
        if (!stopped) {
            demo.destroyForcibly();
        }
        assertThat(stopped).as("demo stopped within 60 s of Ctrl-C").isTrue();
        reader.join(10_000);
        assertThat(output).as("exit %d, output:%n%s", demo.exitValue(), String.join("\n", output))
                .anyMatch(l -> l.contains("Stopping Warden and the embedded broker"));

        // Everything above is in the demo's audit trail, sealed on shutdown, and verifies with the printed command.
        Path trail = dir.resolve("audit");
        assertThat(output).anyMatch(l -> l.contains(launcher + " audit verify " + trail + " --public-key " + dir.resolve("audit-key.pub.pem")));
        io.warden.audit.VerificationResult verified = io.warden.audit.AuditVerifier.verify(trail,
                io.warden.audit.PemKeys.readPublicKey(dir.resolve("audit-key.pub.pem")));
        assertThat(verified.ok()).as(String.valueOf(verified.firstProblem())).isTrue();
        assertThat(verified.warnings()).noneMatch(w -> w.contains("is open"));
        List<com.fasterxml.jackson.databind.JsonNode> orders = io.warden.audit.AuditQuery.find(trail,
                new io.warden.audit.AuditQuery.Filter(null, "orders.demo", null, null, null));
        assertThat(orders).anyMatch(e -> e.path("unmapped").path("event_type").asText().equals("produce")
                && e.path("actor").path("user").path("name").asText().equals("User:alice"));
        assertThat(orders).anyMatch(e -> e.path("unmapped").path("event_type").asText().equals("consume")
                && e.path("actor").path("user").path("name").asText().equals("User:bob"));
        assertThat(io.warden.audit.AuditQuery.find(trail, new io.warden.audit.AuditQuery.Filter(
                "User:bob", null, io.warden.audit.AuditEventType.AUTHORIZATION_DENIED, null, null))).isNotEmpty();
    }

    private static java.util.Properties settings(Path file) throws IOException {
        java.util.Properties p = new java.util.Properties();
        try (var in = java.nio.file.Files.newInputStream(file)) {
            p.load(in);
        }
        return p;
    }

    /** Every value in the demo topic, read from the beginning with these client settings. */
    private static List<String> readDemoTopic(java.util.Properties settings) {
        return readTopic(settings, "demo");
    }

    /** Every value in partition 0 of the topic, read from the beginning with these client settings. */
    private static List<String> readTopic(java.util.Properties settings, String topic) {
        settings.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        settings.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(settings)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<String> values = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 30_000;
            while (values.isEmpty() && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach((ConsumerRecord<String, String> r) -> values.add(r.value()));
            }
            return values;
        }
    }

    /** {@code kcat -F file -L}, which must succeed; returns its output. */
    private static String kcatMetadata(Path settingsFile) throws Exception {
        Process kcat = new ProcessBuilder("kcat", "-F", settingsFile.toString(), "-L", "-m", "30").redirectErrorStream(true).start();
        String metadata = new String(kcat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kcat.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(kcat.exitValue()).as(metadata).isZero();
        return metadata;
    }
}
