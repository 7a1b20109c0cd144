package io.warden.audit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Query filters and the two commands' output and exit codes, over a directory written through the pipeline. */
class AuditCommandTest {

    private static final Instant T = Instant.parse("2025-11-03T10:00:00Z");

    @TempDir
    Path tmp;
    Path dir;
    Path publicKey;
    final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @BeforeEach
    void writeAudit() throws Exception {
        Path key = TestKeys.write(TestKeys.ed25519(), tmp.resolve("keys"));
        publicKey = tmp.resolve("keys/public.pem");
        dir = tmp.resolve("audit");
        List<AuditEvent> events = new ArrayList<>();
        events.add(AuditEvent.builder(AuditEventType.AUTHENTICATION_SUCCESS, T).principal("User:alice")
                .client("10.0.0.1", 4000).detail("mechanism", "SCRAM-SHA-512").build());
        events.add(AuditEvent.builder(AuditEventType.PRODUCE, T.plusSeconds(60)).principal("User:alice")
                .client("10.0.0.1", 4000).api("Produce", 11)
                .partition(new PartitionDetail("orders", 0, (short) 0, 5, 500, 0, 4, 1, 2)).build());
        events.add(AuditEvent.builder(AuditEventType.CONSUME, T.plusSeconds(3600)).principal("User:bob")
                .client("10.0.0.2", 4001).api("Fetch", 17)
                .partition(new PartitionDetail("orders", 0, (short) 0, 5, 500, 0, 4, 1, 2)).build());
        events.add(AuditEvent.builder(AuditEventType.CONSUME, T.plusSeconds(7200)).principal("User:bob")
                .api("Fetch", 17).partition(new PartitionDetail("payments", 1, (short) 0, 1, 90, 7, 7, 3, 3)).build());
        events.add(AuditEvent.builder(AuditEventType.AUTHORIZATION_DENIED, T.plusSeconds(7300)).principal("User:eve")
                .api("Fetch", 17).outcome((short) 29, "TOPIC_AUTHORIZATION_FAILED")
                .partition(PartitionDetail.empty("payments", 0, (short) 29)).build());
        try (AuditLog log = new AuditLog(AuditLog.Mode.FAIL_CLOSED, 100, 10,
                List.of(new FileSink(new FileSinkConfig(dir, 1_500, null, key))), new OcsfEncoder())) {
            for (AuditEvent e : events) {
                log.append(e).join();
            }
        }
        assertThat(Segments.list(dir)).hasSizeGreaterThan(1);
    }

    private List<String> principals(AuditQuery.Filter f) throws Exception {
        return AuditQuery.find(dir, f).stream().map(AuditQuery::principalOf).toList();
    }

    @Test
    void queryFiltersByPrincipalTopicTypeAndTime() throws Exception {
        assertThat(AuditQuery.find(dir, AuditQuery.Filter.all())).hasSize(5);
        assertThat(principals(new AuditQuery.Filter("User:bob", null, null, null, null))).containsExactly("User:bob", "User:bob");
        assertThat(principals(new AuditQuery.Filter(null, "orders", null, null, null)))
                .containsExactly("User:alice", "User:bob");
        assertThat(principals(new AuditQuery.Filter(null, "payments", AuditEventType.CONSUME, null, null)))
                .containsExactly("User:bob");
        assertThat(principals(new AuditQuery.Filter(null, null, AuditEventType.AUTHORIZATION_DENIED, null, null)))
                .containsExactly("User:eve");
        assertThat(principals(new AuditQuery.Filter(null, null, null, T.plusSeconds(60), T.plusSeconds(7200))))
                .containsExactly("User:alice", "User:bob");
        assertThat(principals(new AuditQuery.Filter("User:alice", "payments", null, null, null))).isEmpty();
    }

