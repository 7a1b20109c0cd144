package io.warden.gateway.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.net.SocketAddress;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditEventType;
import io.warden.audit.PartitionDetail;
import io.warden.gateway.cluster.TopicNames;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.Records;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One client connection's view of the audit trail: fills every event with the connection's listener, address,
 * principal and client id, and turns requests and their responses into events. Confined to the connection's event
 * loop; building an event reads record batch headers only, never record contents.
 */
public final class ConnectionAudit {

    /** Requests that change the cluster, audited as admin actions. */
    static final Set<ApiKeys> ADMIN_APIS = EnumSet.of(ApiKeys.CREATE_TOPICS, ApiKeys.DELETE_TOPICS,
            ApiKeys.DELETE_RECORDS, ApiKeys.CREATE_PARTITIONS, ApiKeys.ALTER_CONFIGS, ApiKeys.INCREMENTAL_ALTER_CONFIGS,
            ApiKeys.DELETE_GROUPS, ApiKeys.OFFSET_DELETE, ApiKeys.ELECT_LEADERS, ApiKeys.ALTER_PARTITION_REASSIGNMENTS,
            ApiKeys.CREATE_ACLS, ApiKeys.DELETE_ACLS, ApiKeys.ALTER_CLIENT_QUOTAS, ApiKeys.ALTER_USER_SCRAM_CREDENTIALS);

    /** Request fields that may hold secrets or private values; left out of admin request summaries. */
    private static final Set<String> REDACTED_FIELDS = Set.of("value", "salt", "saltedPassword");
    /** What {@link #response} returns when nothing waits for its events. */
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    /** Longest admin request summary kept in an event. */
    static final int MAX_SUMMARY_CHARS = 2048;

    private final GatewayAudit audit;
    private final TopicNames topicNames;
    private final String listener;
    private final String address;
    private final int port;
    private String principal;
    private String clientId;

    public ConnectionAudit(GatewayAudit audit, TopicNames topicNames, String listener, SocketAddress remote) {
        this.audit = audit;
        this.topicNames = topicNames;
        this.listener = listener;
        this.address = remote == null ? null : remote.hostAddress();
        this.port = remote == null ? -1 : remote.port();
    }

    public boolean on() {
        return audit.on();
    }

    public boolean failClosed() {
        return audit.failClosed();
    }

    /** True when requests of this API are audited on their own (not only when refused). */
    public boolean audits(ApiKeys api) {
        return audit.on() && (api == ApiKeys.PRODUCE || api == ApiKeys.FETCH || ADMIN_APIS.contains(api));
    }

    public void principal(String principal) {
        this.principal = principal;
    }

    public void clientId(String clientId) {
        this.clientId = clientId;
    }

    private AuditEvent.Builder event(AuditEventType type) {
        return AuditEvent.builder(type, Instant.now())
                .principal(principal)
                .client(address, port)
                .clientId(clientId)
                .listener(listener);
    }

    public void opened() {
        if (audit.on()) {
            audit.note(event(AuditEventType.CONNECTION_OPEN).build());
        }
    }

    public void closed(String reason) {
        if (audit.on()) {
            AuditEvent.Builder e = event(AuditEventType.CONNECTION_CLOSE);
            if (reason != null) {
                e.detail("reason", reason);
            }
            audit.note(e.build());
        }
    }

    public void authenticated(String mechanism, boolean reauthentication, Map<String, String> details) {
        if (audit.on()) {
            AuditEvent.Builder e = event(AuditEventType.AUTHENTICATION_SUCCESS).detail("mechanism", mechanism)
                    .detail("reauthentication", Boolean.toString(reauthentication));
            details.forEach(e::detail);
            audit.note(e.build());
        }
    }

