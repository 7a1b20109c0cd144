package io.warden.audit;

/**
 * An event with its OCSF JSON line, encoded once by the pipeline so that every sink stores the same bytes.
 *
 * @param json one line of JSON, without a line terminator
 */
public record EncodedEvent(AuditEvent event, String json) {
}
