package io.warden.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;

/**
 * Proves an audit directory unaltered, or names the first record where it is not: walks every segment's hash
 * chain in order, checks sequence numbers continue across segments, and checks each segment's signed digest
 * against its content, and a segment's signed checkpoint, when it has one, against the lines it covers. The last
 * segment may be open (no digest yet); if it ends in a partial line the writer was stopped mid-write, which is
 * reported as {@link VerificationResult.Kind#TRUNCATED}.
 * <p>
 * Limits: removing whole trailing segments with their digests and checkpoints, or altering the lines of the open
 * last segment written after its last checkpoint (recomputing the chain over them), cannot be seen from the files
 * alone; an {@link Anchor} recorded elsewhere (Warden logs one with each seal and checkpoint) shows the former.
 */
public final class AuditVerifier {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditVerifier() {
    }

    /** One complete line of a segment. */
    private record Line(long number, byte[] bytes, int offset, int length, Long seq, String prev, String error) {
        String hash() {
            return HashChain.hash(bytes, offset, length);
        }
    }

    /**
     * A point of the chain recorded outside the directory — the {@code lastSeq} and {@code lastHash} that Warden logs
     * with each seal and checkpoint — that the trail must still reach, with that line unaltered.
     */
    public record Anchor(long seq, String hash) {
        public Anchor {
            if (seq < 1 || hash == null || !hash.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("expected SEQ:SHA256 with SEQ >= 1 and 64 lowercase hex digits");
            }
        }

        /** Parses {@code SEQ:SHA256}. */
        public static Anchor parse(String text) {
            int colon = text.indexOf(':');
            try {
                return new Anchor(Long.parseLong(text.substring(0, Math.max(colon, 0))), text.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected SEQ:SHA256, got '" + text + "'");
            }
        }
    }

    /** Checks {@code dir} with the public half of the signing key. */
    public static VerificationResult verify(Path dir, PublicKey key) throws IOException {
        return verify(dir, key, null);
    }

