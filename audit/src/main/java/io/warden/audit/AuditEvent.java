package io.warden.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One audited fact: who did what to which topic partitions, from where, with what outcome. The gateway fills it
 * from the request, the connection's principal and the response; {@link OcsfEncoder} turns it into the stored form.
 *
 * @param clientPort  the client's source port, or -1 when unknown
 * @param apiKey      the Kafka API name, such as {@code Produce} or {@code Fetch}; null for events without a request
 * @param apiVersion  the request's API version, or -1
 * @param requestId   an identifier of the request (for example connection id and correlation id); may be null
 * @param errorCode   the Kafka error code of the outcome, 0 for success
 * @param latencyMs   time from request to response, or -1 when not measured
 * @param details     further facts by name, for example {@code mechanism} or {@code legacy_nonce}
 * @param omitted     what the event does not list of a request naming more than {@link #MAX_PARTITIONS} partitions,
 *                    or null
 * @param outcomeUnknown true for a request forwarded to a broker whose answer never came (the client or the broker
 *                    connection closed first, or the gateway stopped waiting): {@code errorMessage} says why
 */
public record AuditEvent(Instant time, AuditEventType type, String principal, String clientAddress, int clientPort,
                         String clientId, String listener, String apiKey, int apiVersion, String requestId,
                         short errorCode, String errorMessage, long latencyMs, List<PartitionDetail> partitions,
                         Map<String, String> details, Omitted omitted, boolean outcomeUnknown) {

    /**
     * The most partitions one event lists. A request can name many thousands at a few bytes each; listed, they would
     * make an event larger than a Kafka sink accepts (1 MiB by default) and let one client fill the audit queue's
     * memory. Past this, the event lists the first ones and counts the rest, their records and bytes in the totals.
     */
    public static final int MAX_PARTITIONS = 1000;

    /** The partitions past {@link #MAX_PARTITIONS}: how many, their records and bytes, and the topics among them. */
    public record Omitted(int partitions, long records, long bytes, List<String> topics) {

        /** The most topic names an event gives for its omitted partitions. */
        public static final int MAX_TOPICS = 100;

        public Omitted {
            topics = List.copyOf(topics);
        }
    }

    public AuditEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(type, "type");
        partitions = partitions == null ? List.of() : List.copyOf(partitions);
        details = details == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /**
     * About how much memory this event holds, in bytes: what the audit queue counts against its byte budget. Topic
     * names are shared with the request and not counted per partition.
     */
    public long estimatedBytes() {
        long n = 256 + 2L * (length(principal) + length(clientAddress) + length(clientId) + length(listener)
                + length(apiKey) + length(requestId) + length(errorMessage));
        n += 80L * partitions.size();
        for (Map.Entry<String, String> d : details.entrySet()) {
            n += 64 + 2L * (length(d.getKey()) + length(d.getValue()));
        }
        if (omitted != null) {
            n += 64 + 16L * omitted.topics().size();
        }
        return n;
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }

    /** True when the outcome is a success: no error code, and an answer came. */
    public boolean succeeded() {
        return errorCode == 0 && !outcomeUnknown && type != AuditEventType.AUTHENTICATION_FAILURE && type != AuditEventType.AUTHORIZATION_DENIED;
    }

    /** Starts an event of {@code type} at {@code time}. */
    public static Builder builder(AuditEventType type, Instant time) {
        return new Builder(type, time);
    }

    /** Fills an event field by field; unset fields take "unknown" values. */
    public static final class Builder {
        private final AuditEventType type;
        private final Instant time;
        private String principal;
        private String clientAddress;
        private int clientPort = -1;
        private String clientId;
        private String listener;
        private String apiKey;
        private int apiVersion = -1;
        private String requestId;
        private short errorCode;
        private String errorMessage;
        private long latencyMs = -1;
        private boolean outcomeUnknown;
        private final List<PartitionDetail> partitions = new ArrayList<>();
        private final Map<String, String> details = new LinkedHashMap<>();

        private Builder(AuditEventType type, Instant time) {
            this.type = type;
            this.time = time;
        }

        public Builder principal(String principal) {
            this.principal = principal;
            return this;
        }

        public Builder client(String address, int port) {
            this.clientAddress = address;
            this.clientPort = port;
            return this;
        }

        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        public Builder listener(String listener) {
            this.listener = listener;
            return this;
        }

        public Builder api(String apiKey, int apiVersion) {
            this.apiKey = apiKey;
            this.apiVersion = apiVersion;
            return this;
        }

        public Builder requestId(String requestId) {
            this.requestId = requestId;
            return this;
        }

        public Builder outcome(short errorCode, String errorMessage) {
            this.errorCode = errorCode;
            this.errorMessage = errorMessage;
            return this;
        }

        /** The request went to a broker, but no answer came, for the reason given. */
        public Builder outcomeUnknown(String reason) {
            this.outcomeUnknown = true;
            this.errorCode = 0;
            this.errorMessage = reason;
            return this;
        }

        public Builder latencyMs(long latencyMs) {
            this.latencyMs = latencyMs;
            return this;
        }

        public Builder partition(PartitionDetail detail) {
            partitions.add(detail);
            return this;
        }

        public Builder partitions(List<PartitionDetail> details) {
            partitions.addAll(details);
            return this;
        }

        public Builder detail(String name, String value) {
            details.put(name, value);
            return this;
        }

        public AuditEvent build() {
            if (partitions.size() <= MAX_PARTITIONS) {
                return new AuditEvent(time, type, principal, clientAddress, clientPort, clientId, listener, apiKey,
                        apiVersion, requestId, errorCode, errorMessage, latencyMs, partitions, details, null, outcomeUnknown);
            }
            List<PartitionDetail> rest = partitions.subList(MAX_PARTITIONS, partitions.size());
            long records = 0;
            long bytes = 0;
            java.util.Set<String> topics = new java.util.LinkedHashSet<>();
            for (PartitionDetail p : rest) {
                records += Math.max(0, p.recordCount());
                bytes += p.bytes();
                if (topics.size() < Omitted.MAX_TOPICS) {
                    topics.add(p.topic());
                }
            }
            Omitted omitted = new Omitted(rest.size(), records, bytes, new ArrayList<>(topics));
            return new AuditEvent(time, type, principal, clientAddress, clientPort, clientId, listener, apiKey,
                    apiVersion, requestId, errorCode, errorMessage, latencyMs, partitions.subList(0, MAX_PARTITIONS),
                    details, omitted, outcomeUnknown);
        }
    }
}