    /** A failed login; {@code user} is the name the client claimed, if any, never a credential. */
    public void authenticationFailed(String mechanism, String user, String reason) {
        if (audit.on()) {
            audit.note(event(AuditEventType.AUTHENTICATION_FAILURE)
                    .outcome(Errors.SASL_AUTHENTICATION_FAILED.code(), reason)
                    .detail("mechanism", String.valueOf(mechanism))
                    .detail("claimed_user", user == null ? "-" : user)
                    .build());
        }
    }

    /**
     * A request refused by closing the connection: there is no response to carry an error, so the event's is the one
     * the refusal stands for, as whoever refused it says ({@code Verdict.Refuse.error()}: TOPIC_AUTHORIZATION_FAILED
     * for a topic the policy denied, CLUSTER_AUTHORIZATION_FAILED for a request only brokers may send).
     */
    public void refused(ApiKeys api, short version, int correlationId, String reason, Errors error, List<String> denied) {
        if (audit.on()) {
            AuditEvent.Builder e = event(AuditEventType.AUTHORIZATION_DENIED)
                    .api(api.name, version)
                    .requestId(requestId(correlationId))
                    .outcome(error.code(), reason);
            if (!denied.isEmpty()) {
                e.detail("denied", String.join("; ", denied));
            }
            audit.note(e.build());
        }
    }

    /**
     * What a request will be audited with once its response is known, or null when nothing about it is audited.
     * Produce requests are read here (batch headers: counts, sizes, timestamps), before any part is removed.
     */
    public Pending request(RequestHeader header, ApiMessage body) {
        ApiKeys api = header.apiKey();
        if (!audits(api)) {
            return null;
        }
        Pending p = new Pending(api, header.apiVersion(), header.correlationId(), clientId);
        if (api == ApiKeys.PRODUCE && body instanceof ProduceRequestData produce) {
            for (ProduceRequestData.TopicProduceData topic : produce.topicData()) {
                String name = topicNames.nameOf(topic.name(), topic.topicId());
                for (ProduceRequestData.PartitionProduceData part : topic.partitionData()) {
                    p.produced.put(name + ":" + part.index(), produced(p, name, part.index(), (Records) part.records()));
                }
            }
            if (produce.transactionalId() != null) {
                p.details.put("transactional_id", produce.transactionalId());
            }
        } else if (ADMIN_APIS.contains(api) && body != null) {
            p.details.put("request", summary(body, header.apiVersion()));
        }
        return p;
    }

    /**
     * A Produce partition's detail from its batch headers, without offsets: the client's batches count from 0 and say
     * nothing of where the broker stores the records, so only the response's base offset gives the event its offsets.
     * Read once, without a copy, since every audited Produce partition passes here. Headers that cannot be read (a
     * corrupt batch) leave only the size, and the reason in {@code unreadable_records}: the request still goes on, and the broker refuses it with
     * CORRUPT_MESSAGE, as Kafka answers such a request, which the outcome event records.
     */
    private static PartitionDetail produced(Pending p, String topic, int partition, Records records) {
        try {
            return PartitionDetail.requested(topic, partition, records);
        } catch (RuntimeException unreadable) {
            p.details.putIfAbsent("unreadable_records", topic + "-" + partition + ": " + unreadable.getMessage());
            return PartitionDetail.unreadable(topic, partition, records == null ? 0 : records.sizeInBytes());
        }
    }

    /** A request the policy refused in part or whole; its response tells whether it was a refusal. */
    public Pending denials(Pending pending, RequestHeader header, List<String> denied) {
        if (!audit.on() || denied.isEmpty()) {
            return pending;
        }
        Pending p = pending != null ? pending : new Pending(header.apiKey(), header.apiVersion(), header.correlationId(), clientId);
        p.denied = denied;
        return p;
    }

