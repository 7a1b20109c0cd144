package io.warden.audit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each kind of tampering is found, at the record where it happened. Segments hold 5 records each. */
class AuditVerifierTest {

    @TempDir
    Path tmp;
    Path dir;
    KeyPair pair;
    Path key;

    @BeforeEach
    void writeTwentyRecords() throws Exception {
        pair = TestKeys.ed25519();
        key = TestKeys.write(pair, tmp.resolve("keys"));
        dir = tmp.resolve("audit");
        try (FileSink sink = new FileSink(new FileSinkConfig(dir, 1 << 20, null, key))) {
            for (int s = 0; s < 4; s++) {
                sink.write(Events.encoded(s * 5 + 1, 5));
                sink.close();
            }
        }
        assertThat(Segments.list(dir)).hasSize(4);
    }

    private Path segment(int i) throws Exception {
        return Segments.list(dir).get(i);
    }

    private static List<String> lines(Path p) throws Exception {
        return new ArrayList<>(Files.readAllLines(p, StandardCharsets.UTF_8));
    }

    private static void rewrite(Path p, List<String> lines) throws Exception {
        Files.writeString(p, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    private VerificationResult.Problem firstProblem() throws Exception {
        VerificationResult r = AuditVerifier.verify(dir, pair.getPublic());
        assertThat(r.ok()).isFalse();
        return r.firstProblem();
    }

    @Test
    void aCleanChainPasses() throws Exception {
        VerificationResult r = AuditVerifier.verify(dir, pair.getPublic());
        assertThat(r.ok()).as(String.valueOf(r.firstProblem())).isTrue();
        assertThat(r.records()).isEqualTo(20);
        assertThat(r.segments()).isEqualTo(4);
        assertThat(r.warnings()).isEmpty();
        SegmentDigest last = SegmentDigest.parse(Files.readString(Segments.digestOf(segment(3))));
        assertThat(r.head()).isEqualTo(new AuditVerifier.Anchor(20, last.lastHash()));
    }

    @Test
    void anEditedRecordIsNamed() throws Exception {
        Path s = segment(1);
        List<String> l = lines(s);
        l.set(2, l.get(2).replace("User:alice", "User:mallory"));
        rewrite(s, l);
        VerificationResult.Problem p = firstProblem();
        assertThat(p.file()).isEqualTo(s);
        assertThat(p.line()).isEqualTo(3);
        assertThat(p.seq()).isEqualTo(8);
        assertThat(p.kind()).isEqualTo(VerificationResult.Kind.ALTERED);
    }

    @Test
    void anEditedLastRecordOfASegmentIsCaughtByTheDigest() throws Exception {
        Path s = segment(2);
        List<String> l = lines(s);
        l.set(4, l.get(4).replace("\"record_count\":10", "\"record_count\":11"));
        rewrite(s, l);
        VerificationResult.Problem p = firstProblem();
        assertThat(p.file()).isEqualTo(s);
        assertThat(p.line()).isEqualTo(5);
        assertThat(p.seq()).isEqualTo(15);
        assertThat(p.kind()).isEqualTo(VerificationResult.Kind.ALTERED);
    }

    @Test
    void aDeletedRecordIsNamed() throws Exception {
        Path s = segment(1);
        List<String> l = lines(s);
        l.remove(1);
        rewrite(s, l);
        VerificationResult.Problem p = firstProblem();
        assertThat(p.file()).isEqualTo(s);
        assertThat(p.line()).isEqualTo(2);
        assertThat(p.seq()).isEqualTo(8);
        assertThat(p.kind()).isEqualTo(VerificationResult.Kind.MISSING);
        assertThat(p.reason()).contains("seq 7 missing");
    }

    @Test
    void aDeletedSegmentIsAGap() throws Exception {
        Files.delete(Segments.digestOf(segment(1)));
        Files.delete(segment(1));
        VerificationResult.Problem p = firstProblem();
        assertThat(p.file()).isEqualTo(segment(1));
        assertThat(p.line()).isEqualTo(1);
        assertThat(p.seq()).isEqualTo(11);
        assertThat(p.kind()).isEqualTo(VerificationResult.Kind.MISSING);
        assertThat(p.reason()).contains("seq 6..10 missing");
    }

    @Test
    void twoSwappedRecordsAreNamed() throws Exception {
        Path s = segment(2);
        List<String> l = lines(s);
        Collections.swap(l, 1, 2);
        rewrite(s, l);
        VerificationResult.Problem p = firstProblem();
        assertThat(p.file()).isEqualTo(s);
        assertThat(p.line()).isEqualTo(2);
        assertThat(p.seq()).isEqualTo(13);
        assertThat(p.kind()).isEqualTo(VerificationResult.Kind.OUT_OF_ORDER);
    }

    @Test
    void aForgedDigestIsNamed() throws Exception {
        Path digest = Segments.digestOf(segment(1));
        Files.writeString(digest, Files.readString(digest).replace("\"last_seq\":10", "\"last_seq\":9"));
        VerificationResult.Problem p = firstProblem();
        assertThat(p.file()).isEqualTo(digest);
        assertThat(p.kind()).isEqualTo(VerificationResult.Kind.BAD_DIGEST);
        assertThat(p.reason()).contains("signature");
    }

    /** Fields outside the signed payload may not differ either: the version, an added field, the layout. */
    @Test
    void aDigestInAnyOtherFormThanWardensIsReported() throws Exception {
        Path digest = Segments.digestOf(segment(1));
        String original = Files.readString(digest);
        Map<String, String> edits = Map.of(
                original.replace("\"digest_version\":1", "\"digest_version\":0"), "digest_version 0 is not supported",
                original.replace("{", "{\"note\":\"x\","), "not in the form Warden writes",
                original.replace(",", ", "), "not in the form Warden writes",
                original.replace("\"recovered\":false", "\"recovered\":\"false\""), "recovered is not true or false");
        for (Map.Entry<String, String> edit : edits.entrySet()) {
            Files.writeString(digest, edit.getKey());
            VerificationResult.Problem p = firstProblem();
            assertThat(p.file()).isEqualTo(digest);
            assertThat(p.kind()).isEqualTo(VerificationResult.Kind.BAD_DIGEST);
            assertThat(p.reason()).contains(edit.getValue());
        }
        Files.writeString(digest, original);
        assertThat(AuditVerifier.verify(dir, pair.getPublic()).ok()).isTrue();
    }

    @Test
    void aDigestSignedWithAnotherKeyIsForged() throws Exception {
        KeyPair other = TestKeys.ed25519();
        Path s = segment(0);
        SegmentDigest real = SegmentDigest.parse(Files.readString(Segments.digestOf(s)));
        List<String> l = lines(s);
        l.remove(4);
        rewrite(s, l);
        SegmentDigest forged = SegmentDigest.sign(real.segment(), 4, 1, 4, real.startPrev(),
                HashChain.hash(l.get(3).getBytes(StandardCharsets.UTF_8)), Files.size(s), false, real.closedAt(),
                other.getPrivate());
        Files.writeString(Segments.digestOf(s), forged.toJson());
        VerificationResult.Problem p = firstProblem();
        assertThat(p.file()).isEqualTo(Segments.digestOf(s));
        assertThat(p.kind()).isEqualTo(VerificationResult.Kind.BAD_DIGEST);
    }

    @Test
    void aMissingDigestOfAClosedSegmentIsReported() throws Exception {
        Files.delete(Segments.digestOf(segment(2)));
        VerificationResult.Problem p = firstProblem();
        assertThat(p.file()).isEqualTo(segment(2));
        assertThat(p.kind()).isEqualTo(VerificationResult.Kind.UNSEALED);
    }

    /**
     * A writer killed mid-write: seq 21-23 written whole to a new segment, then half of seq 24's line; the sink is
     * left open, as a killed process leaves it. Returns that segment.
     */
    private Path killedMidWrite() throws Exception {
        FileSink sink = new FileSink(new FileSinkConfig(dir, 1 << 20, null, key));
        sink.write(Events.encoded(21, 3));
        sink.flush();
        Path open = sink.currentSegment();
        byte[] next = HashChain.chainLine(24, "ab", Events.encoded(24).json());
        Files.write(open, java.util.Arrays.copyOf(next, next.length / 2), StandardOpenOption.APPEND);
        sink.kill();
        return open;
    }

    @Test
    void aTruncatedLastLineIsReportedAsTruncation() throws Exception {
        Path open = killedMidWrite();

        VerificationResult.Problem p = firstProblem();
        assertThat(p.file()).isEqualTo(open);
        assertThat(p.line()).isEqualTo(4);
        assertThat(p.seq()).isEqualTo(24);
        assertThat(p.kind()).isEqualTo(VerificationResult.Kind.TRUNCATED);

        try (FileSink restarted = new FileSink(new FileSinkConfig(dir, 1 << 20, null, key))) {
            assertThat(restarted.lastSeq()).isEqualTo(23);
            restarted.write(Events.encoded(24, 2));
        }
        VerificationResult r = AuditVerifier.verify(dir, pair.getPublic());
        assertThat(r.ok()).as(String.valueOf(r.firstProblem())).isTrue();
        assertThat(r.records()).isEqualTo(25);
        assertThat(r.warnings()).singleElement().asString().contains("recovery").contains("partial last line");
    }

    /**
     * After recovery a segment is sealed at the end of its last whole line; a partial line may follow. Whole lines
     * added there later are no part of the chain: verify refuses them and query does not show them.
     */
    @Test
    void linesAddedAfterARecoveredSegmentsSealedEndAreRefusedAndNotQueried() throws Exception {
        Path recovered = killedMidWrite();
        try (FileSink restarted = new FileSink(new FileSinkConfig(dir, 1 << 20, null, key))) {
            restarted.write(Events.encoded(24, 2));
        }
        assertThat(AuditQuery.find(dir, AuditQuery.Filter.all())).hasSize(25);

        Files.write(recovered, ("\n" + new String(Events.encoded(99).json(), java.nio.charset.StandardCharsets.UTF_8) + "\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        VerificationResult.Problem p = firstProblem();
        assertThat(p.file()).isEqualTo(recovered);
        assertThat(p.kind()).isEqualTo(VerificationResult.Kind.ALTERED);
        assertThat(p.reason()).contains("after the end the recovery digest seals");
        assertThat(AuditQuery.find(dir, AuditQuery.Filter.all())).hasSize(25);
    }

    /**
     * {@code verify} over a directory a writer is writing — rotating segments, signing checkpoints, lines half written —
     * finds it intact every time: what it reads of a segment holds at least what the digest or checkpoint it read
     * covers, and a partial last line of the segment a live writer holds is one being written.
     */
    @Test
    void verifyWhileAWriterWritesFindsNoFalseTampering() throws Exception {
        Path live = tmp.resolve("live");
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<Throwable> writerFailure = new java.util.concurrent.atomic.AtomicReference<>();
        FileSink sink = new FileSink(new FileSinkConfig(live, 150_000, null, key, java.time.Duration.ofMillis(1)));
        Thread writer = new Thread(() -> {
            try {
                for (int next = 1; !stop.get(); next += 7) {
                    sink.write(Events.encoded(next, 7));
                    sink.flush();
                }
            } catch (Throwable t) {
                writerFailure.set(t);
            }
        });
        writer.start();
        int runs = 0;
        try {
            long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(3);
            while (System.nanoTime() < until) {
                VerificationResult r = AuditVerifier.verify(live, pair.getPublic());
                assertThat(r.ok()).as("run %d: %s", runs, r.firstProblem()).isTrue();
                runs++;
            }
        } finally {
            stop.set(true);
            writer.join();
            sink.close();
        }
        assertThat(writerFailure.get()).isNull();
        assertThat(Segments.list(live)).hasSizeGreaterThan(2);
        assertThat(runs).isGreaterThan(10);
        assertThat(AuditVerifier.verify(live, pair.getPublic()).ok()).isTrue();
    }

    @Test
    void anOpenLastSegmentIsAWarningOnly() throws Exception {
        FileSink sink = new FileSink(new FileSinkConfig(dir, 1 << 20, null, key));
        sink.write(Events.encoded(21, 3));
        sink.flush();
        VerificationResult r = AuditVerifier.verify(dir, pair.getPublic());
        assertThat(r.ok()).isTrue();
        assertThat(r.records()).isEqualTo(23);
        assertThat(r.warnings()).singleElement().asString().contains("open");
        sink.close();
    }

    /**
     * An open fifth segment, left as a killed writer leaves it: seq 21-25 signed by a checkpoint, then seq 26-27
     * written and forced after it. Returns the segment.
     */
    private Path openSegmentWithACheckpoint() throws Exception {
        SettableClock clock = new SettableClock(Events.T0);
        FileSink sink = new FileSink(new FileSinkConfig(dir, 1 << 20, null, key, java.time.Duration.ofMinutes(1)), clock);
        sink.write(Events.encoded(21, 5));
        clock.advance(java.time.Duration.ofMinutes(1));
        sink.flush();
        sink.write(Events.encoded(26, 2));
        sink.flush();
        Path open = sink.currentSegment();
        assertThat(SegmentDigest.parse(Files.readString(Segments.checkpointOf(open))).lastSeq()).isEqualTo(25);
        sink.kill();
        return open;
    }

    /** Edits line {@code index} (0-based) of {@code p} and recomputes every later line's prev, as a careful forger would. */
    private static void editAndRechain(Path p, int index) throws Exception {
        List<String> l = lines(p);
        l.set(index, l.get(index).replace("User:alice", "User:mallory"));
        for (int i = Math.max(index, 1); i < l.size(); i++) {
            String prevHash = HashChain.hash(l.get(i - 1).getBytes(StandardCharsets.UTF_8));
            l.set(i, l.get(i).replaceFirst("\"prev\":\"[0-9a-f]{64}\"", "\"prev\":\"" + prevHash + "\""));
        }
        rewrite(p, l);
    }

    @Test
    void anEditOfTheOpenSegmentWithTheChainRecomputedIsFoundByItsCheckpoint() throws Exception {
        Path open = openSegmentWithACheckpoint();
        VerificationResult clean = AuditVerifier.verify(dir, pair.getPublic());
        assertThat(clean.ok()).as(String.valueOf(clean.firstProblem())).isTrue();
        assertThat(clean.warnings()).singleElement().asString().contains("checkpoint at seq 25")
                .contains("after it rely on the hash chain alone");

        editAndRechain(open, 1); // seq 22
        VerificationResult.Problem p = firstProblem();
        assertThat(p.file()).isEqualTo(open);
        assertThat(p.kind()).isEqualTo(VerificationResult.Kind.ALTERED);
        assertThat(p.line()).isEqualTo(5);
        assertThat(p.seq()).isEqualTo(25);
        assertThat(p.reason()).contains("checkpoint").contains("at or before this line");
        assertThat(AuditVerifier.verify(dir, pair.getPublic()).records()).as("only the sealed segments' records stand").isEqualTo(20);
    }

    @Test
    void anEditOfTheOpenSegmentAfterItsCheckpointIsTheKnownLimit() throws Exception {
        Path open = openSegmentWithACheckpoint();
        editAndRechain(open, 6); // seq 27, written after the checkpoint: only the chain, which was recomputed
        assertThat(AuditVerifier.verify(dir, pair.getPublic()).ok()).isTrue();
    }

    @Test
    void recordsCutFromTheOpenSegmentAreFoundByItsCheckpoint() throws Exception {
        Path open = openSegmentWithACheckpoint();
        rewrite(open, lines(open).subList(0, 3));
        VerificationResult.Problem p = firstProblem();
        assertThat(p.file()).isEqualTo(open);
        assertThat(p.kind()).isEqualTo(VerificationResult.Kind.MISSING);
        assertThat(p.line()).isEqualTo(4);
        assertThat(p.seq()).isEqualTo(24);
        assertThat(p.reason()).contains("checkpoint covers 5 lines up to seq 25");
    }

    @Test
    void aForgedCheckpointACheckpointPassedOffAsADigestAndAnOrphanCheckpointAreReported() throws Exception {
        Path open = openSegmentWithACheckpoint();
        Path checkpoint = Segments.checkpointOf(open);
        SegmentDigest real = SegmentDigest.parse(Files.readString(checkpoint));
        String saved = Files.readString(checkpoint);

        SegmentDigest forged = SegmentDigest.checkpoint(real.segment(), 4, 21, 24, real.startPrev(),
                HashChain.hash(lines(open).get(3).getBytes(StandardCharsets.UTF_8)), real.validBytes(), real.closedAt(),
                TestKeys.ed25519().getPrivate());
        Files.writeString(checkpoint, forged.toJson());
        VerificationResult.Problem p = firstProblem();
        assertThat(p.file()).isEqualTo(checkpoint);
        assertThat(p.kind()).isEqualTo(VerificationResult.Kind.BAD_DIGEST);
        assertThat(p.reason()).contains("checkpoint signature invalid");

        // Renamed to a digest, a checkpoint would seal the segment at seq 25 and hide seq 26-27 being cut.
        Files.writeString(checkpoint, saved);
        rewrite(open, lines(open).subList(0, 5));
        Files.move(checkpoint, Segments.digestOf(open));
        p = firstProblem();
        assertThat(p.file()).isEqualTo(Segments.digestOf(open));
        assertThat(p.kind()).isEqualTo(VerificationResult.Kind.BAD_DIGEST);
        assertThat(p.reason()).contains("holds a checkpoint");

        Files.move(Segments.digestOf(open), checkpoint);
        Files.delete(open);
        p = firstProblem();
        assertThat(p.file()).isEqualTo(checkpoint);
        assertThat(p.kind()).isEqualTo(VerificationResult.Kind.MISSING);
    }

    @Test
    void aRestartSealsAnIntactOpenSegmentButRefusesOneAlteredUnderItsCheckpoint() throws Exception {
        Path open = openSegmentWithACheckpoint();
        String intact = Files.readString(open);
        editAndRechain(open, 1);
        assertThatThrownBy(() -> new FileSink(new FileSinkConfig(dir, 1 << 20, null, key)))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageContaining(open.toString())
                .hasMessageContaining("signed checkpoint");
        assertThat(Segments.digestOf(open)).as("nothing sealed").doesNotExist();

        Files.writeString(open, intact);
        try (FileSink restarted = new FileSink(new FileSinkConfig(dir, 1 << 20, null, key))) {
            assertThat(restarted.lastSeq()).isEqualTo(27);
            restarted.write(Events.encoded(28, 1));
        }
        assertThat(Segments.checkpointOf(open)).as("kept beside the recovery digest").exists();
        VerificationResult r = AuditVerifier.verify(dir, pair.getPublic());
        assertThat(r.ok()).as(String.valueOf(r.firstProblem())).isTrue();
        assertThat(r.records()).isEqualTo(28);
    }

    @Test
    void aRestartOverAnUnreadableCheckpointStopsNamingIt() throws Exception {
        Path checkpoint = Segments.checkpointOf(openSegmentWithACheckpoint());
        Files.writeString(checkpoint, "{\"segment\": ");
        assertThatThrownBy(() -> new FileSink(new FileSinkConfig(dir, 1 << 20, null, key)))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageContaining(checkpoint + " is unreadable");
    }

    /** A chain head recorded elsewhere (Warden logs one with each seal) shows segments removed from the end. */
    @Test
    void anAnchorFindsTrailingSegmentsRemovedWithTheirDigests() throws Exception {
        SegmentDigest last = SegmentDigest.parse(Files.readString(Segments.digestOf(segment(3))));
        AuditVerifier.Anchor anchor = new AuditVerifier.Anchor(last.lastSeq(), last.lastHash());
        assertThat(AuditVerifier.verify(dir, pair.getPublic(), anchor).ok()).isTrue();
        String seq12 = HashChain.hash(lines(segment(2)).get(1).getBytes(StandardCharsets.UTF_8)); // segments hold 5 each
        assertThat(AuditVerifier.verify(dir, pair.getPublic(), new AuditVerifier.Anchor(12, seq12)).ok()).isTrue();

        VerificationResult.Problem wrong = AuditVerifier.verify(dir, pair.getPublic(),
                new AuditVerifier.Anchor(20, "0".repeat(64))).firstProblem();
        assertThat(wrong.kind()).isEqualTo(VerificationResult.Kind.ALTERED);
        assertThat(wrong.seq()).isEqualTo(20);
        assertThat(wrong.reason()).contains("anchor");

        Path removed = segment(3);
        Files.delete(Segments.digestOf(removed));
        Files.delete(removed);
        assertThat(AuditVerifier.verify(dir, pair.getPublic()).ok()).as("the files alone cannot tell").isTrue();
        VerificationResult.Problem p = AuditVerifier.verify(dir, pair.getPublic(), anchor).firstProblem();
        assertThat(p.kind()).isEqualTo(VerificationResult.Kind.MISSING);
        assertThat(p.file()).isEqualTo(segment(2));
        assertThat(p.line()).isEqualTo(6);
        assertThat(p.seq()).isEqualTo(16);
        assertThat(p.reason()).contains("ends at seq 15").contains("anchor names seq 20");
    }

    @Test
    void anAnchorIsParsedStrictly() {
        String hash = "ab".repeat(32);
        assertThat(AuditVerifier.Anchor.parse("20:" + hash)).isEqualTo(new AuditVerifier.Anchor(20, hash));
        for (String bad : List.of("20", hash, "x:" + hash, "0:" + hash, "20:" + hash.toUpperCase(), "20:abc")) {
            assertThatThrownBy(() -> AuditVerifier.Anchor.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /**
     * Random damage to a sealed trail — one bit flipped, a byte dropped or a byte added, anywhere in any segment or
     * digest (a fixed seed, 300 cases) — is always reported, never accepted and never a crash of the verifier.
     */
    @Test
    void anyByteDamagedInASealedTrailIsReported() throws Exception {
        java.util.Random random = new java.util.Random(20261127L);
        for (int n = 0; n < 300; n++) {
            TrailDamage damaged = TrailDamage.of(dir, tmp.resolve("case-" + n), random);
            VerificationResult r = AuditVerifier.verify(damaged.dir(), pair.getPublic());
            assertThat(r.ok()).as("case %d: %s went unnoticed", n, damaged.what()).isFalse();
            assertThat(r.firstProblem().reason()).as("case %d", n).isNotBlank();
        }
    }
}
