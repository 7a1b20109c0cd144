package io.warden.audit;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link AuditVerifier} found: either an intact chain, or the first record at which it is not.
 *
 * @param firstProblem null when {@code ok}
 * @param warnings     facts that do not break the evidence, such as a segment sealed on recovery after a crash
 * @param records      complete lines checked
 * @param segments     segment files checked
 * @param head         when {@code ok} and the trail holds a record, its last: the anchor to keep elsewhere for a
 *                     later {@code verify --anchor}; otherwise null
 */
public record VerificationResult(boolean ok, Problem firstProblem, List<String> warnings, long records, int segments,
                                 AuditVerifier.Anchor head) {

    /** Kinds of problem, from the most to the least specific. */
    public enum Kind {
        /** A line's content no longer hashes to what the chain or the digest recorded. */
        ALTERED,
        /** Sequence numbers skip: records or whole segments were removed. */
        MISSING,
        /** Sequence numbers go backwards or are swapped. */
        OUT_OF_ORDER,
        /** A line is not a chained JSON record. */
        MALFORMED,
        /** A digest's signature or content does not hold. */
        BAD_DIGEST,
        /** A segment other than the last has no digest. */
        UNSEALED,
        /** The last segment ends in a partial line and has no digest: the writer stopped mid-write. */
        TRUNCATED
    }

    /**
     * The first bad record.
     *
     * @param file the segment or digest file
     * @param line 1-based line number in {@code file}
     * @param seq  the record's sequence number as expected at that place, or as claimed by the digest
     */
    public record Problem(Path file, long line, long seq, Kind kind, String reason) {
        @Override
        public String toString() {
            return file + ":" + line + " seq=" + seq + " " + kind + ": " + reason;
        }
    }

    static VerificationResult ok(List<String> warnings, long records, int segments, AuditVerifier.Anchor head) {
        return new VerificationResult(true, null, List.copyOf(warnings), records, segments, head);
    }

    static VerificationResult failed(Problem p, List<String> warnings, long records, int segments) {
        return new VerificationResult(false, p, List.copyOf(warnings), records, segments, null);
    }
}