    /**
     * As above, for a request forwarded as {@code forwarded}, rewritten without what the policy refused (null: as the
     * client sent it). A Produce's partitions left out are remembered with their refusal, for an acks=0 request has
     * no response to carry it: TOPIC_AUTHORIZATION_FAILED for a topic the policy denied, else UNKNOWN_TOPIC_ID (a
     * topic id that names no topic).
     */
    public Pending denials(Pending pending, RequestHeader header, List<String> denied, ApiMessage forwarded) {
        Pending p = denials(pending, header, denied);
        if (p != null && p.api == ApiKeys.PRODUCE && forwarded instanceof ProduceRequestData rewritten) {
            Set<String> kept = new HashSet<>();
            for (ProduceRequestData.TopicProduceData topic : rewritten.topicData()) {
                String name = topicNames.nameOf(topic.name(), topic.topicId());
                topic.partitionData().forEach(part -> kept.add(name + ":" + part.index()));
            }
            p.produced.forEach((key, part) -> {
                if (!kept.contains(key)) {
                    boolean deniedTopic = denied.contains(AclOperation.WRITE.name() + " topic:" + part.topic());
                    p.withheld.put(key, deniedTopic ? Errors.TOPIC_AUTHORIZATION_FAILED : Errors.UNKNOWN_TOPIC_ID);
                }
            });
        }
        return p;
    }

    /**
     * The event written before a request is forwarded in fail-closed mode: what the client asked, without outcome
     * ({@code phase=request}). Null when the request has no event of its own.
     */
    public AuditEvent intent(Pending p) {
        if (p == null || p.type() == null || p.api == ApiKeys.FETCH) {
            return null;
        }
        AuditEvent.Builder e = start(p, p.type()).detail("phase", "request");
        e.partitions(new ArrayList<>(p.produced.values()));
        return e.build();
    }

    /**
     * An acks=0 Produce: no response will come, so its events are complete now — the produce event, without offsets
     * (no broker told them), its partitions the policy removed listed with their refusal, and then a denial.
     */
    public CompletableFuture<Void> unanswered(Pending p) {
        AuditEvent.Builder e = start(p, AuditEventType.PRODUCE).detail("acks", "0").latencyMs(elapsedMs(p));
        Map<Errors, Integer> errors = requested(p, e);
        CompletableFuture<Void> produced = audit.record(e.build());
        AuditEvent denial = denial(p, errors);
        return denial == null ? produced : CompletableFuture.allOf(produced, audit.record(denial));
    }

    /**
     * A request forwarded to the broker whose answer will never be read — the client or the broker connection closed,
     * or the gateway stopped waiting for it on shutdown: its event, with what it asked and an unknown outcome (the
     * broker may or may not have acted on it), and its denial if the policy removed part of it. A Fetch has none:
     * nothing of it reached the client.
     */
    public void abandoned(Pending p, String reason) {
        if (p.type() == null || p.api == ApiKeys.FETCH) {
            return;
        }
        AuditEvent.Builder e = start(p, p.type()).latencyMs(elapsedMs(p));
        Map<Errors, Integer> errors = requested(p, e);
        audit.note(e.outcomeUnknown("no answer: " + reason).build());
        AuditEvent denial = denial(p, errors);
        if (denial != null) {
            audit.note(denial);
        }
    }

    /**
     * Fail-closed: a request refused because its event could not be written, so the broker never saw it. Sinks that
     * did take that event (its {@code phase: request} intent, or an acks=0 request's only event) would otherwise hold
     * a request with no outcome, or one that looks forwarded; this outcome says what happened instead: every
     * partition, and the request, KAFKA_STORAGE_ERROR, the retriable error the client was answered ({@code then} says
     * what the client got: an acks=0 client has its connection closed). It is noted, not waited for, so a sink that
     * failed the intent owes it and writes it once it can.
     */
    public void notForwarded(Pending p, boolean acksZero, String failure, String then) {
        notForwarded(p, acksZero, "audit_unavailable", Errors.KAFKA_STORAGE_ERROR,
                "not forwarded: its audit event could not be written (" + failure + "); " + then);
    }

