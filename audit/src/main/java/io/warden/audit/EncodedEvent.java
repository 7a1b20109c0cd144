package io.warden.audit;

/**
 * An event with its OCSF JSON line, encoded once by the pipeline so that every sink stores the same bytes.
 *
 * @param json one line of JSON in UTF-8, without a line terminator; shared by the sinks, never modified
 */
public record EncodedEvent(AuditEvent event, byte[] json) {
}
