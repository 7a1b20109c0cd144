package io.warden.gateway.audit;

import io.warden.audit.AuditEvent;
import io.warden.audit.AuditEventType;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditSink;
import io.warden.audit.FileSink;
import io.warden.audit.KafkaSink;
import io.warden.audit.OcsfEncoder;
import io.warden.audit.StdoutSink;
import io.warden.gateway.config.AuditConfig;
import io.warden.policies.PolicyDocument;
import io.warden.policies.store.PolicyVersion;
import org.apache.kafka.clients.producer.ProducerConfig;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

/**
 * The gateway's audit trail: the {@link AuditLog} every connection records to, or nothing when auditing is not
 * configured ({@link #OFF}). Thread-safe; recording never blocks.
 */
public final class GatewayAudit implements AutoCloseable {

    /** No auditing: every call is a no-op. */
    public static final GatewayAudit OFF = new GatewayAudit(null);

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final AuditLog log;

    private GatewayAudit(AuditLog log) {
        this.log = log;
    }

    /** Opens the configured sinks and starts the writer; {@link #OFF} for a null configuration. */
    public static GatewayAudit open(AuditConfig config) throws IOException {
        if (config == null) {
            return OFF;
        }
        List<AuditSink> sinks = new ArrayList<>();
        try {
            if (config.file() != null) {
                sinks.add(new FileSink(config.file()));
            }
            if (config.stdout()) {
                sinks.add(new StdoutSink());
            }
            if (config.kafka() != null) {
                Properties p = new Properties();
                p.putAll(config.kafka().properties());
                p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", config.kafka().bootstrapServers()));
                sinks.add(new KafkaSink(config.kafka().topic(), p));
            }
        } catch (IOException | RuntimeException e) {
            for (AuditSink s : sinks) {
                try {
                    s.close();
                } catch (IOException | RuntimeException ignored) {
                    // the first failure is the one reported
                }
            }
            throw e;
        }
        String version = GatewayAudit.class.getPackage().getImplementationVersion();
        return new GatewayAudit(new AuditLog(config.mode(), config.queueCapacity(), config.queueMaxBytes(), config.maxBatch(), sinks,
                new OcsfEncoder(version == null ? "dev" : version)));
    }

    public boolean on() {
        return log != null;
    }

    /** True when requests wait for their events to be durably written (fail-closed). */
    public boolean failClosed() {
        return log != null && log.mode() == AuditLog.Mode.FAIL_CLOSED;
    }

    /**
     * Records an event: in fail-closed mode the future completes once it is durably written and fails when it
     * cannot be; in best-effort mode it is already complete.
     */
    public CompletableFuture<Void> record(AuditEvent event) {
        return log == null ? DONE : log.record(event);
    }

    /**
     * Records an event nobody waits for: in best-effort mode it may be dropped (and counted); in fail-closed mode it
     * reaches the disk with the next event that is waited for, before any later audited request is forwarded.
     */
    public void note(AuditEvent event) {
        if (log != null) {
            log.note(event);
        }
    }

    /** A policy version took effect on this gateway: which one, who made it, and what it holds. */
    public void policyChanged(PolicyVersion version, String source) {
        if (log == null) {
            return;
        }
        PolicyDocument policy = version.document();
        note(AuditEvent.builder(AuditEventType.POLICY_CHANGE, Instant.now())
                .principal(version.author().isEmpty() ? null : version.author())
                .detail("version", Long.toString(version.version()))
                .detail("source", source)
                .detail("comment", version.comment())
                .detail("acl_bindings", Integer.toString(policy.bindings().size()))
                .detail("super_users", String.join(",", policy.superUsers()))
                .detail("allow_everyone_if_no_acl_found", Boolean.toString(policy.allowEveryoneIfNoAclFound()))
                .build());
    }

    /**
     * New byte-rate quotas took effect on this gateway.
     *
     * @param quotas what they are, entity by entity, as {@code DescribeClientQuotas} tells them; empty for none
     * @param source where they came from
     */
    public void quotasChanged(String quotas, String source) {
        note(AuditEvent.builder(AuditEventType.POLICY_CHANGE, Instant.now())
                .detail("source", source)
                .detail("quotas", quotas)
                .build());
    }

    /** Events written to every sink, dropped (best effort), or refused or lost (fail-closed); zero when off. */
    public long written() {
        return log == null ? 0 : log.written();
    }

    /** Events waiting to be written; zero when off. */
    public int queued() {
        return log == null ? 0 : log.queued();
    }

    /** Why the audit trail cannot take events now, or null when it can (or is off). */
    public String unavailableReason() {
        return log == null ? null : log.unavailableReason();
    }

    public long dropped() {
        return log == null ? 0 : log.dropped();
    }

    public long failed() {
        return log == null ? 0 : log.failed();
    }

    /** Writes every queued event, then closes the sinks. */
    @Override
    public void close() {
        if (log != null) {
            log.close();
        }
    }
}