    /**
     * Fail-closed: a request whose event was written while its client closed the connection, so it was never
     * forwarded; its outcome says so, with NETWORK_EXCEPTION, the error a client reads for a connection that closed
     * before its answer.
     */
    public void closedBeforeForwarding(Pending p, boolean acksZero) {
        notForwarded(p, acksZero, "connection_closed", Errors.NETWORK_EXCEPTION,
                "not forwarded: the connection closed while its audit event was being written");
    }

    private void notForwarded(Pending p, boolean acksZero, String why, Errors error, String status) {
        if (p == null || p.type() == null || p.api == ApiKeys.FETCH) {
            return;
        }
        AuditEvent.Builder e = start(p, p.type()).latencyMs(elapsedMs(p)).detail("not_forwarded", why);
        if (acksZero) {
            e.detail("acks", "0");
        }
        for (PartitionDetail part : p.produced.values()) {
            e.partition(part.refused(error.code()));
        }
        audit.note(e.outcome(error.code(), status).build());
    }

    /**
     * Adds a request's partitions as the client asked for them, those the policy removed with their refusal (the
     * first one the event's outcome), and returns the refusals counted by error.
     */
    private static Map<Errors, Integer> requested(Pending p, AuditEvent.Builder e) {
        Map<Errors, Integer> errors = new EnumMap<>(Errors.class);
        for (Map.Entry<String, PartitionDetail> part : p.produced.entrySet()) {
            Errors refusal = p.withheld.get(part.getKey());
            if (refusal == null) {
                e.partition(part.getValue());
                continue;
            }
            e.partition(part.getValue().refused(refusal.code()));
            if (errors.isEmpty()) {
                e.outcome(refusal.code(), refusal.message());
            }
            errors.merge(refusal, 1, Integer::sum);
        }
        return errors;
    }

    /** The authorization_denied event of a request the policy refused in part, when its answer holds such a refusal. */
    private AuditEvent denial(Pending p, Map<Errors, Integer> errors) {
        if (p.denied == null) {
            return null;
        }
        for (Errors error : errors.keySet()) {
            if (error.exception() instanceof AuthorizationException) {
                return start(p, AuditEventType.AUTHORIZATION_DENIED)
                        .outcome(error.code(), error.message())
                        .detail("errors", errorSummary(errors))
                        .detail("denied", String.join("; ", p.denied))
                        .latencyMs(elapsedMs(p))
                        .build();
            }
        }
        return null;
    }

    /**
     * Records the events of a request's response: the produce, consume or admin event with its outcome, and a
     * denial when the response refuses any part for lack of authorization. Fetched records wait for their events:
     * for a Fetch the future completes when they are durably written (fail-closed). Any other response is sent at
     * once, so its events are only noted (fail-closed: forced to disk with the next request's) and the future is
     * already complete, as it is in best-effort mode.
     */
    public CompletableFuture<Void> response(Pending p, AbstractResponse response) {
        List<AuditEvent> events = new ArrayList<>(2);
        AuditEvent main = switch (p.api) {
            case PRODUCE -> produced(p, (ProduceResponseData) response.data());
            case FETCH -> consumed(p, (FetchResponseData) response.data());
            default -> p.type() == AuditEventType.ADMIN_ACTION ? admin(p, response) : null;
        };
        if (main != null) {
            events.add(main);
        }
        AuditEvent denial = p.denied == null ? null : denial(p, response.errorCounts());
        if (denial != null) {
            events.add(denial);
        }
        if (p.api != ApiKeys.FETCH) {
            events.forEach(audit::note);
            return DONE;
        }
        return switch (events.size()) {
            case 0 -> DONE; // a Fetch that returned no records: nothing to wait for
            case 1 -> audit.record(events.get(0));
            default -> CompletableFuture.allOf(events.stream().map(audit::record).toArray(CompletableFuture[]::new));
        };
    }

