package io.warden.audit;

import java.nio.charset.StandardCharsets;

/**
 * An event with its OCSF JSON line, encoded once by the pipeline so that every sink stores the same bytes.
 *
 * @param json one line of JSON in UTF-8, without a line terminator; shared by the sinks, never modified
 */
public record EncodedEvent(AuditEvent event, byte[] json) {

    /** The JSON line as text. */
    public String text() {
        return new String(json, StandardCharsets.UTF_8);
    }
}
