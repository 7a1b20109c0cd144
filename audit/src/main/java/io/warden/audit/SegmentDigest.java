package io.warden.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/**
 * The signed seal of a closed audit file segment: which records it holds and the hash of its last line, signed so
 * that whoever can edit the files cannot also re-seal them. Stored as one JSON object in {@code <segment>.digest}.
 * <p>
 * The same statement about a segment still open is a <em>checkpoint</em> ({@link #checkpoint()} true, stored in
 * {@code <segment>.checkpoint}): its lines up to {@code lastSeq} were written and forced when it was signed. It is
 * signed under another label, so a checkpoint cannot be passed off as a seal (which also says no line follows).
 *
 * @param segment    the segment's file name, so a digest cannot be moved to another segment
 * @param lines      complete lines in the segment
 * @param firstSeq   the first line's seq ({@code lastSeq + 1} when the segment is empty)
 * @param lastSeq    the last line's seq
 * @param startPrev  the chain hash the segment continues from
 * @param lastHash   the hex SHA-256 of the last line ({@code startPrev} when empty)
 * @param validBytes the segment's length up to and including its last complete line
 * @param recovered  true when the segment was sealed by a later start after an unclean stop, not by its writer
 * @param closedAt   epoch milliseconds of sealing (of signing, for a checkpoint)
 * @param algorithm  the JCA signature algorithm
 * @param signature  base64 signature over {@link #signedPayload()}
 * @param checkpoint true for a checkpoint of an open segment, false for a seal
 */
public record SegmentDigest(String segment, long lines, long firstSeq, long lastSeq, String startPrev, String lastHash,
                            long validBytes, boolean recovered, long closedAt, String algorithm, String signature,
                            boolean checkpoint) {

    /** The digest format version, part of the signed payload. */
    public static final int VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The exact bytes signed: every field but the signature, in a fixed order. */
    public byte[] signedPayload() {
        String s = (checkpoint ? "warden-audit-checkpoint:" : "warden-audit-digest:") + VERSION + "\n" + segment + "\n" + lines + "\n" + firstSeq + "\n" + lastSeq
                + "\n" + startPrev + "\n" + lastHash + "\n" + validBytes + "\n" + recovered + "\n" + closedAt + "\n"
                + algorithm;
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Signs the fields with {@code key}: a seal. */
    static SegmentDigest sign(String segment, long lines, long firstSeq, long lastSeq, String startPrev, String lastHash,
                              long validBytes, boolean recovered, long closedAt, PrivateKey key)
            throws GeneralSecurityException {
        return sign(new SegmentDigest(segment, lines, firstSeq, lastSeq, startPrev, lastHash, validBytes, recovered,
                closedAt, PemKeys.signatureAlgorithm(key), null, false), key);
    }

    /** Signs a checkpoint of an open segment whose lines up to {@code lastSeq} are forced to disk. */
    static SegmentDigest checkpoint(String segment, long lines, long firstSeq, long lastSeq, String startPrev,
                                    String lastHash, long validBytes, long signedAt, PrivateKey key)
            throws GeneralSecurityException {
        return sign(new SegmentDigest(segment, lines, firstSeq, lastSeq, startPrev, lastHash, validBytes, false,
                signedAt, PemKeys.signatureAlgorithm(key), null, true), key);
    }

    /** {@code u} with its signature, made with {@code key}. */
    private static SegmentDigest sign(SegmentDigest u, PrivateKey key) throws GeneralSecurityException {
        Signature s = Signature.getInstance(u.algorithm());
        s.initSign(key);
        s.update(u.signedPayload());
        return new SegmentDigest(u.segment, u.lines, u.firstSeq, u.lastSeq, u.startPrev, u.lastHash, u.validBytes,
                u.recovered, u.closedAt, u.algorithm, Base64.getEncoder().encodeToString(s.sign()), u.checkpoint);
    }

    /** True when the signature is valid for {@code key}; false for a wrong key, algorithm or altered field. */
    public boolean verify(PublicKey key) {
        try {
            if (!algorithm.equals(PemKeys.signatureAlgorithm(key))) {
                return false;
            }
            Signature s = Signature.getInstance(algorithm);
            s.initVerify(key);
            s.update(signedPayload());
            return s.verify(Base64.getDecoder().decode(signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** The digest file's content. */
    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("digest_version", VERSION);
        if (checkpoint) {
            n.put("kind", "checkpoint");
        }
        n.put("segment", segment);
        n.put("lines", lines);
        n.put("first_seq", firstSeq);
        n.put("last_seq", lastSeq);
        n.put("start_prev", startPrev);
        n.put("last_hash", lastHash);
        n.put("valid_bytes", validBytes);
        n.put("recovered", recovered);
        n.put(checkpoint ? "signed_at" : "closed_at", closedAt);
        n.put("algorithm", algorithm);
        n.put("signature", signature);
        return n.toString() + "\n";
    }

    /**
     * Parses a digest or checkpoint file's content. Fails on a missing field or an unknown version, and on any content
     * other than exactly what {@link #toJson} writes for the fields read (an unknown field, changed spacing or order):
     * not every byte of the file is signed, so none may differ from the form that is.
     */
    public static SegmentDigest parse(String json) throws IOException {
        JsonNode n = JSON.readTree(json);
        if (n == null || !n.isObject()) {
            throw new IOException("digest is not a JSON object");
        }
        long version = number(n, "digest_version");
        if (version != VERSION) {
            throw new IOException("digest_version " + version + " is not supported (expected " + VERSION + ")");
        }
        JsonNode kind = n.get("kind");
        if (kind != null && !kind.asText().equals("checkpoint")) {
            throw new IOException("digest kind " + kind.asText() + " is unknown");
        }
        boolean checkpoint = kind != null;
        SegmentDigest d = new SegmentDigest(text(n, "segment"), number(n, "lines"), number(n, "first_seq"),
                number(n, "last_seq"), text(n, "start_prev"), text(n, "last_hash"), number(n, "valid_bytes"),
                bool(n, "recovered"), number(n, checkpoint ? "signed_at" : "closed_at"),
                text(n, "algorithm"), text(n, "signature"), checkpoint);
        if (!json.equals(d.toJson())) {
            throw new IOException("digest is not in the form Warden writes (an unknown field, or changed spacing or order)");
        }
        return d;
    }

    private static boolean bool(JsonNode n, String field) throws IOException {
        JsonNode v = required(n, field);
        if (!v.isBoolean()) {
            throw new IOException("digest field " + field + " is not true or false");
        }
        return v.booleanValue();
    }

    private static JsonNode required(JsonNode n, String field) throws IOException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IOException("digest lacks " + field);
        }
        return v;
    }

    private static String text(JsonNode n, String field) throws IOException {
        return required(n, field).asText();
    }

    private static long number(JsonNode n, String field) throws IOException {
        JsonNode v = required(n, field);
        if (!v.canConvertToLong()) {
            throw new IOException("digest field " + field + " is not a number");
        }
        return v.asLong();
    }
}
