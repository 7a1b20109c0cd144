package io.warden.policies.store;

import io.warden.policies.PolicyDocument;

import java.time.Instant;
import java.util.Objects;

/**
 * One version of the policy: its number, its YAML text (as written by whoever made it, or by {@code PolicyWriter}),
 * the document it parses to, and who made it, when and why.
 */
public record PolicyVersion(long version, String yaml, PolicyDocument document, String author, Instant time, String comment) {

    public PolicyVersion {
        if (version < 1) {
            throw new IllegalArgumentException("versions start at 1, got " + version);
        }
        Objects.requireNonNull(yaml, "yaml");
        Objects.requireNonNull(document, "document");
        Objects.requireNonNull(time, "time");
        author = author == null ? "" : author;
        comment = comment == null ? "" : comment;
    }

    /** The HTTP entity tag of this version, as the admin API sends it in {@code ETag}: {@code "v<version>"}. */
    public String etag() {
        return "\"v" + version + "\"";
    }
}
