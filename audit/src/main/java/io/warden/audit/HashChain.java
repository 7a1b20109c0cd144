package io.warden.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hash chain of audit file lines: each line records its sequence number and the SHA-256 of the line before it,
 * so that editing, removing or reordering a line breaks the chain at a place the verifier can name.
 */
final class HashChain {

    /** The {@code prev} of the very first record. */
    static final String GENESIS = "0".repeat(64);

    private HashChain() {
    }

    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] SEQ = "{\"seq\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PREV = ",\"prev\":\"".getBytes(StandardCharsets.US_ASCII);

    /** The hex SHA-256 of a line's bytes, without its line terminator. */
    static String hash(byte[] line, int offset, int length) {
        return hash(sha256(), line, offset, length);
    }

    static String hash(byte[] line) {
        return hash(line, 0, line.length);
    }

    /** As {@link #hash(byte[], int, int)}, with a digest the caller reuses (it is reset here). */
    static String hash(MessageDigest sha256, byte[] line, int offset, int length) {
        sha256.reset();
        sha256.update(line, offset, length);
        return HEX.formatHex(sha256.digest());
    }

    /**
     * The stored line: the OCSF object (UTF-8) with {@code seq} and {@code prev} (64 hex digits) as its first
     * fields, assembled byte by byte.
     */
    static byte[] chainLine(long seq, String prev, byte[] json) {
        if (json.length < 2 || json[0] != '{') {
            throw new IllegalArgumentException("not a JSON object: " + new String(json, StandardCharsets.UTF_8));
        }
        byte[] seqDigits = Long.toString(seq).getBytes(StandardCharsets.US_ASCII);
        byte[] prevBytes = prev.getBytes(StandardCharsets.US_ASCII);
        boolean empty = json.length == 2;
        byte[] line = new byte[SEQ.length + seqDigits.length + PREV.length + prevBytes.length + 1
                + (empty ? 1 : json.length)];
        int at = put(line, 0, SEQ);
        at = put(line, at, seqDigits);
        at = put(line, at, PREV);
        at = put(line, at, prevBytes);
        line[at++] = '"';
        if (empty) {
            line[at] = '}';
        } else {
            line[at++] = ',';
            System.arraycopy(json, 1, line, at, json.length - 1);
        }
        return line;
    }

    private static int put(byte[] into, int at, byte[] bytes) {
        System.arraycopy(bytes, 0, into, at, bytes.length);
        return at + bytes.length;
    }

    /** A new SHA-256 digest. */
    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