    /** As above; with an anchor, also that the chain reaches it and holds the line it names. */
    public static VerificationResult verify(Path dir, PublicKey key, Anchor anchor) throws IOException {
        List<String> warnings = new ArrayList<>();
        List<Path> segments = Segments.list(dir);
        for (Path orphan : Segments.orphanDigests(dir)) {
            return VerificationResult.failed(new VerificationResult.Problem(orphan, 1, -1, VerificationResult.Kind.MISSING,
                    "digest without its segment: the segment was deleted"), warnings, 0, segments.size());
        }
        if (segments.isEmpty()) {
            warnings.add("no audit segments in " + dir);
        }
        long expectedSeq = 1;
        String expectedPrev = HashChain.GENESIS;
        boolean anchorReached = false;
        long linesInLast = 0;
        long records = 0;
        for (int i = 0; i < segments.size(); i++) {
            Path segment = segments.get(i);
            boolean last = i == segments.size() - 1;
            // A running gateway may seal or checkpoint the segment meanwhile, and a segment only grows: the signed
            // statements are read first, so that the bytes read after them hold at least what they cover.
            Path digestPath = Segments.digestOf(segment);
            Signed sealed = Signed.read(digestPath, false, key, segment);
            Path checkpointPath = Segments.checkpointOf(segment);
            Signed checkpointed = Signed.read(checkpointPath, true, key, segment);
            byte[] bytes = Files.readAllBytes(segment);
            SegmentDigest digest = sealed.statement();
            String digestError = sealed.error();
            boolean trustedRecovery = digest != null && digestError == null && digest.recovered();
            int limit = trustedRecovery ? (int) Math.min(digest.validBytes(), bytes.length) : bytes.length;
            List<Line> lines = split(bytes, limit);
            linesInLast = lines.size();
            int partialFrom = lines.isEmpty() ? 0 : lines.get(lines.size() - 1).offset() + lines.get(lines.size() - 1).length() + 1;
            int partialBytes = limit - partialFrom;

            String segmentStartPrev = expectedPrev;
            for (int j = 0; j < lines.size(); j++) {
                Line line = lines.get(j);
                if (line.error() != null) {
                    return fail(segment, line.number(), expectedSeq, VerificationResult.Kind.MALFORMED,
                            line.error() + ": record altered", warnings, records, segments.size());
                }
                long seq = line.seq();
                if (seq != expectedSeq) {
                    return VerificationResult.failed(sequenceProblem(segment, lines, j, expectedSeq), warnings, records,
                            segments.size());
                }
                if (!line.prev().equals(expectedPrev)) {
                    if (j > 0) {
                        Line before = lines.get(j - 1);
                        return fail(segment, before.number(), before.seq(), VerificationResult.Kind.ALTERED,
                                "record altered: its SHA-256 is not the prev recorded by the next record (seq " + seq + ")",
                                warnings, records, segments.size());
                    }
                    return fail(segment, line.number(), seq, VerificationResult.Kind.ALTERED,
                            "prev does not continue the chain from the previous segment", warnings, records,
                            segments.size());
                }
                expectedPrev = line.hash();
                if (anchor != null && seq == anchor.seq()) {
                    anchorReached = true;
                    if (!expectedPrev.equals(anchor.hash())) {
                        return fail(segment, line.number(), seq, VerificationResult.Kind.ALTERED,
                                "record altered: its SHA-256 is not the one the anchor holds for seq " + seq
                                        + " (the chain was recomputed over the change)", warnings, records, segments.size());
                    }
                }
                expectedSeq = seq + 1;
                records++;
            }

            SegmentDigest checkpoint = checkpointed.statement();
            if (checkpointed.error() != null) {
                return fail(checkpointPath, 1, checkpoint == null ? -1 : checkpoint.lastSeq(),
                        VerificationResult.Kind.BAD_DIGEST, checkpointed.error(), warnings, records, segments.size());
            }
            if (checkpoint != null) {
                VerificationResult.Problem p = checkCheckpoint(segment, checkpoint, lines, segmentStartPrev);
                if (p != null) {
                    // something at or before the checkpoint's line changed: only earlier segments' records stand
                    return VerificationResult.failed(p, warnings, records - lines.size(), segments.size());
                }
            }

            if (digestError != null) {
                return fail(digestPath, 1, digest == null ? -1 : digest.lastSeq(), VerificationResult.Kind.BAD_DIGEST,
                        digestError, warnings, records, segments.size());
            }
            if (digest == null) {
                if (!last) {
                    return fail(segment, lines.size() + 1L, expectedSeq, VerificationResult.Kind.UNSEALED,
                            "segment has no digest but is not the last one", warnings, records, segments.size());
                }
                // A partial last line is a killed writer's, unless a writer holds the directory: then it is being written.
                if (partialBytes > 0 && !Segments.inUse(dir)) {
                    return fail(segment, lines.size() + 1L, expectedSeq, VerificationResult.Kind.TRUNCATED,
                            "truncated: partial last line of " + partialBytes + " bytes and no digest (writer stopped mid-write)",
                            warnings, records, segments.size());
                }
                warnings.add(segment.getFileName() + " is open: not sealed yet (last seq " + (expectedSeq - 1) + "; "
                        + (checkpoint == null ? "no signed checkpoint yet, so its records rely on the hash chain alone"
                        : "signed checkpoint at seq " + checkpoint.lastSeq() + (checkpoint.lastSeq() < expectedSeq - 1
                        ? ", the records after it rely on the hash chain alone" : ""))
                        + (partialBytes > 0 ? "; a line is being written, " + partialBytes + " bytes of it so far" : "")
                        + ")");
                continue;
            }
            VerificationResult.Problem p = checkDigest(segment, digestPath, digest, lines, segmentStartPrev,
                    expectedPrev, expectedSeq - 1, limit, bytes.length, partialBytes);
            if (p != null) {
                return VerificationResult.failed(p, warnings, records, segments.size());
            }
            if (digest.recovered() && lineBreakAfter(bytes, limit)) {
                // An unclean stop leaves at most one partial line past what recovery sealed.
                return fail(segment, lines.size() + 1L, expectedSeq, VerificationResult.Kind.ALTERED,
                        "lines added after the end the recovery digest seals (" + (bytes.length - limit) + " bytes)",
                        warnings, records, segments.size());
            }
            if (digest.recovered()) {
                warnings.add(segment.getFileName() + " was sealed on recovery after an unclean stop"
                        + (bytes.length > limit ? ", " + (bytes.length - limit) + " bytes of a partial last line ignored" : ""));
            }
        }
        if (anchor != null && !anchorReached) {
            Path last = segments.isEmpty() ? dir : segments.get(segments.size() - 1);
            return fail(last, linesInLast + 1, expectedSeq, VerificationResult.Kind.MISSING, "the trail ends at seq " + (expectedSeq - 1)
                    + " but the anchor names seq " + anchor.seq() + ": records or whole segments removed from its end",
                    warnings, records, segments.size());
        }
        return VerificationResult.ok(warnings, records, segments.size(),
                expectedSeq > 1 ? new Anchor(expectedSeq - 1, expectedPrev) : null);
    }

