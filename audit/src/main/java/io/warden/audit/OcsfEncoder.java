package io.warden.audit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;

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

    /**
     * An event type's OCSF class: its uid, and its class, category and activity fields as written
     * ({@code category_uid} to {@code type_name}), encoded once.
     */
    record OcsfClass(int classUid, byte[] fields) {

        static OcsfClass of(int categoryUid, String categoryName, int classUid, String className, int activityId,
                            String activityName) {
            return new OcsfClass(classUid, new JsonLine(256)
                    .field("category_uid", categoryUid)
                    .field("category_name", categoryName)
                    .field("class_uid", classUid)
                    .field("class_name", className)
                    .field("activity_id", activityId)
                    .field("activity_name", activityName)
                    .field("type_uid", classUid * 100L + activityId)
                    .field("type_name", className + ": " + activityName)
                    .toByteArray());
        }
    }

    /** The severity and status fields, encoded once: by severity id (1–3), then by success (1) or failure (0). */
    private static final byte[][][] SEVERITY_AND_STATUS = new byte[4][2][];

    /** Severity and status of a request whose answer never came: Low, OCSF status Unknown (0). */
    private static final byte[] OUTCOME_UNKNOWN = new JsonLine(128)
            .field("severity_id", 2).field("severity", "Low").field("status_id", 0).field("status", "Unknown").toByteArray();

    static {
        String[] severities = {null, "Informational", "Low", "Medium"};
        for (int severity = 1; severity <= 3; severity++) {
            for (int ok = 0; ok <= 1; ok++) {
                SEVERITY_AND_STATUS[severity][ok] = new JsonLine(128)
                        .field("severity_id", severity)
                        .field("severity", severities[severity])
                        .field("status_id", ok == 1 ? 1 : 2)
                        .field("status", ok == 1 ? "Success" : "Failure")
                        .toByteArray();
            }
        }
    }

    /** The fields of {@code metadata} before its {@code sequence}, encoded once. */
    private final byte[] metadataFields;

    public OcsfEncoder() {
        this(null);
    }

    /** @param productVersion written as {@code metadata.product.version} when not null */
    public OcsfEncoder(String productVersion) {
        JsonLine metadata = new JsonLine(256).field("version", OCSF_VERSION).startObject("product")
                .field("name", "Warden")
                .field("vendor_name", "Warden");
        if (productVersion != null) {
            metadata.field("version", productVersion);
        }
        this.metadataFields = metadata.endObject().field("log_name", LOG_NAME).toByteArray();
    }

    /** Encodes {@code event} with {@code sequence} as {@code metadata.sequence}. */
    public String encode(AuditEvent event, long sequence) {
        return new String(encodeUtf8(event, sequence), StandardCharsets.UTF_8);
    }

    /** As {@link #encode}, as the UTF-8 bytes the sinks store: no intermediate string. */
    public byte[] encodeUtf8(AuditEvent event, long sequence) {
        JsonLine line = new JsonLine(1536);
        write(line, event, sequence);
        return line.toByteArray();
    }

    private static final OcsfClass LOGON =
            OcsfClass.of(3, "Identity & Access Management", 3002, "Authentication", 1, "Logon");
    private static final OcsfClass OPEN = OcsfClass.of(4, "Network Activity", 4001, "Network Activity", 1, "Open");
    private static final OcsfClass CLOSE = OcsfClass.of(4, "Network Activity", 4001, "Network Activity", 2, "Close");
    private static final OcsfClass CREATE = api(1, "Create");
    private static final OcsfClass READ = api(2, "Read");
    private static final OcsfClass UPDATE = api(3, "Update");
    private static final OcsfClass DELETE = api(4, "Delete");
    private static final OcsfClass OTHER = api(99, "Other");

    /** The OCSF class of an event: one of the constants above, so that encoding an event allocates none. */
    static OcsfClass classify(AuditEvent e) {
        return switch (e.type()) {
            case AUTHENTICATION_SUCCESS, AUTHENTICATION_FAILURE -> LOGON;
            case CONNECTION_OPEN -> OPEN;
            case CONNECTION_CLOSE -> CLOSE;
            case PRODUCE -> CREATE;
            case CONSUME -> READ;
            case POLICY_CHANGE -> UPDATE;
            case ADMIN_ACTION -> OTHER;
            case AUTHORIZATION_DENIED -> deniedActivity(e.apiKey());
        };
    }

    private static OcsfClass api(int activityId, String activityName) {
        return OcsfClass.of(6, "Application Activity", 6003, "API Activity", activityId, activityName);
    }

    private static OcsfClass deniedActivity(String apiKey) {
        if ("Produce".equalsIgnoreCase(apiKey)) {
            return CREATE;
        }
        if ("Fetch".equalsIgnoreCase(apiKey)) {
            return READ;
        }
        if (apiKey != null && (apiKey.startsWith("Delete") || apiKey.startsWith("delete"))) {
            return DELETE;
        }
        return OTHER;
    }

    static int severityId(AuditEvent e) {
        if (e.type() == AuditEventType.AUTHORIZATION_DENIED || e.type() == AuditEventType.AUTHENTICATION_FAILURE) {
            return 3; // Medium
        }
        return e.succeeded() ? 1 : 2; // Informational : Low
    }

    private void write(JsonLine g, AuditEvent e, long sequence) {
        OcsfClass c = classify(e);
        boolean ok = e.succeeded();
        g.startObject();
        g.field("time", e.time().toEpochMilli());
        g.fields(c.fields());
        if (e.outcomeUnknown()) {
            g.fields(OUTCOME_UNKNOWN);
        } else {
            g.fields(SEVERITY_AND_STATUS[severityId(e)][ok ? 1 : 0]);
            g.fieldAsString("status_code", e.errorCode());
        }
        if (e.errorMessage() != null) {
            g.field("status_detail", e.errorMessage());
        }
        writeMessage(g, e);
        if (e.latencyMs() >= 0) {
            g.field("duration", e.latencyMs());
        }
        writeMetadata(g, sequence);
        writeActor(g, e);
        if (e.clientAddress() != null) {
            g.startObject("src_endpoint");
            g.field("ip", e.clientAddress());
            if (e.clientPort() >= 0) {
                g.field("port", e.clientPort());
            }
            g.endObject();
        }
        if (c.classUid() == 3002) {
            writeAuthentication(g, e);
        }
        if (e.apiKey() != null) {
            g.startObject("api");
            g.field("operation", e.apiKey());
            if (e.apiVersion() >= 0) {
                g.fieldAsString("version", e.apiVersion());
            }
            if (e.requestId() != null) {
                g.startObject("request");
                g.field("uid", e.requestId());
                g.endObject();
            }
            g.endObject();
        }
        writeResources(g, e);
        writeUnmapped(g, e);
        g.endObject();
    }

    private void writeMetadata(JsonLine g, long sequence) {
        g.startObject("metadata");
        g.fields(metadataFields);
        g.field("sequence", sequence);
        g.endObject();
    }

    private static void writeActor(JsonLine g, AuditEvent e) {
        if (e.principal() == null && e.clientId() == null) {
            return;
        }
        g.startObject("actor");
        if (e.principal() != null) {
            g.startObject("user");
            g.field("name", e.principal());
            g.endObject();
        }
        if (e.clientId() != null) {
            g.field("app_name", e.clientId());
        }
        g.endObject();
    }

    private static void writeAuthentication(JsonLine g, AuditEvent e) {
        // OCSF's user is the account being authenticated: for a failed login, the name tried (the actor stays the
        // connection's principal before the login), so that rules counting failures per user see them.
        String user = e.principal();
        String claimed = e.details().get("claimed_user");
        if (e.type() == AuditEventType.AUTHENTICATION_FAILURE && claimed != null && !claimed.isEmpty() && !claimed.equals("-")) {
            user = "User:" + claimed;
        }
        if (user != null) {
            g.startObject("user");
            g.field("name", user);
            g.endObject();
        }
        String mechanism = e.details().get("mechanism");
        if (mechanism != null) {
            g.field("auth_protocol", mechanism);
            g.field("auth_protocol_id", 99); // Other: SASL mechanisms have no OCSF id
        }
    }

    private static void writeResources(JsonLine g, AuditEvent e) {
        // Most events name one topic or a few, for which a list's contains is cheaper than a set; a large Fetch may
        // name thousands, for which it is not.
        Collection<String> topics = e.partitions().size() <= 8 ? new ArrayList<>(2) : new LinkedHashSet<>();
        for (PartitionDetail p : e.partitions()) {
            if (!topics.contains(p.topic())) {
                topics.add(p.topic());
            }
        }
        String group = e.details().get("group");
        String topic = e.details().get("topic");
        if (topic != null && !topics.contains(topic)) {
            topics.add(topic);
        }
        if (topics.isEmpty() && group == null) {
            return;
        }
        g.startArray("resources");
        for (String t : topics) {
            g.startObject();
            g.field("type", "topic");
            g.field("name", t);
            g.endObject();
        }
        if (group != null) {
            g.startObject();
            g.field("type", "group");
            g.field("name", group);
            g.endObject();
        }
        g.endArray();
    }

    private static void writeUnmapped(JsonLine g, AuditEvent e) {
        g.startObject("unmapped");
        g.field("warden_schema", WARDEN_SCHEMA);
        g.field("event_type", e.type().wireName());
        if (e.apiKey() != null) {
            g.field("api_key", e.apiKey());
            g.field("api_version", e.apiVersion());
        }
        if (e.clientId() != null) {
            g.field("client_id", e.clientId());
        }
        if (e.listener() != null) {
            g.field("listener", e.listener());
        }
        if (!e.outcomeUnknown()) {
            g.field("error_code", e.errorCode());
        }
        if (e.latencyMs() >= 0) {
            g.field("latency_ms", e.latencyMs());
        }
        if (!e.partitions().isEmpty()) {
            long records = 0;
            long bytes = 0;
            g.startArray("partitions");
            for (PartitionDetail p : e.partitions()) {
                g.startObject();
                g.field("topic", p.topic());
                g.field("partition", p.partition());
                g.field("error_code", p.errorCode());
                g.field("record_count", p.recordCount());
                g.field("bytes", p.bytes());
                g.field("first_offset", p.firstOffset());
                g.field("last_offset", p.lastOffset());
                g.field("first_timestamp", p.firstTimestamp());
                g.field("last_timestamp", p.lastTimestamp());
                g.endObject();
                records += Math.max(0, p.recordCount());
                bytes += p.bytes();
            }
            g.endArray();
            AuditEvent.Omitted omitted = e.omitted();
            if (omitted != null) {
                g.field("partitions_omitted", omitted.partitions());
                g.startArray("topics_omitted");
                for (String topic : omitted.topics()) {
                    g.value(topic);
                }
                g.endArray();
                records += omitted.records();
                bytes += omitted.bytes();
            }
            g.field("record_count", records);
            g.field("bytes", bytes);
        }
        if (!e.details().isEmpty()) {
            g.startObject("details");
            for (Map.Entry<String, String> d : e.details().entrySet()) {
                g.field(d.getKey(), d.getValue());
            }
            g.endObject();
        }
        g.endObject();
    }

    /** {@code message}: "produce by User:alice via Produce", and "failed with error N" when it did. */
    private static void writeMessage(JsonLine g, AuditEvent e) {
        g.startString("message").part(e.type().wireName());
        if (e.principal() != null) {
            g.part(" by ").part(e.principal());
        }
        if (e.apiKey() != null) {
            g.part(" via ").part(e.apiKey());
        }
        if (e.outcomeUnknown()) {
            g.part(", outcome unknown");
        } else if (!e.succeeded()) {
            g.part(" failed with error ").part(e.errorCode());
        }
        g.endString();
    }
}
