package io.warden.audit;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Writes an {@link AuditEvent} as one line of OCSF 1.3 JSON, the form SIEMs already ingest: API Activity (6003) for
 * Kafka requests, Authentication (3002) for logins, Network Activity (4001) for connections. Kafka specifics that
 * OCSF has no attribute for go into {@code unmapped}, whose layout is versioned by {@link #WARDEN_SCHEMA}. The
 * mapping is documented in the module's README.
 */
public final class OcsfEncoder {

    /** The OCSF schema version the events follow. */
    public static final String OCSF_VERSION = "1.3.0";
    /** The version of Warden's own fields in {@code unmapped}; raised on any incompatible change. */
    public static final int WARDEN_SCHEMA = 1;
    /** The {@code metadata.log_name} of every event. */
    public static final String LOG_NAME = "warden-audit";

    private static final JsonFactory JSON = new JsonFactory();

    /** OCSF class, activity and names for an event type. */
    record OcsfClass(int categoryUid, String categoryName, int classUid, String className, int activityId,
                     String activityName) {
        long typeUid() {
            return classUid * 100L + activityId;
        }
    }

    private final String productVersion;

    public OcsfEncoder() {
        this(null);
    }

    /** @param productVersion written as {@code metadata.product.version} when not null */
    public OcsfEncoder(String productVersion) {
        this.productVersion = productVersion;
    }

    /** Encodes {@code event} with {@code sequence} as {@code metadata.sequence}. */
    public String encode(AuditEvent event, long sequence) {
        return new String(encodeUtf8(event, sequence), StandardCharsets.UTF_8);
    }

    /** As {@link #encode}, as the UTF-8 bytes the sinks store: no intermediate string. */
    public byte[] encodeUtf8(AuditEvent event, long sequence) {
        ByteArrayBuilder out = new ByteArrayBuilder(1536);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            write(g, event, sequence);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static OcsfClass classify(AuditEvent e) {
        return switch (e.type()) {
            case AUTHENTICATION_SUCCESS, AUTHENTICATION_FAILURE ->
                    new OcsfClass(3, "Identity & Access Management", 3002, "Authentication", 1, "Logon");
            case CONNECTION_OPEN -> new OcsfClass(4, "Network Activity", 4001, "Network Activity", 1, "Open");
            case CONNECTION_CLOSE -> new OcsfClass(4, "Network Activity", 4001, "Network Activity", 2, "Close");
            case PRODUCE -> api(1, "Create");
            case CONSUME -> api(2, "Read");
            case POLICY_CHANGE -> api(3, "Update");
            case ADMIN_ACTION -> api(99, "Other");
            case AUTHORIZATION_DENIED -> deniedActivity(e.apiKey());
        };
    }

    private static OcsfClass api(int activityId, String activityName) {
        return new OcsfClass(6, "Application Activity", 6003, "API Activity", activityId, activityName);
    }

    private static OcsfClass deniedActivity(String apiKey) {
        if ("Produce".equalsIgnoreCase(apiKey)) {
            return api(1, "Create");
        }
        if ("Fetch".equalsIgnoreCase(apiKey)) {
            return api(2, "Read");
        }
        if (apiKey != null && (apiKey.startsWith("Delete") || apiKey.startsWith("delete"))) {
            return api(4, "Delete");
        }
        return api(99, "Other");
    }

    static int severityId(AuditEvent e) {
        if (e.type() == AuditEventType.AUTHORIZATION_DENIED || e.type() == AuditEventType.AUTHENTICATION_FAILURE) {
            return 3; // Medium
        }
        return e.succeeded() ? 1 : 2; // Informational : Low
    }

    private void write(JsonGenerator g, AuditEvent e, long sequence) throws IOException {
        OcsfClass c = classify(e);
        boolean ok = e.succeeded();
        g.writeStartObject();
        g.writeNumberField("time", e.time().toEpochMilli());
        g.writeNumberField("category_uid", c.categoryUid());
        g.writeStringField("category_name", c.categoryName());
        g.writeNumberField("class_uid", c.classUid());
        g.writeStringField("class_name", c.className());
        g.writeNumberField("activity_id", c.activityId());
        g.writeStringField("activity_name", c.activityName());
        g.writeNumberField("type_uid", c.typeUid());
        g.writeStringField("type_name", c.className() + ": " + c.activityName());
        int severity = severityId(e);
        g.writeNumberField("severity_id", severity);
        g.writeStringField("severity", severity == 1 ? "Informational" : severity == 2 ? "Low" : "Medium");
        g.writeNumberField("status_id", ok ? 1 : 2);
        g.writeStringField("status", ok ? "Success" : "Failure");
        g.writeStringField("status_code", Short.toString(e.errorCode()));
        if (e.errorMessage() != null) {
            g.writeStringField("status_detail", e.errorMessage());
        }
        g.writeStringField("message", message(e));
        if (e.latencyMs() >= 0) {
            g.writeNumberField("duration", e.latencyMs());
        }
        writeMetadata(g, sequence);
        writeActor(g, e);
        if (e.clientAddress() != null) {
            g.writeObjectFieldStart("src_endpoint");
            g.writeStringField("ip", e.clientAddress());
            if (e.clientPort() >= 0) {
                g.writeNumberField("port", e.clientPort());
            }
            g.writeEndObject();
        }
        if (c.classUid() == 3002) {
            writeAuthentication(g, e);
        }
        if (e.apiKey() != null) {
            g.writeObjectFieldStart("api");
            g.writeStringField("operation", e.apiKey());
            if (e.apiVersion() >= 0) {
                g.writeStringField("version", Integer.toString(e.apiVersion()));
            }
            if (e.requestId() != null) {
                g.writeObjectFieldStart("request");
                g.writeStringField("uid", e.requestId());
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        writeResources(g, e);
        writeUnmapped(g, e);
        g.writeEndObject();
    }

    private void writeMetadata(JsonGenerator g, long sequence) throws IOException {
        g.writeObjectFieldStart("metadata");
        g.writeStringField("version", OCSF_VERSION);
        g.writeObjectFieldStart("product");
        g.writeStringField("name", "Warden");
        g.writeStringField("vendor_name", "Warden");
        if (productVersion != null) {
            g.writeStringField("version", productVersion);
        }
        g.writeEndObject();
        g.writeStringField("log_name", LOG_NAME);
        g.writeNumberField("sequence", sequence);
        g.writeEndObject();
    }

    private static void writeActor(JsonGenerator g, AuditEvent e) throws IOException {
        if (e.principal() == null && e.clientId() == null) {
            return;
        }
        g.writeObjectFieldStart("actor");
        if (e.principal() != null) {
            g.writeObjectFieldStart("user");
            g.writeStringField("name", e.principal());
            g.writeEndObject();
        }
        if (e.clientId() != null) {
            g.writeStringField("app_name", e.clientId());
        }
        g.writeEndObject();
    }

    private static void writeAuthentication(JsonGenerator g, AuditEvent e) throws IOException {
        if (e.principal() != null) {
            g.writeObjectFieldStart("user");
            g.writeStringField("name", e.principal());
            g.writeEndObject();
        }
        String mechanism = e.details().get("mechanism");
        if (mechanism != null) {
            g.writeStringField("auth_protocol", mechanism);
            g.writeNumberField("auth_protocol_id", 99); // Other: SASL mechanisms have no OCSF id
        }
    }

    private static void writeResources(JsonGenerator g, AuditEvent e) throws IOException {
        Set<String> topics = new LinkedHashSet<>();
        for (PartitionDetail p : e.partitions()) {
            topics.add(p.topic());
        }
        String group = e.details().get("group");
        String topic = e.details().get("topic");
        if (topic != null) {
            topics.add(topic);
        }
        if (topics.isEmpty() && group == null) {
            return;
        }
        g.writeArrayFieldStart("resources");
        for (String t : topics) {
            g.writeStartObject();
            g.writeStringField("type", "topic");
            g.writeStringField("name", t);
            g.writeEndObject();
        }
        if (group != null) {
            g.writeStartObject();
            g.writeStringField("type", "group");
            g.writeStringField("name", group);
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void writeUnmapped(JsonGenerator g, AuditEvent e) throws IOException {
        g.writeObjectFieldStart("unmapped");
        g.writeNumberField("warden_schema", WARDEN_SCHEMA);
        g.writeStringField("event_type", e.type().wireName());
        if (e.apiKey() != null) {
            g.writeStringField("api_key", e.apiKey());
            g.writeNumberField("api_version", e.apiVersion());
        }
        if (e.clientId() != null) {
            g.writeStringField("client_id", e.clientId());
        }
        if (e.listener() != null) {
            g.writeStringField("listener", e.listener());
        }
        g.writeNumberField("error_code", e.errorCode());
        if (e.latencyMs() >= 0) {
            g.writeNumberField("latency_ms", e.latencyMs());
        }
        if (!e.partitions().isEmpty()) {
            long records = 0;
            long bytes = 0;
            g.writeArrayFieldStart("partitions");
            for (PartitionDetail p : e.partitions()) {
                g.writeStartObject();
                g.writeStringField("topic", p.topic());
                g.writeNumberField("partition", p.partition());
                g.writeNumberField("error_code", p.errorCode());
                g.writeNumberField("record_count", p.recordCount());
                g.writeNumberField("bytes", p.bytes());
                g.writeNumberField("first_offset", p.firstOffset());
                g.writeNumberField("last_offset", p.lastOffset());
                g.writeNumberField("first_timestamp", p.firstTimestamp());
                g.writeNumberField("last_timestamp", p.lastTimestamp());
                g.writeEndObject();
                records += Math.max(0, p.recordCount());
                bytes += p.bytes();
            }
            g.writeEndArray();
            g.writeNumberField("record_count", records);
            g.writeNumberField("bytes", bytes);
        }
        if (!e.details().isEmpty()) {
            g.writeObjectFieldStart("details");
            for (Map.Entry<String, String> d : e.details().entrySet()) {
                g.writeStringField(d.getKey(), d.getValue());
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static String message(AuditEvent e) {
        StringBuilder m = new StringBuilder(e.type().wireName());
        if (e.principal() != null) {
            m.append(" by ").append(e.principal());
        }
        if (e.apiKey() != null) {
            m.append(" via ").append(e.apiKey());
        }
        if (!e.succeeded()) {
            m.append(" failed with error ").append(e.errorCode());
        }
        return m.toString();
    }
}