    private AuditEvent produced(Pending p, ProduceResponseData data) {
        AuditEvent.Builder e = start(p, AuditEventType.PRODUCE).latencyMs(elapsedMs(p));
        Map<String, PartitionDetail> sent = new LinkedHashMap<>(p.produced);
        short firstError = 0;
        for (ProduceResponseData.TopicProduceResponse topic : data.responses()) {
            String name = topicNames.nameOf(topic.name(), topic.topicId());
            for (ProduceResponseData.PartitionProduceResponse part : topic.partitionResponses()) {
                PartitionDetail asked = sent.remove(name + ":" + part.index());
                long count = asked == null ? 0 : asked.recordCount();
                long bytes = asked == null ? 0 : asked.bytes();
                boolean stored = part.errorCode() == 0 && part.baseOffset() >= 0 && count > 0;
                long first = stored ? part.baseOffset() : PartitionDetail.UNKNOWN;
                long last = stored ? part.baseOffset() + count - 1 : PartitionDetail.UNKNOWN;
                long firstTs = asked == null ? PartitionDetail.UNKNOWN : asked.firstTimestamp();
                long lastTs = asked == null ? PartitionDetail.UNKNOWN : asked.lastTimestamp();
                if (stored && part.logAppendTimeMs() >= 0) {
                    firstTs = part.logAppendTimeMs();
                    lastTs = part.logAppendTimeMs();
                }
                if (firstError == 0) {
                    firstError = part.errorCode();
                }
                e.partition(new PartitionDetail(name, part.index(), part.errorCode(), count, bytes, first, last, firstTs, lastTs));
            }
        }
        e.partitions(new ArrayList<>(sent.values()));
        if (firstError != 0) {
            e.outcome(firstError, Errors.forCode(firstError).message());
        }
        return e.build();
    }

    /**
     * The consume event of a Fetch response, or null when it returned no record bytes. A partition whose bytes hold
     * only the start of a batch (Kafka cuts a response at its size limits, and the consumer fetches the batch again)
     * is listed all the same, by its bytes: they reach the client, so fail-closed holds them for the event too.
     */
    private AuditEvent consumed(Pending p, FetchResponseData data) {
        List<PartitionDetail> parts = fetched(data, null);
        if (parts.isEmpty()) {
            return null;
        }
        return start(p, AuditEventType.CONSUME).latencyMs(elapsedMs(p)).partitions(parts).build();
    }

    /**
     * Fail-closed: a Fetch response whose records were withheld from the client, answered KAFKA_STORAGE_ERROR instead,
     * because their consume event could not be written to every sink. The sinks that took it would otherwise show the
     * records as read; this event, noted like an outcome, says they were not: the same partitions and offsets, each
     * with KAFKA_STORAGE_ERROR, and {@code not_forwarded}. Called before the records are removed from {@code data}.
     */
    public void withheld(Pending p, FetchResponseData data, String failure) {
        List<PartitionDetail> parts = fetched(data, Errors.KAFKA_STORAGE_ERROR);
        if (parts.isEmpty()) {
            return;
        }
        audit.note(start(p, AuditEventType.CONSUME).latencyMs(elapsedMs(p)).partitions(parts)
                .detail("not_forwarded", "audit_unavailable")
                .outcome(Errors.KAFKA_STORAGE_ERROR.code(), "records withheld: their audit event could not be written ("
                        + failure + "); answered KAFKA_STORAGE_ERROR, which consumers retry")
                .build());
    }

    /** The partitions of a Fetch response that returned record bytes, with their error or {@code error} when set. */
    private List<PartitionDetail> fetched(FetchResponseData data, Errors error) {
        List<PartitionDetail> parts = new ArrayList<>();
        for (FetchResponseData.FetchableTopicResponse topic : data.responses()) {
            String name = topicNames.nameOf(topic.topic(), topic.topicId());
            for (FetchResponseData.PartitionData part : topic.partitions()) {
                Records records = (Records) part.records();
                if (records == null || records.sizeInBytes() == 0) {
                    continue;
                }
                short code = error == null ? part.errorCode() : error.code();
                parts.add(PartitionDetail.fromRecords(name, part.partitionIndex(), code, records));
            }
        }
        return parts;
    }

