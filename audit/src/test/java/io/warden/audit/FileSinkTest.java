package io.warden.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warden.policies.LogCapture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FileSinkTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    Path dir;
    Path key;
    KeyPair pair;

    @BeforeEach
    void keys() throws Exception {
        pair = TestKeys.ed25519();
        key = TestKeys.write(pair, tmp.resolve("keys"));
        dir = tmp.resolve("audit");
    }

    @Test
    void linesAreChainedAcrossSegmentsFromGenesis() throws Exception {
        try (FileSink sink = new FileSink(new FileSinkConfig(dir, 2_000, null, key))) {
            sink.write(Events.encoded(1, 10));
            sink.flush();
        }
        List<Path> segments = Segments.list(dir);
        assertThat(segments).hasSizeGreaterThan(2);
        String prev = HashChain.GENESIS;
        long seq = 1;
        for (Path s : segments) {
            assertThat(Files.size(s)).isLessThanOrEqualTo(2_000);
            assertThat(Segments.digestOf(s)).exists();
            for (String line : Files.readAllLines(s)) {
                JsonNode n = JSON.readTree(line);
                assertThat(n.get("seq").asLong()).isEqualTo(seq++);
                assertThat(n.get("prev").asText()).isEqualTo(prev);
                assertThat(n.get("class_uid").asInt()).isEqualTo(6003);
                prev = HashChain.hash(line.getBytes());
            }
            SegmentDigest d = SegmentDigest.parse(Files.readString(Segments.digestOf(s)));
            assertThat(d.lastHash()).isEqualTo(prev);
            assertThat(d.lastSeq()).isEqualTo(seq - 1);
            assertThat(d.verify(pair.getPublic())).isTrue();
        }
        assertThat(seq - 1).isEqualTo(10);
    }

    /**
     * {@code warden audit verify} takes the directory's lock for an instant to see whether a writer holds it; a sink
     * starting in that instant waits for it instead of refusing the directory as in use.
     */
    @Test
    void aSinkWaitsOutTheMomentaryLockOfAVerify() throws Exception {
        PemKeys.readPrivateKey(key); // loaded once, so that the sink below starts within the lock's moment
        Files.createDirectories(dir);
        java.nio.channels.FileChannel verifying = java.nio.channels.FileChannel.open(dir.resolve(Segments.LOCK_FILE),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE);
        assertThat(verifying.tryLock(0, Long.MAX_VALUE, true)).isNotNull();
        Thread done = new Thread(() -> {
            try {
                Thread.sleep(700);
                verifying.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        done.start();
        try (FileSink sink = new FileSink(FileSinkConfig.of(dir, key))) {
            sink.write(List.of(Events.encoded(1)));
        } finally {
            done.join();
        }
        assertThat(AuditVerifier.verify(dir, pair.getPublic()).ok()).isTrue();
    }

    @Test
    void rotatesBySize() throws Exception {
        try (FileSink sink = new FileSink(new FileSinkConfig(dir, 4_000, null, key))) {
            for (int i = 1; i <= 20; i++) {
                sink.write(List.of(Events.encoded(i)));
            }
        }
        List<Path> segments = Segments.list(dir);
        assertThat(segments).hasSizeGreaterThanOrEqualTo(5);
        for (Path s : segments) {
            assertThat(Files.size(s)).isBetween(1L, 4_000L);
        }
        assertThat(AuditVerifier.verify(dir, pair.getPublic()).ok()).isTrue();
    }

    @Test
    void rotatesByTime() throws Exception {
        SettableClock clock = new SettableClock(Events.T0);
        try (FileSink sink = new FileSink(new FileSinkConfig(dir, 1 << 20, Duration.ofMinutes(10), key), clock)) {
            sink.write(Events.encoded(1, 3));
            sink.flush();
            clock.set(Events.T0.plus(Duration.ofMinutes(9)));
            sink.write(Events.encoded(4, 1));
            sink.flush();
            assertThat(Segments.list(dir)).hasSize(1);
            clock.set(Events.T0.plus(Duration.ofMinutes(10)));
            sink.flush();
            assertThat(Segments.digestOf(Segments.list(dir).get(0))).exists();
            sink.write(Events.encoded(5, 2));
            assertThat(Segments.list(dir)).hasSize(2);
        }
        assertThat(Files.readAllLines(Segments.list(dir).get(0))).hasSize(4);
        assertThat(Files.readAllLines(Segments.list(dir).get(1))).hasSize(2);
        assertThat(AuditVerifier.verify(dir, pair.getPublic()).ok()).isTrue();
    }

    @Test
    void aRestartContinuesTheChain() throws Exception {
        try (FileSink sink = new FileSink(new FileSinkConfig(dir, 1 << 20, null, key))) {
            sink.write(Events.encoded(1, 3));
        }
        try (FileSink sink = new FileSink(new FileSinkConfig(dir, 1 << 20, null, key))) {
            assertThat(sink.lastSeq()).isEqualTo(3);
            sink.write(Events.encoded(4, 3));
        }
        assertThat(Segments.list(dir)).hasSize(2);
        VerificationResult r = AuditVerifier.verify(dir, pair.getPublic());
        assertThat(r.ok()).as(String.valueOf(r.firstProblem())).isTrue();
        assertThat(r.records()).isEqualTo(6);
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    void anEcdsaKeySignsToo() throws Exception {
        KeyPair ec = TestKeys.ecP256();
        Path ecKey = TestKeys.write(ec, tmp.resolve("ec"));
        try (FileSink sink = new FileSink(new FileSinkConfig(dir, 1 << 20, null, ecKey))) {
            sink.write(Events.encoded(1, 3));
        }
        assertThat(AuditVerifier.verify(dir, PemKeys.readPublicKey(tmp.resolve("ec/public.pem"))).ok()).isTrue();
        assertThat(AuditVerifier.verify(dir, pair.getPublic()).firstProblem().kind())
                .isEqualTo(VerificationResult.Kind.BAD_DIGEST);
    }

    /**
     * The open segment's forced lines are signed at most once a checkpoint interval, at a flush, and only when lines
     * were added since the last checkpoint; sealing the segment removes its checkpoint.
     */
    @Test
    void theOpenSegmentIsCheckpointedAtMostOncePerIntervalAndOnlyWithNewLines() throws Exception {
        SettableClock clock = new SettableClock(Events.T0);
        Path checkpointFile;
        try (LogCapture logs = LogCapture.attach(FileSink.class.getName());
             FileSink sink = new FileSink(new FileSinkConfig(dir, 1 << 20, null, key, Duration.ofSeconds(60)), clock)) {
            sink.write(Events.encoded(1, 3));
            sink.flush();
            checkpointFile = Segments.checkpointOf(sink.currentSegment());
            assertThat(checkpointFile).doesNotExist();

            clock.advance(Duration.ofSeconds(60));
            sink.write(Events.encoded(4, 1));
            assertThat(checkpointFile).as("signed at a flush, once the lines are forced").doesNotExist();
            sink.flush();
            SegmentDigest first = SegmentDigest.parse(Files.readString(checkpointFile));
            assertThat(first.checkpoint()).isTrue();
            assertThat(first.verify(pair.getPublic())).isTrue();
            assertThat(first.lines()).isEqualTo(4);
            assertThat(first.lastSeq()).isEqualTo(4);
            assertThat(first.closedAt()).isEqualTo(clock.millis());
            assertThat(Files.readString(checkpointFile)).contains("\"kind\":\"checkpoint\"").contains("\"signed_at\"");
            assertThat(logs.linesContaining("audit segment checkpointed")).singleElement().asString()
                    .contains("lastSeq=4").contains("lastHash=" + first.lastHash());

            clock.advance(Duration.ofSeconds(59));
            sink.write(Events.encoded(5, 2));
            sink.flush();
            assertThat(SegmentDigest.parse(Files.readString(checkpointFile)).lastSeq()).isEqualTo(4);

            clock.advance(Duration.ofSeconds(1));
            sink.flush();
            SegmentDigest second = SegmentDigest.parse(Files.readString(checkpointFile));
            assertThat(second.lastSeq()).isEqualTo(6);
            assertThat(second.lines()).isEqualTo(6);
            assertThat(second.validBytes()).isEqualTo(Files.size(sink.currentSegment()));

            clock.advance(Duration.ofMinutes(5));
            sink.flush();
            assertThat(SegmentDigest.parse(Files.readString(checkpointFile)))
                    .as("no new lines: no new checkpoint").isEqualTo(second);
            sink.close();
            assertThat(logs.linesContaining("audit segment sealed")).singleElement().asString()
                    .contains("lastSeq=6").contains("lastHash=" + second.lastHash());
        }
        assertThat(checkpointFile).doesNotExist();
        assertThat(Segments.digestOf(Segments.list(dir).get(0))).exists();
        VerificationResult r = AuditVerifier.verify(dir, pair.getPublic());
        assertThat(r.ok()).as(String.valueOf(r.firstProblem())).isTrue();
        assertThat(r.warnings()).isEmpty();
    }

    /** Lines forced before their checkpoint was due are signed once it is, also when no more events come. */
    @Test
    void anIdleSinkSignsTheCheckpointThatFellDueAfterItsLastFlush() throws Exception {
        SettableClock clock = new SettableClock(Events.T0);
        try (FileSink sink = new FileSink(new FileSinkConfig(dir, 1 << 20, null, key, Duration.ofSeconds(60)), clock)) {
            sink.write(Events.encoded(1, 3));
            sink.flush();
            sink.idle();
            Path checkpointFile = Segments.checkpointOf(sink.currentSegment());
            assertThat(checkpointFile).doesNotExist();
            clock.advance(Duration.ofSeconds(60));
            sink.idle();
            assertThat(SegmentDigest.parse(Files.readString(checkpointFile)).lastSeq()).isEqualTo(3);
        }
    }

    @Test
    void noCheckpointsWhenTheyAreOff() throws Exception {
        SettableClock clock = new SettableClock(Events.T0);
        try (FileSink sink = new FileSink(new FileSinkConfig(dir, 1 << 20, null, key, null), clock)) {
            sink.write(Events.encoded(1, 3));
            clock.advance(Duration.ofHours(1));
            sink.flush();
            assertThat(Segments.checkpointOf(sink.currentSegment())).doesNotExist();
        }
    }
}