    /**
     * Asking about a principal finds the failed logins made on its name (their actor is who the connection was
     * before logging in), and asking about a topic finds the refusals that name it (they carry no partitions).
     */
    @Test
    void queryFindsFailedLoginsByTheNameTriedAndRefusalsByTheTopicDenied() throws Exception {
        Path key = TestKeys.write(TestKeys.ed25519(), tmp.resolve("keys2"));
        Path other = tmp.resolve("audit2");
        try (AuditLog log = new AuditLog(AuditLog.Mode.FAIL_CLOSED, 100, 10,
                List.of(new FileSink(new FileSinkConfig(other, 1 << 20, null, key))), new OcsfEncoder())) {
            log.append(AuditEvent.builder(AuditEventType.AUTHENTICATION_FAILURE, T).principal("User:ANONYMOUS")
                    .detail("mechanism", "SCRAM-SHA-512").detail("claimed_user", "alice").build()).join();
            log.append(AuditEvent.builder(AuditEventType.AUTHORIZATION_DENIED, T.plusSeconds(1)).principal("User:eve")
                    .api("Produce", 11).outcome((short) 29, "TOPIC_AUTHORIZATION_FAILED")
                    .detail("denied", "WRITE topic:vault; DESCRIBE topic:vault-2").build()).join();
        }
        assertThat(AuditQuery.find(other, new AuditQuery.Filter("User:alice", null, AuditEventType.AUTHENTICATION_FAILURE, null, null)))
                .hasSize(1);
        assertThat(AuditQuery.find(other, new AuditQuery.Filter(null, "vault", null, null, null))).hasSize(1);
        assertThat(AuditQuery.find(other, new AuditQuery.Filter(null, "vault-2", null, null, null))).hasSize(1);
        assertThat(AuditQuery.find(other, new AuditQuery.Filter("User:bob", null, null, null, null))).isEmpty();
    }