    private AuditEvent admin(Pending p, AbstractResponse response) {
        AuditEvent.Builder e = start(p, AuditEventType.ADMIN_ACTION).latencyMs(elapsedMs(p));
        Map<Errors, Integer> errors = response.errorCounts();
        for (Errors error : errors.keySet()) {
            if (error != Errors.NONE) {
                e.outcome(error.code(), error.message()).detail("errors", errorSummary(errors));
                break;
            }
        }
        return e.build();
    }

    private AuditEvent.Builder start(Pending p, AuditEventType type) {
        AuditEvent.Builder e = AuditEvent.builder(type, Instant.now())
                .principal(principal)
                .client(address, port)
                .clientId(p.clientId)
                .listener(listener)
                .api(p.api.name, p.version)
                .requestId(requestId(p.correlationId));
        p.details.forEach(e::detail);
        return e;
    }

    private String requestId(int correlationId) {
        return address + ":" + port + "#" + correlationId;
    }

    private static long elapsedMs(Pending p) {
        return (System.nanoTime() - p.startNanos) / 1_000_000;
    }

    private static String errorSummary(Map<Errors, Integer> errors) {
        StringBuilder s = new StringBuilder();
        errors.forEach((error, n) -> {
            if (error != Errors.NONE) {
                s.append(s.isEmpty() ? "" : ",").append(error.name()).append('=').append(n);
            }
        });
        return s.toString();
    }

    /**
     * The request as Kafka's JSON form (the generated converter of its message class), without configuration
     * values, salts or salted passwords, cut at {@link #MAX_SUMMARY_CHARS}.
     */
    static String summary(ApiMessage body, short version) {
        try {
            Class<?> converter = Class.forName(body.getClass().getName() + "JsonConverter");
            JsonNode json = (JsonNode) converter.getMethod("write", body.getClass(), short.class).invoke(null, body, version);
            redact(json);
            String text = json.toString();
            return text.length() <= MAX_SUMMARY_CHARS ? text : text.substring(0, MAX_SUMMARY_CHARS) + "...";
        } catch (ReflectiveOperationException | RuntimeException e) {
            return body.getClass().getSimpleName();
        }
    }

    private static void redact(JsonNode node) {
        if (node instanceof ObjectNode o) {
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (REDACTED_FIELDS.contains(field.getKey()) && !field.getValue().isContainerNode()) {
                    o.put(field.getKey(), "(redacted)");
                } else {
                    redact(field.getValue());
                }
            }
        } else if (node instanceof ArrayNode a) {
            a.forEach(ConnectionAudit::redact);
        }
    }

    /** A request whose events wait for its response. */
    public static final class Pending {
        private final ApiKeys api;
        private final short version;
        private final int correlationId;
        private final String clientId;
        private final long startNanos = System.nanoTime();
        private final Map<String, PartitionDetail> produced = new LinkedHashMap<>();
        private final Map<String, String> details = new LinkedHashMap<>();
        private List<String> denied;
        /** Produce partitions the policy removed before forwarding, with their refusal. */
        private final Map<String, Errors> withheld = new HashMap<>();

        private Pending(ApiKeys api, short version, int correlationId, String clientId) {
            this.api = api;
            this.version = version;
            this.correlationId = correlationId;
            this.clientId = clientId;
        }

        /** The event type of the request itself, or null when only a refusal is watched for. */
        AuditEventType type() {
            if (api == ApiKeys.PRODUCE) {
                return AuditEventType.PRODUCE;
            }
            if (api == ApiKeys.FETCH) {
                return AuditEventType.CONSUME;
            }
            return ADMIN_APIS.contains(api) ? AuditEventType.ADMIN_ACTION : null;
        }


    }
}
