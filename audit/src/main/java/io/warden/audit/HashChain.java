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

    /** The hex SHA-256 of a line's bytes, without its line terminator. */
    static String hash(byte[] line, int offset, int length) {
        MessageDigest md = sha256();
        md.update(line, offset, length);
        return HexFormat.of().formatHex(md.digest());
    }

    static String hash(byte[] line) {
        return hash(line, 0, line.length);
    }

    /** The stored line: the OCSF object with {@code seq} and {@code prev} as its first fields. */
    static byte[] chainLine(long seq, String prev, String json) {
        if (json.length() < 2 || json.charAt(0) != '{') {
            throw new IllegalArgumentException("not a JSON object: " + json);
        }
        String body = json.length() == 2 ? "}" : "," + json.substring(1);
        return ("{\"seq\":" + seq + ",\"prev\":\"" + prev + "\"" + body).getBytes(StandardCharsets.UTF_8);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