    @Test
    void whoReadOrdersAsJsonLines() throws Exception {
        int code = AuditCommand.run(List.of("query", dir.toString(), "--topic", "orders", "--type", "consume", "--json"),
                out, err);
        assertThat(code).isZero();
        String[] lines = outBytes.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(1);
        JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines[0]);
        assertThat(n.at("/actor/user/name").asText()).isEqualTo("User:bob");
        assertThat(n.get("seq").asLong()).isEqualTo(3);
    }

    @Test
    void queryAsATable() {
        int code = AuditCommand.run(List.of("query", dir.toString(), "--since", "2025-11-03T11:00:00Z"), out, err);
        assertThat(code).isZero();
        List<String> lines = outBytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).startsWith("TIME").contains("PRINCIPAL", "TOPICS", "RECORDS");
        assertThat(lines.get(1)).contains("2025-11-03T11:00:00Z", "consume", "User:bob", "10.0.0.2:4001", "Fetch", "orders", " 5 ");
        assertThat(lines.get(3)).contains("authorization_denied", "User:eve", "payments", "29");
    }

    /**
     * A line that is not an event is skipped with a warning naming its segment, not silently: the answer is
     * incomplete. The trail's last line, which a running gateway may be half-way through writing, is skipped quietly.
     */
    @Test
    void queryWarnsOfLinesSkippedAsDamagedButNotOfALastLineBeingWritten() throws Exception {
        List<Path> segments = Segments.list(dir);
        Path first = segments.get(0);
        Files.writeString(first, Files.readString(first).replaceFirst("^\\{", "x"));
        Path last = segments.get(segments.size() - 1);
        Files.writeString(last, "{\"seq\":6,\"time\":", java.nio.file.StandardOpenOption.APPEND);

        assertThat(AuditCommand.run(List.of("query", dir.toString(), "--json"), out, err)).isZero();

        assertThat(outBytes.toString(StandardCharsets.UTF_8).lines()).hasSize(4);
        assertThat(errBytes.toString(StandardCharsets.UTF_8).lines()).containsExactly("warning: " + first
                + ": 1 line is not an audit event (damaged?) and was skipped; warden audit verify checks the trail");
    }

    /** A trail larger than the heap: events are printed as they are read, not gathered first. */
    @Test
    void queryPrintsATrailLargerThanTheHeap() throws Exception {
        String event = Files.readAllLines(Segments.list(dir).get(0)).get(0);
        int events = 100_000;
        try (var w = Files.newBufferedWriter(dir.resolve(Segments.name(99)))) {
            for (int i = 0; i < events; i++) {
                w.write(event);
                w.write('\n');
            }
        }
        Path output = tmp.resolve("query.out");
        Process query = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx32m",
                "-cp", System.getProperty("java.class.path"), AuditCommandMain.class.getName(), "query", dir.toString(), "--json")
                .redirectOutput(output.toFile()).redirectError(tmp.resolve("query.err").toFile()).start();
        assertThat(query.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(query.exitValue()).as(Files.readString(tmp.resolve("query.err"))).isZero();
        try (var lines = Files.lines(output)) {
            assertThat(lines.count()).isEqualTo(5 + events);
        }
    }

    @Test
    void verifyPassesThenFindsAnEdit() throws Exception {
        assertThat(AuditCommand.run(List.of("verify", dir.toString(), "--public-key", publicKey.toString()), out, err))
                .isZero();
        assertThat(outBytes.toString(StandardCharsets.UTF_8)).contains("OK: 5 records");
        String head = outBytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("head: ")).findFirst()
                .orElseThrow().split("\\s+")[1];
        assertThat(head).startsWith("5:");
        assertThat(AuditCommand.run(List.of("verify", dir.toString(), "--public-key", publicKey.toString(), "--anchor", head),
                out, err)).as("the head printed is an anchor verify accepts").isZero();

        Path first = Segments.list(dir).get(0);
        Files.writeString(first, Files.readString(first).replace("10.0.0.1", "10.0.0.9"));
        outBytes.reset();
        assertThat(AuditCommand.run(List.of("verify", dir.toString(), "--public-key", publicKey.toString()), out, err))
                .isEqualTo(1);
        assertThat(outBytes.toString(StandardCharsets.UTF_8)).contains("FAILED: ALTERED", first.toString(), "line: 1");
    }

    @Test
    void verifyWithAnAnchorFindsTheLastSegmentRemoved() throws Exception {
        List<Path> segments = Segments.list(dir);
        Path last = segments.get(segments.size() - 1);
        SegmentDigest d = SegmentDigest.parse(Files.readString(Segments.digestOf(last)));
        List<String> verify = List.of("verify", dir.toString(), "--public-key", publicKey.toString(),
                "--anchor", d.lastSeq() + ":" + d.lastHash());
        assertThat(AuditCommand.run(verify, out, err)).isZero();

        Files.delete(Segments.digestOf(last));
        Files.delete(last);
        outBytes.reset();
        assertThat(AuditCommand.run(verify, out, err)).isEqualTo(1);
        assertThat(outBytes.toString(StandardCharsets.UTF_8)).contains("FAILED: MISSING", "anchor names seq " + d.lastSeq());
        assertThat(AuditCommand.run(List.of("verify", dir.toString(), "--public-key", publicKey.toString(), "--anchor", "5"),
                out, err)).isEqualTo(2);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).contains("--anchor: expected SEQ:SHA256");
    }

    @Test
    void keygenWritesAKeyTheFileSinkSealsWithAndVerifyChecks(@org.junit.jupiter.api.io.TempDir Path keys) throws Exception {
        Path priv = keys.resolve("audit-key.pem");
        Path pub = keys.resolve("audit-key.pub.pem");
        assertThat(AuditCommand.run(List.of("keygen", priv.toString(), pub.toString()), out, err)).isZero();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(priv))).isEqualTo("rw-------");
        Path trail = keys.resolve("trail");
        try (FileSink sink = new FileSink(FileSinkConfig.of(trail, priv))) {
            sink.write(Events.encoded(1, 3));
            sink.flush();
        }
        assertThat(AuditCommand.run(List.of("verify", trail.toString(), "--public-key", pub.toString()), out, err)).isZero();
        assertThat(AuditCommand.run(List.of("keygen", priv.toString(), pub.toString()), out, err)).isEqualTo(2);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).contains("refusing to overwrite");
    }

    @Test
    void badUsageIsExitTwo() {
        assertThat(AuditCommand.run(List.of("verify", dir.toString()), out, err)).isEqualTo(2);
        assertThat(AuditCommand.run(List.of("query", dir.toString(), "--type", "nonsense"), out, err)).isEqualTo(2);
        assertThat(AuditCommand.run(List.of("query", dir.toString(), "--since", "yesterday"), out, err)).isEqualTo(2);
        assertThat(AuditCommand.run(List.of("frobnicate", "x"), out, err)).isEqualTo(2);
        assertThat(AuditCommand.run(List.of(), out, err)).isEqualTo(2);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).contains("usage: warden audit keygen", "warden audit verify DIR");
    }

    /** Each mistake in a query's arguments is named with what is expected instead. */
    @Test
    void badQueryArgumentsAreNamedWithWhatIsExpected() {
        List<String[]> cases = List.of(
                new String[] {"--since", "2026-11-24", "error: bad value for --since: '2026-11-24'; expected a time with its zone"},
                new String[] {"--until", "2026-11-24T00:00:00", "error: bad value for --until: '2026-11-24T00:00:00'; expected a time with its zone"},
                new String[] {"--type", "reads", "error: bad value for --type: 'reads'; expected one of [produce, consume, "},
                new String[] {"stray", "--json", "error: unexpected argument stray"},
                new String[] {"--since", "2026-11-24T00:00:00Z", "--until", "2026-11-24T00:00:00Z",
                        "error: --until 2026-11-24T00:00:00Z is not after --since 2026-11-24T00:00:00Z"});
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("query", dir.toString()));
            args.addAll(List.of(c).subList(0, c.length - 1));
            errBytes.reset();
            assertThat(AuditCommand.run(args, out, err)).as(args.toString()).isEqualTo(2);
            assertThat(errBytes.toString(StandardCharsets.UTF_8)).as(args.toString()).startsWith(c[c.length - 1]);
        }
    }

    /**
     * {@code verify} and {@code query} over a trail damaged at random (a fixed seed, 200 cases: a bit flipped, a byte
     * dropped or added, in any segment or digest): each ends with an exit code and, when not 0, a message on stderr —
     * never an exception — and {@code verify} never passes a damaged trail.
     */
    @Test
    void verifyAndQueryOverADamagedTrailEndWithAnExitCodeNeverAnException() throws Exception {
        java.util.Random random = new java.util.Random(20261127L);
        for (int n = 0; n < 200; n++) {
            TrailDamage damaged = TrailDamage.of(dir, tmp.resolve("damaged-" + n), random);
            Path copy = damaged.dir();
            String what = "case " + n + ": " + damaged.what();
            outBytes.reset();
            errBytes.reset();
            int verified = AuditCommand.run(List.of("verify", copy.toString(), "--public-key", publicKey.toString()), out, err);
            assertThat(verified).as(what).isNotZero();
            assertThat(errBytes.toString(StandardCharsets.UTF_8) + outBytes.toString(StandardCharsets.UTF_8)).as(what).isNotBlank();
            for (List<String> query : List.of(List.of("query", copy.toString()), List.of("query", copy.toString(), "--json",
                    "--principal", "User:bob", "--topic", "orders"))) {
                errBytes.reset();
                int code = AuditCommand.run(query, out, err);
                if (code != 0) {
                    assertThat(errBytes.toString(StandardCharsets.UTF_8)).as(what + " " + query).isNotBlank();
                }
            }
        }
    }
}
