package io.warden.authn.store;

import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * SCRAM users kept in AWS Secrets Manager the way Amazon MSK keeps them: one secret per user, named
 * {@code AmazonMSK_*}, whose value is {@code {"username": ..., "password": ...}}. The passwords are turned into salted
 * SCRAM-SHA-256 and SCRAM-SHA-512 credentials as soon as they are read and are not kept.
 *
 * <p>All AWS calls run on the store's own daemon thread ({@value #THREAD_NAME}), never on a caller's thread: the first
 * refresh on {@link #start()}, then one every refresh interval. A refresh reads only the secrets whose
 * {@code AWSCURRENT} version changed, and publishes its result as one immutable snapshot, so lookups never block and
 * never see half a refresh. When Secrets Manager cannot be reached, refuses access or keeps throttling past the SDK's
 * retries, the refresh fails, is logged and counted, and the last good users keep working. A secret that cannot be a
 * user is skipped on its own, with one log line naming it (never its value).
 */
public final class SecretsManagerStore implements CredentialStore, AutoCloseable {

    static final String THREAD_NAME = "warden-secrets-refresh";
    private static final Logger LOG = LoggerFactory.getLogger(SecretsManagerStore.class);
    private static final int MAX_REASON_LENGTH = 300;

    private final SecretsManagerSettings settings;
    private final String description;
    private final DefaultCredentialsProvider ownedCredentials;
    private final SecretsManagerClient client;
    private final SecretsManagerRefresh refresh;
    private final ScheduledThreadPoolExecutor executor;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicLong refreshes = new AtomicLong();
    private final AtomicLong refreshFailures = new AtomicLong();
    private volatile SecretsSnapshot snapshot = SecretsSnapshot.EMPTY;
    private volatile Instant lastSuccessfulRefresh;

    /** Builds the client; nothing is read until {@link #start()} or {@link #refreshNow()}. */
    public SecretsManagerStore(SecretsManagerSettings settings) {
        this.settings = settings;
        this.description = settings.describe();
        this.ownedCredentials = settings.credentialsProvider() == null ? DefaultCredentialsProvider.builder().build()
                : null;
        AwsCredentialsProvider credentials = ownedCredentials != null ? ownedCredentials
                : settings.credentialsProvider();
        this.client = SecretsManagerClientFactory.create(settings, credentials);
        this.refresh = new SecretsManagerRefresh(client, settings);
        this.executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, THREAD_NAME);
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * Runs the first refresh and schedules the next ones every refresh interval. The future completes when the first
     * refresh is done, exceptionally if it failed; the schedule goes on either way, so a gateway may start with no
     * users and pick them up once Secrets Manager answers.
     *
     * @throws IllegalStateException when called twice
     */
    public CompletableFuture<Void> start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("store " + description + " already started");
        }
        CompletableFuture<Void> first = refreshNow();
        long intervalMs = settings.refreshInterval().toMillis();
        try {
            executor.scheduleWithFixedDelay(this::scheduledRefresh, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("store " + description + " is closed"));
        }
        LOG.info("event=secrets_store_started store={} region={} refresh_interval_s={} iterations={}", description,
                settings.region(), settings.refreshInterval().toSeconds(), settings.iterations());
        return first;
    }

    /**
     * Queues a refresh on the store's thread (after any running one). The future completes when it is done,
     * exceptionally with the SDK's exception if it failed, in which case the previous users stay in force.
     */
    public CompletableFuture<Void> refreshNow() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    refreshOnce();
                    done.complete(null);
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                } catch (Error e) {
                    done.completeExceptionally(e);
                    throw e;
                }
            });
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(new IllegalStateException("store " + description + " is closed"));
        }
        return done;
    }

    private void scheduledRefresh() {
        try {
            refreshOnce();
        } catch (RuntimeException e) {
            // already logged and counted; the schedule must go on
        }
    }

    private void refreshOnce() {
        refreshes.incrementAndGet();
        long startNs = System.nanoTime();
        SecretsSnapshot previous = snapshot;
        try {
            SecretsManagerRefresh.Outcome outcome = refresh.run(previous);
            snapshot = outcome.snapshot();
            lastSuccessfulRefresh = Instant.now();
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            if (outcome.usersChanged() || outcome.fetched() > 0 || previous == SecretsSnapshot.EMPTY) {
                LOG.info("event=secrets_refreshed store={} users={} skipped={} fetched={} took_ms={}", description,
                        outcome.snapshot().users().size(), outcome.snapshot().skipped().size(), outcome.fetched(),
                        tookMs);
            } else {
                LOG.debug("event=secrets_refreshed store={} users={} skipped={} fetched=0 took_ms={}", description,
                        outcome.snapshot().users().size(), outcome.snapshot().skipped().size(), tookMs);
            }
        } catch (RuntimeException e) {
            long failures = refreshFailures.incrementAndGet();
            LOG.warn("event=secrets_refresh_failed store={} reason={} failures={} last_success={} users_kept={}",
                    description, SecretsManagerRefresh.quoted(reason(e)), failures, lastSuccessfulRefresh,
                    previous.users().size());
            throw e;
        }
    }

    @Override
    public Optional<ScramCredential> credential(String username, ScramMechanism mechanism) {
        if (username == null || mechanism == null) {
            return Optional.empty();
        }
        SecretEntry entry = snapshot.users().get(username);
        return entry == null ? Optional.empty() : Optional.ofNullable(entry.credentials().get(mechanism));
    }

    @Override
    public Set<String> users() {
        return snapshot.users().keySet();
    }

    @Override
    public String describe() {
        return description;
    }

    /** Refreshes attempted so far, successful or not. */
    public long refreshes() {
        return refreshes.get();
    }

    /** Refreshes that failed as a whole (the previous users were kept). */
    public long refreshFailures() {
        return refreshFailures.get();
    }

    /** When the last refresh succeeded; null before the first success. */
    @Override
    public Instant lastSuccessfulRefresh() {
        return lastSuccessfulRefresh;
    }

    /**
     * Secrets that currently provide no user: malformed, binary, unreadable, naming a user another secret already
     * provides, or (with explicit names) not found.
     */
    public int skippedSecrets() {
        return snapshot.skipped().size();
    }

    /** Stops refreshing and releases the HTTP client. Lookups keep answering from the last snapshot. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("event=secrets_store_close_timeout store={}", description);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        client.close();
        if (ownedCredentials != null) {
            ownedCredentials.close();
        }
    }

    /**
     * Reads one secret's {@code username} and {@code password} once, e.g. the gateway's own identity towards the
     * upstream cluster. Blocking (network): call it at startup or off any event loop. Uses the region, endpoint and
     * credentials of {@code settings}; prefix, names and interval do not matter here.
     *
     * @param secretId the secret's name or ARN
     * @throws IllegalStateException when the secret is binary or not {@code {"username","password"}} JSON (the
     *                               message never contains the value)
     * @throws software.amazon.awssdk.core.exception.SdkException when Secrets Manager fails or refuses
     */
    public static UsernamePassword readSecret(SecretsManagerSettings settings, String secretId) {
        DefaultCredentialsProvider owned = settings.credentialsProvider() == null
                ? DefaultCredentialsProvider.builder().build() : null;
        try (SecretsManagerClient client = SecretsManagerClientFactory.create(settings,
                owned != null ? owned : settings.credentialsProvider())) {
            GetSecretValueResponse response = client.getSecretValue(b -> b.secretId(secretId));
            if (response.secretString() == null) {
                throw new IllegalStateException("secret " + secretId + " is binary; expected SecretString JSON");
            }
            return MskSecretValue.parse(response.secretString());
        } catch (MalformedSecretException e) {
            throw new IllegalStateException("secret " + secretId + " is not usable: " + e.getMessage());
        } finally {
            if (owned != null) {
                owned.close();
            }
        }
    }

    @Override
    public String toString() {
        return "SecretsManagerStore[" + description + ", users=" + snapshot.users().size() + "]";
    }

    /**
     * A one-line reason for the failure log. A service error carries its AWS error code and message, which never hold
     * a secret value; for anything else only the exception types are given, plus the message of a network error, so
     * that no parser message quoting a response body can reach the log.
     */
    static String reason(Throwable failure) {
        StringBuilder reason = new StringBuilder();
        if (failure instanceof SecretFetchException fetch) {
            reason.append("GetSecretValue secret=").append(fetch.secretName()).append(": ");
            failure = fetch.getCause();
        }
        if (failure instanceof AwsServiceException service && service.awsErrorDetails() != null) {
            reason.append(service.awsErrorDetails().errorCode()).append(" (HTTP ").append(service.statusCode())
                    .append("): ").append(service.awsErrorDetails().errorMessage());
        } else {
            reason.append(failure.getClass().getSimpleName());
            Throwable root = failure;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            if (root != failure) {
                reason.append(" caused by ").append(root.getClass().getSimpleName());
            }
            if (root instanceof IOException && root.getMessage() != null) {
                reason.append(": ").append(root.getMessage());
            }
        }
        String text = reason.toString().replaceAll("\\s+", " ");
        return text.length() > MAX_REASON_LENGTH ? text.substring(0, MAX_REASON_LENGTH) + "..." : text;
    }
}