    /**
     * A segment's digest or checkpoint file as read — null when there is none — and what is wrong with it, or null: the
     * other kind of statement in its place, a signature that does not hold, or another segment's name.
     */
    private record Signed(SegmentDigest statement, String error) {

        static Signed read(Path file, boolean checkpoint, PublicKey key, Path segment) {
            if (!Files.exists(file)) {
                return new Signed(null, null);
            }
            String kind = checkpoint ? "checkpoint" : "digest";
            SegmentDigest d = null;
            String error;
            try {
                d = SegmentDigest.parse(Files.readString(file));
                error = d.checkpoint() != checkpoint
                        ? (checkpoint ? "checkpoint file holds a seal, not a checkpoint"
                        : "digest file holds a checkpoint, which does not seal a segment")
                        : !d.verify(key) ? kind + " signature invalid: forged or altered " + kind
                        : !d.segment().equals(segment.getFileName().toString()) ? kind + " belongs to segment " + d.segment()
                        : null;
            } catch (IOException e) {
                error = kind + " unreadable: " + e.getMessage();
            }
            return new Signed(d, error);
        }
    }

    private static boolean lineBreakAfter(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                return true;
            }
        }
        return false;
    }

    private static VerificationResult.Problem checkDigest(Path segment, Path digestPath, SegmentDigest d, List<Line> lines,
                                                          String startPrev, String lastHash, long lastSeq,
                                                          int limit, int size, int partialBytes) {
        if (lines.size() < d.lines() || lastSeq < d.lastSeq()) {
            return new VerificationResult.Problem(segment, lines.size() + 1L, lastSeq + 1, VerificationResult.Kind.MISSING,
                    "records deleted from the end: the digest sealed " + d.lines() + " lines up to seq " + d.lastSeq());
        }
        if (lines.size() > d.lines() || lastSeq > d.lastSeq()) {
            return new VerificationResult.Problem(segment, d.lines() + 1, d.lastSeq() + 1, VerificationResult.Kind.ALTERED,
                    "records added after sealing: the digest sealed " + d.lines() + " lines up to seq " + d.lastSeq());
        }
        if (!d.lastHash().equals(lastHash)) {
            Line lastLine = lines.get(lines.size() - 1);
            return new VerificationResult.Problem(segment, lastLine.number(), lastSeq, VerificationResult.Kind.ALTERED,
                    "record altered: its SHA-256 is not the last hash sealed by the digest");
        }
        if (!d.startPrev().equals(startPrev)) {
            return new VerificationResult.Problem(digestPath, 1, d.lastSeq(), VerificationResult.Kind.BAD_DIGEST,
                    "digest continues a different chain");
        }
        if (!d.recovered() && (partialBytes > 0 || size != d.validBytes())) {
            return new VerificationResult.Problem(segment, lines.size() + 1L, lastSeq + 1, VerificationResult.Kind.ALTERED,
                    "segment is " + size + " bytes but its digest sealed " + d.validBytes());
        }
        if (d.recovered() && limit != d.validBytes()) {
            return new VerificationResult.Problem(segment, lines.size() + 1L, lastSeq + 1, VerificationResult.Kind.MISSING,
                    "segment is shorter than the " + d.validBytes() + " bytes its digest sealed");
        }
        return null;
    }

    /**
     * A checkpoint signed that the segment's first {@code c.lines()} lines ended in a line of hash {@code c.lastHash()}:
     * a segment with fewer lines was cut short, one whose line there hashes otherwise was altered at or before it,
     * however consistently its chain was recomputed.
     */
    private static VerificationResult.Problem checkCheckpoint(Path segment, SegmentDigest c, List<Line> lines,
                                                              String startPrev) {
        if (c.lines() < 1) {
            return null; // never written so, and says nothing
        }
        if (lines.size() < c.lines()) {
            return new VerificationResult.Problem(segment, lines.size() + 1L, c.firstSeq() + lines.size(),
                    VerificationResult.Kind.MISSING, "records deleted from the end: the signed checkpoint covers "
                    + c.lines() + " lines up to seq " + c.lastSeq());
        }
        Line at = lines.get((int) c.lines() - 1);
        if (at.seq() != c.lastSeq() || !at.hash().equals(c.lastHash()) || !c.startPrev().equals(startPrev)) {
            return new VerificationResult.Problem(segment, at.number(), at.seq(), VerificationResult.Kind.ALTERED,
                    "records altered at or before this line: it is not the line of seq " + c.lastSeq()
                            + " whose SHA-256 the signed checkpoint holds (the chain was recomputed over the change)");
        }
        return null;
    }

    /** Names why seq at line {@code j} is not the expected one: removed records or a reordering. */
    private static VerificationResult.Problem sequenceProblem(Path segment, List<Line> lines, int j, long expected) {
        Line line = lines.get(j);
        long seq = line.seq();
        boolean expectedLater = false;
        for (int k = j + 1; k < lines.size(); k++) {
            Long s = lines.get(k).seq();
            if (s != null && s >= expected && s < seq) {
                expectedLater = true;
                break;
            }
        }
        if (seq > expected && !expectedLater) {
            String missing = seq - 1 == expected ? "seq " + expected : "seq " + expected + ".." + (seq - 1);
            return new VerificationResult.Problem(segment, line.number(), seq, VerificationResult.Kind.MISSING,
                    "sequence gap: " + missing + " missing (records deleted)");
        }
        return new VerificationResult.Problem(segment, line.number(), seq, VerificationResult.Kind.OUT_OF_ORDER,
                "out of order: seq " + seq + " where seq " + expected + " was expected (records moved)");
    }

    private static List<Line> split(byte[] bytes, int limit) {
        List<Line> lines = new ArrayList<>();
        int start = 0;
        long number = 1;
        for (int i = 0; i < limit; i++) {
            if (bytes[i] == '\n') {
                lines.add(parse(number++, bytes, start, i - start));
                start = i + 1;
            }
        }
        return lines;
    }

    private static Line parse(long number, byte[] bytes, int offset, int length) {
        try {
            JsonNode n = JSON.readTree(new String(bytes, offset, length, StandardCharsets.UTF_8));
            JsonNode seq = n == null ? null : n.get("seq");
            JsonNode prev = n == null ? null : n.get("prev");
            if (seq == null || !seq.canConvertToLong() || prev == null || !prev.isTextual()) {
                return new Line(number, bytes, offset, length, null, null, "line lacks seq or prev");
            }
            return new Line(number, bytes, offset, length, seq.asLong(), prev.asText(), null);
        } catch (IOException e) {
            return new Line(number, bytes, offset, length, null, null, "line is not valid JSON");
        }
    }

    private static VerificationResult fail(Path file, long line, long seq, VerificationResult.Kind kind, String reason,
                                           List<String> warnings, long records, int segments) {
        return VerificationResult.failed(new VerificationResult.Problem(file, line, seq, kind, reason), warnings,
                records, segments);
    }
}
