package io.warden.policies.store;

import io.warden.policies.PolicyDocument;
import io.warden.policies.PolicyParser;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * One version of the policy: its number, its YAML text (as written by whoever made it, or by {@code PolicyWriter}),
 * the document it parses to, and who made it, when and why. Immutable and thread-safe.
 *
 * <p>A store keeps every version, so one that is no longer current is kept {@linkplain #compact() compact}: its YAML
 * deflated, and its document parsed again each time it is asked for. A policy of 10,000 ACLs is tens of thousands of
 * objects parsed and a fraction of its text's size compact; a history of a thousand edits would otherwise hold them
 * a thousand times.
 */
public final class PolicyVersion {

    private final long version;
    /** The YAML, or null when it is kept {@link #deflatedYaml deflated}. */
    private final String yaml;
    private final byte[] deflatedYaml;
    /** The parsed document, or null when it is parsed on demand. */
    private final PolicyDocument document;
    private final String author;
    private final Instant time;
    private final String comment;

    public PolicyVersion(long version, String yaml, PolicyDocument document, String author, Instant time,
                         String comment) {
        this(version, Objects.requireNonNull(yaml, "yaml"), null, Objects.requireNonNull(document, "document"),
                author, time, comment);
    }

    private PolicyVersion(long version, String yaml, byte[] deflatedYaml, PolicyDocument document, String author,
                          Instant time, String comment) {
        if (version < 1) {
            throw new IllegalArgumentException("versions start at 1, got " + version);
        }
        this.version = version;
        this.yaml = yaml;
        this.deflatedYaml = deflatedYaml;
        this.document = document;
        this.author = author == null ? "" : author;
        this.time = Objects.requireNonNull(time, "time");
        this.comment = comment == null ? "" : comment;
    }

    public long version() {
        return version;
    }

    /** The YAML text, exactly as it was written. */
    public String yaml() {
        return yaml != null ? yaml : inflate(deflatedYaml);
    }

    /** The document the YAML parses to; parsed again on each call for a compact version. */
    public PolicyDocument document() {
        return document != null ? document : PolicyParser.parse("policy version " + version, yaml());
    }

    public String author() {
        return author;
    }

    public Instant time() {
        return time;
    }

    public String comment() {
        return comment;
    }

    /** The HTTP entity tag of this version, as the admin API sends it in {@code ETag}: {@code "v<version>"}. */
    public String etag() {
        return "\"v" + version + "\"";
    }

    /** The same version holding neither its parsed document nor its text as a string: how history keeps it. */
    PolicyVersion compact() {
        if (document == null) {
            return this;
        }
        return new PolicyVersion(version, null, deflate(yaml), null, author, time, comment);
    }

    /** Equal when number, text, author, time and comment are: the document follows from the text. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PolicyVersion other)) {
            return false;
        }
        return version == other.version && author.equals(other.author) && time.equals(other.time)
                && comment.equals(other.comment)
                && (deflatedYaml != null && other.deflatedYaml != null ? Arrays.equals(deflatedYaml, other.deflatedYaml)
                : yaml().equals(other.yaml()));
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, author, time, comment);
    }

    @Override
    public String toString() {
        return "PolicyVersion[version=" + version + ", author=" + author + ", time=" + time + ", comment=" + comment
                + "]";
    }

    private static byte[] deflate(String text) {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            deflater.setInput(text.getBytes(StandardCharsets.UTF_8));
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            while (!deflater.finished()) {
                out.write(chunk, 0, deflater.deflate(chunk));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static String inflate(byte[] deflated) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(deflated);
            ByteArrayOutputStream out = new ByteArrayOutputStream(deflated.length * 8);
            byte[] chunk = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(chunk);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new IllegalStateException("a kept policy version's text is truncated");
                }
                out.write(chunk, 0, n);
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (DataFormatException e) {
            throw new IllegalStateException("a kept policy version's text cannot be read back", e);
        } finally {
            inflater.end();
        }
    }
}
