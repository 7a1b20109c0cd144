package io.warden.policies.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.warden.policies.LogText;
import io.warden.policies.PolicyDocument;
import io.warden.policies.PolicyException;
import io.warden.policies.PolicyParser;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The policy in a compacted Kafka topic, so that several gateways share one policy and one history.
 *
 * <p>The topic has one partition and {@code cleanup.policy=compact}; the store creates it if it is missing (with
 * the configured replication factor, by default the smaller of 3 and the number of brokers). Each record is one
 * proposed change: the key is the change's unique id (so compaction never removes one), the value JSON in UTF-8:
 *
 * <pre>
 * {"format":1,"changeId":"5f0c...","baseVersion":7,"author":"User:alice","time":"2026-11-25T21:00:00.123Z",
 *  "comment":"orders: bob may read","yaml":"superUsers: [User:admin]\n..."}
 * </pre>
 *
 * {@code baseVersion} is the version the change was made against, {@code -1} for {@link #ANY_VERSION}, {@code 0} for
 * the first policy of an empty topic. Every reader applies the records in log order with the same rule, so every
 * gateway numbers the versions the same: a change whose base is the current version (or {@code -1}) becomes the next
 * version; any other is rejected (someone else's change came first); a record that is not such JSON, or whose YAML
 * is not a valid policy, is skipped and logged ({@code event=policy_record_skipped}). Write nothing else to the
 * topic, and never a tombstone: compaction would remove the change it names, and readers started later would count
 * differently.
 *
 * <p>{@link #apply} checks the expected version against this store's current one first (a fast conflict), then
 * writes the record (acks=all, idempotent) and waits until this store's reader has read it, and returns the version
 * it became or throws the {@link PolicyConflictException} it met. The reader is a thread of its own that follows the
 * topic from its beginning without a consumer group and tells the listeners about each new version, on that thread,
 * in order. The constructor returns once the reader has read the whole topic as it was at start, so
 * {@link #current()} is right from the first call; an empty topic is first given the initial policy as version 1.
 * When two gateways start on an empty topic together, both propose it against version 0 and the one first in the
 * log wins for both.
 *
 * <p>Client properties (TLS, SASL) go to the producer, the consumer and the admin client; they are never logged.
 */
public final class KafkaPolicyStore extends AbstractPolicyStore {

    /** The author of the first version of an empty topic. */
    public static final String SEED_AUTHOR = "seed";
    /** The base version of the first change to an empty topic. */
    static final long EMPTY = 0;
    static final int FORMAT = 1;
    /**
     * The most a change's record may take on the topic, compressed: the {@code max.message.bytes} of a topic the store
     * creates, 64 MiB (the broker's {@code socket.request.max.bytes} is 100 MiB by default). Records are compressed
     * with gzip; a policy's YAML shrinks to a fraction of its size, so any policy the parser takes fits.
     */
    public static final int MAX_RECORD_BYTES = 64 * 1024 * 1024;
    /**
     * The most a change's record may take before compression, which is what the producer measures: the largest
     * policy YAML ({@link PolicyParser#MAX_YAML_BYTES}) with JSON escaping of each line break, and the other fields.
     */
    static final int MAX_UNCOMPRESSED_RECORD_BYTES = 2 * PolicyParser.MAX_YAML_BYTES + 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(KafkaPolicyStore.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration RETRY = Duration.ofSeconds(1);
    /** How much longer than its delivery timeout the producer is given to report a record's outcome. */
    private static final Duration DELIVERY_MARGIN = Duration.ofSeconds(5);

    /**
     * Where the policy topic is and how to reach it.
     *
     * @param bootstrapServers  the Kafka cluster
     * @param topic             the policy topic, one partition, compacted
     * @param clientProperties  further Kafka client settings (security.protocol, ssl.*, sasl.*) for the producer,
     *                          consumer and admin client; the store's own settings (serializers, acks, idempotence,
     *                          no consumer group) take precedence
     * @param replicationFactor for a topic the store creates; 0 for the smaller of 3 and the number of brokers
     * @param timeout           how long the start (topic, reading it, the first version) and each change may take
     */
    public record Settings(String bootstrapServers, String topic, Map<String, String> clientProperties,
                           int replicationFactor, Duration timeout) {

        public static final String DEFAULT_TOPIC = "warden-policy";
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

        public Settings {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            Objects.requireNonNull(topic, "topic");
            clientProperties = Map.copyOf(clientProperties);
            Objects.requireNonNull(timeout, "timeout");
            if (topic.isBlank()) {
                throw new IllegalArgumentException("the policy topic needs a name");
            }
            if (replicationFactor < 0 || replicationFactor > Short.MAX_VALUE) {
                throw new IllegalArgumentException("replicationFactor must be 0 (automatic) or more, was "
                        + replicationFactor);
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, was " + timeout);
            }
        }

        /** The topic {@value #DEFAULT_TOPIC}, no further client properties, automatic replication, 30 s. */
        public static Settings of(String bootstrapServers) {
            return new Settings(bootstrapServers, DEFAULT_TOPIC, Map.of(), 0, DEFAULT_TIMEOUT);
        }

        public Settings withTopic(String topic) {
            return new Settings(bootstrapServers, topic, clientProperties, replicationFactor, timeout);
        }

        public Settings withClientProperties(Map<String, String> clientProperties) {
            return new Settings(bootstrapServers, topic, clientProperties, replicationFactor, timeout);
        }

        public Settings withReplicationFactor(int replicationFactor) {
            return new Settings(bootstrapServers, topic, clientProperties, replicationFactor, timeout);
        }

        public Settings withTimeout(Duration timeout) {
            return new Settings(bootstrapServers, topic, clientProperties, replicationFactor, timeout);
        }

        /** Names the client properties but not their values, which may be passwords. */
        @Override
        public String toString() {
            return "Settings[bootstrapServers=" + bootstrapServers + ", topic=" + topic + ", clientProperties="
                    + new TreeSet<>(clientProperties.keySet()) + ", replicationFactor=" + replicationFactor
                    + ", timeout=" + timeout + "]";
        }
    }

    /** What the log says about one record; every reader comes to the same. */
    private sealed interface Outcome {
    }

    private record Accepted(String changeId, PolicyVersion version) implements Outcome {
    }

    private record Rejected(String changeId, long baseVersion, long currentVersion) implements Outcome {
    }

    private record Skipped(String changeId, String reason) implements Outcome {
    }

    private final Settings settings;
    private final TopicPartition partition;
    private final String clientId;
    private final Map<String, CompletableFuture<PolicyVersion>> pending = new ConcurrentHashMap<>();
    private final Object progress = new Object();
    private KafkaProducer<byte[], byte[]> producer;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread reader;
    /** The offset the reader reads next; guarded by {@link #progress}. */
    private long readUpTo;
    private volatile boolean closed;
    private final AtomicBoolean closeCalled = new AtomicBoolean();
    /** The end of the topic at start: records before it are history, read quietly. */
    private volatile long startEnd;
    /** The reader's last error, logged once until it reads again; reader thread only. */
    private String lastError;

    /** Opens the store, giving an empty topic {@code initial} as version 1. */
    public KafkaPolicyStore(Settings settings, PolicyDocument initial) {
        this(settings, initial == null ? null : VersionHistory.yamlOf(initial), true);
    }

    /**
     * Opens the store: creates the topic if it is missing, reads it to its end, and gives an empty topic
     * {@code initialYaml} (which must be a valid policy) as version 1.
     *
     * @param initialYaml the first policy, used only when the topic has none; may be null when the topic is known
     *                    to have one
     * @throws PolicyStoreException when the topic cannot be created or read within the timeout, or is empty and
     *                              there is no initial policy
     * @throws PolicyException      when {@code initialYaml} is not a valid policy
     */
    public KafkaPolicyStore(Settings settings, String initialYaml) {
        this(settings, initialYaml, false);
    }

    private KafkaPolicyStore(Settings settings, String initialYaml, boolean initialChecked) {
        super(Objects.requireNonNull(settings, "settings").topic());
        this.settings = settings;
        if (initialYaml != null && !initialChecked) {
            PolicyParser.parse("initial policy", initialYaml);
        }
        this.partition = new TopicPartition(settings.topic(), 0);
        this.clientId = "warden-policy-" + INSTANCES.incrementAndGet();
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        try {
            ensureTopic(deadline);
            consumer = new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            producer = new KafkaProducer<>(producerProperties(settings, clientId), new ByteArraySerializer(), new ByteArraySerializer());
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), remaining(deadline)).get(partition);
            long beginning = consumer.beginningOffsets(List.of(partition), remaining(deadline)).get(partition);
            if (beginning > 0) {
                // Keys are unique, so compaction never removes a change: these were deleted (retention, DeleteRecords).
                throw new PolicyStoreException("the policy topic " + settings.topic() + " has lost its first " + beginning
                        + " records (retention or DeleteRecords), so its versions cannot be counted as the other gateways"
                        + " count them; refusing to start from it. Restore the topic, or create a new one");
            }
            startEnd = end;
            reader = new Thread(this::read, "warden-policy-reader | " + clientId);
            reader.setDaemon(true);
            reader.start();
            awaitRead(end, deadline);
            if (versions.currentNumber() == 0 && end > 0) {
                throw new PolicyStoreException("the policy topic " + settings.topic() + " holds " + end + " records and"
                        + " none of them starts a policy history (version 1); refusing to start over from the local"
                        + " policy file beside another history");
            }
            if (versions.currentNumber() == 0) {
                seed(initialYaml, deadline);
            }
        } catch (RuntimeException e) {
            close();
            if (e instanceof KafkaException) {
                throw new PolicyStoreException("cannot open the policy topic " + settings.topic() + ": " + e, e);
            }
            throw e;
        }
        LOG.info("event=policy_store_opened topic={} version={} versions_read={}", settings.topic(),
                versions.current().version(), versions.currentNumber());
    }

    /** The settings the store was opened with. */
    public Settings settings() {
        return settings;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The record is given the timeout to be written ({@code delivery.timeout.ms}); the producer does not send it
     * again after that. A {@link PolicyStoreException} says whether the change may still become a version (which the
     * listeners will then be told): when the record was written but the reader did not get to it within the
     * timeout, or when the broker did not answer (it may have written the record all the same). Otherwise nothing
     * changed.
     *
     * @throws IllegalStateException when called from a listener (on the reader thread, which it would wait for)
     */
    @Override
    public PolicyVersion apply(PolicyDocument document, long expectedVersion, String author, String comment)
            throws PolicyConflictException {
        ensureOpen();
        if (Thread.currentThread() == reader) {
            throw new IllegalStateException("a listener of the policy store cannot change the policy on its thread");
        }
        String yaml = VersionHistory.yamlOf(document);
        long current = versions.currentNumber();
        if (expectedVersion != ANY_VERSION && expectedVersion != current) {
            throw new PolicyConflictException(expectedVersion, current);
        }
        return propose(expectedVersion, yaml, author, comment, System.nanoTime() + settings.timeout().toNanos());
    }

    /** Stops the reader (waiting for a listener call in progress) and closes the clients. */
    @Override
    public void close() {
        if (!closeCalled.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        if (reader != null && reader.isAlive()) {
            consumer.wakeup();
            if (Thread.currentThread() != reader) {
                try {
                    reader.join(settings.timeout().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (reader.isAlive()) {
                    LOG.warn("event=policy_reader_stuck topic={} reason=\"a listener did not return within {}\"",
                            settings.topic(), settings.timeout());
                }
            }
        } else if (consumer != null && reader == null) {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        pending.values().forEach(f -> f.completeExceptionally(new PolicyStoreException("the policy store is closed")));
    }

    /** The prefix of the client ids (and thread names) of this store's Kafka clients. */
    String clientId() {
        return clientId;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the policy store is closed: " + settings.topic());
        }
    }

    // ---- start ---------------------------------------------------------------------------------------------------

    private void ensureTopic(long deadline) {
        Map<String, Object> props = common();
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId + "-admin");
        try (Admin admin = Admin.create(props)) {
            try {
                TopicDescription topic = get(admin.describeTopics(List.of(settings.topic())).topicNameValues()
                        .get(settings.topic()), deadline);
                if (topic.partitions().size() != 1) {
                    LOG.warn("event=policy_topic_unexpected topic={} partitions={} reason=\"the store reads and writes"
                            + " partition 0 only\"", settings.topic(), topic.partitions().size());
                }
                checkTopicConfig(admin, deadline);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw new PolicyStoreException("cannot describe the policy topic " + settings.topic() + ": "
                            + e.getCause(), e.getCause());
                }
                createTopic(admin, deadline);
            }
        }
    }

    private void createTopic(Admin admin, long deadline) {
        try {
            int replicas = settings.replicationFactor() > 0 ? settings.replicationFactor()
                    : Math.min(3, get(admin.describeCluster().nodes(), deadline).size());
            NewTopic topic = new NewTopic(settings.topic(), 1, (short) replicas)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                            TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_RECORD_BYTES)));
            get(admin.createTopics(List.of(topic)).all(), deadline);
            LOG.info("event=policy_topic_created topic={} partitions=1 replication_factor={} cleanup_policy=compact"
                    + " max_message_bytes={}", settings.topic(), replicas, MAX_RECORD_BYTES);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new PolicyStoreException("cannot create the policy topic " + settings.topic() + ": "
                        + e.getCause(), e.getCause());
            }
            // another gateway created it first
        }
    }

    private void checkTopicConfig(Admin admin, long deadline) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, settings.topic());
        try {
            Config config = get(admin.describeConfigs(List.of(resource)).all(), deadline).get(resource);
            ConfigEntry cleanup = config == null ? null : config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
            if (cleanup != null && cleanup.value().contains(TopicConfig.CLEANUP_POLICY_DELETE)) {
                LOG.warn("event=policy_topic_unexpected topic={} cleanup_policy={} reason=\"with the delete policy,"
                        + " retention deletes old changes, and a gateway started after that refuses the topic\"",
                        settings.topic(), cleanup.value());
            }
            ConfigEntry maxBytes = config == null ? null : config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
            if (maxBytes != null && maxBytes.value() != null && Long.parseLong(maxBytes.value()) < MAX_RECORD_BYTES) {
                LOG.warn("event=policy_topic_unexpected topic={} max_message_bytes={} reason=\"a change whose record is"
                        + " larger, compressed, is refused; the store sets {} on a topic it creates\"", settings.topic(),
                        maxBytes.value(), MAX_RECORD_BYTES);
            }
        } catch (ExecutionException e) {
            LOG.debug("event=policy_topic_config_unknown topic={} reason=\"{}\"", settings.topic(),
                    LogText.quote(String.valueOf(e.getCause())));
        }
    }

    private void awaitRead(long offset, long deadline) {
        synchronized (progress) {
            while (readUpTo < offset) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !reader.isAlive()) {
                    throw new PolicyStoreException("could not read the policy topic " + settings.topic() + " up to"
                            + " offset " + offset + " within " + settings.timeout() + " (read up to " + readUpTo + ")");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(progress, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new PolicyStoreException("interrupted while reading the policy topic", e);
                }
            }
        }
    }

    /** Gives an empty topic its first version; when another store got there first, its version 1 stands. */
    private void seed(String initialYaml, long deadline) {
        if (initialYaml == null) {
            throw new PolicyStoreException("the policy topic " + settings.topic() + " has no policy and no initial"
                    + " policy was given");
        }
        try {
            propose(EMPTY, initialYaml, SEED_AUTHOR, "the initial policy of an empty topic", deadline);
        } catch (PolicyConflictException e) {
            LOG.info("event=policy_seed_not_needed topic={} reason=\"another store gave the topic its first"
                    + " version\"", settings.topic());
        }
    }

    // ---- changes -------------------------------------------------------------------------------------------------

    /** Writes a change and waits for the reader to decide it. */
    private PolicyVersion propose(long baseVersion, String yaml, String author, String comment, long deadline)
            throws PolicyConflictException {
        String changeId = UUID.randomUUID().toString();
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("format", FORMAT);
        value.put("changeId", changeId);
        value.put("baseVersion", baseVersion);
        value.put("author", author == null ? "" : author);
        value.put("time", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
        value.put("comment", comment == null ? "" : comment);
        value.put("yaml", yaml);
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a policy change as JSON", e);
        }
        if (bytes.length > MAX_UNCOMPRESSED_RECORD_BYTES) {
            throw new PolicyStoreException("the change is " + bytes.length + " bytes as a record of the policy topic,"
                    + " more than the " + MAX_UNCOMPRESSED_RECORD_BYTES + " a change may have before compression");
        }
        CompletableFuture<PolicyVersion> outcome = new CompletableFuture<>();
        pending.put(changeId, outcome);
        try {
            RecordMetadata written = delivered(changeId, bytes);
            try {
                return get(outcome, deadline);
            } catch (PolicyStoreException e) {
                throw new PolicyStoreException("change " + changeId + " was written to " + settings.topic() + " at"
                        + " offset " + written.offset() + " but this store did not read it back: " + e.getMessage()
                        + "; it may still become a version", e.getCause());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof PolicyConflictException c) {
                    throw new PolicyConflictException(c.expectedVersion(), c.currentVersion());
                }
                if (e.getCause() instanceof PolicyStoreException s) {
                    throw new PolicyStoreException(s.getMessage(), s);
                }
                throw new PolicyStoreException("change " + changeId + " failed: " + e.getCause(), e.getCause());
            }
        } finally {
            pending.remove(changeId);
        }
    }

    /**
     * Sends a change and waits for the producer's own outcome, which its {@code delivery.timeout.ms} (the store's
     * timeout) bounds: once the producer has given a record up it never sends it again, so a change reported as not
     * written cannot become a version later unless the broker took it before the producer gave up. That case, a
     * retriable failure such as the broker not answering in time, is reported as such.
     */
    private RecordMetadata delivered(String changeId, byte[] bytes) {
        Future<RecordMetadata> sent = producer.send(new ProducerRecord<>(settings.topic(), 0,
                changeId.getBytes(StandardCharsets.UTF_8), bytes));
        try {
            return sent.get(settings.timeout().plus(DELIVERY_MARGIN).toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RecordTooLargeException) {
                throw new PolicyStoreException("the policy topic " + settings.topic() + " refused the change as too"
                        + " large (" + bytes.length + " bytes before compression): its max.message.bytes is below"
                        + " what the store sets on a topic it creates; set max.message.bytes=" + MAX_RECORD_BYTES
                        + " on the topic (kafka-configs --alter --entity-type topics --add-config)", cause);
            }
            if (cause instanceof RetriableException) {
                throw new PolicyStoreException("change " + changeId + " was not acknowledged by the policy topic "
                        + settings.topic() + " within " + settings.timeout() + " (" + cause + "); the producer has"
                        + " given it up, but a broker may have written it before that: it may still become a version,"
                        + " which the listeners will be told", cause);
            }
            throw new PolicyStoreException("cannot write the change to the policy topic " + settings.topic() + ": "
                    + cause + "; nothing changed", cause);
        } catch (TimeoutException e) {
            throw new PolicyStoreException("change " + changeId + " was neither acknowledged nor given up by the"
                    + " producer within " + settings.timeout().plus(DELIVERY_MARGIN) + "; it may still become a"
                    + " version, which the listeners will be told", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PolicyStoreException("interrupted while writing change " + changeId + "; it may still become"
                    + " a version, which the listeners will be told", e);
        }
    }

    /** The future's value within the deadline; a timeout or interruption is a {@link PolicyStoreException}. */
    private <T> T get(Future<T> future, long deadline) throws ExecutionException {
        try {
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new PolicyStoreException("no answer within " + settings.timeout(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PolicyStoreException("interrupted", e);
        }
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    // ---- the reader ----------------------------------------------------------------------------------------------

    private void read() {
        try {
            while (!closed) {
                long position;
                try {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        take(r);
                    }
                    position = consumer.position(partition, POLL);
                    lastError = null;
                } catch (WakeupException e) {
                    break;
                } catch (KafkaException e) {
                    readFailed(e);
                    continue;
                }
                synchronized (progress) {
                    readUpTo = position;
                    progress.notifyAll();
                }
            }
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
        }
    }

    private void readFailed(KafkaException e) {
        String error = String.valueOf(e);
        if (!error.equals(lastError)) {
            LOG.warn("event=policy_read_failed topic={} version={} reason=\"{}\" action=\"retrying; the current"
                    + " version stays\"", settings.topic(), versions.currentNumber(), LogText.quote(error));
            lastError = error;
        }
        try {
            Thread.sleep(RETRY.toMillis());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /** One record, in log order: decided, then the listeners told, then the waiting {@link #apply} answered. */
    private void take(ConsumerRecord<byte[], byte[]> record) {
        Outcome outcome;
        try {
            outcome = decide(record, versions.currentNumber());
        } catch (RuntimeException e) {
            outcome = new Skipped(null, "cannot be read: " + e);
        }
        boolean history = record.offset() < startEnd;
        if (outcome instanceof Accepted a) {
            versions.append(a.version());
            if (!history) {
                versions.logApplied(a.version());
            }
            versions.tell(a.version());
            complete(a.changeId(), f -> f.complete(a.version()));
        } else if (outcome instanceof Rejected r) {
            LOG.atLevel(history ? Level.DEBUG : Level.INFO).log("event=policy_change_rejected topic={} offset={}"
                    + " change={} base_version={} current_version={}", settings.topic(), record.offset(), r.changeId(),
                    r.baseVersion(), r.currentVersion());
            complete(r.changeId(), f -> f.completeExceptionally(
                    new PolicyConflictException(r.baseVersion(), r.currentVersion())));
        } else if (outcome instanceof Skipped s) {
            LOG.warn("event=policy_record_skipped topic={} offset={} change={} reason=\"{}\"", settings.topic(),
                    record.offset(), s.changeId(), LogText.quote(s.reason()));
            complete(s.changeId(), f -> f.completeExceptionally(
                    new PolicyStoreException("the change was skipped by every reader: " + s.reason())));
        }
    }

    private void complete(String changeId, Consumer<CompletableFuture<PolicyVersion>> how) {
        CompletableFuture<PolicyVersion> f = changeId == null ? null : pending.get(changeId);
        if (f != null) {
            how.accept(f);
        }
    }

    /**
     * The rule every reader applies to a record, given the current version: the same record and version give the
     * same outcome everywhere.
     */
    private Outcome decide(ConsumerRecord<byte[], byte[]> record, long current) {
        if (record.value() == null) {
            return new Skipped(null, "no value (a tombstone)");
        }
        JsonNode change;
        try {
            change = JSON.readTree(record.value());
        } catch (java.io.IOException e) {
            return new Skipped(null, "not JSON");
        }
        if (change == null || !change.isObject()) {
            return new Skipped(null, "not a JSON object");
        }
        String changeId = change.path("changeId").isTextual() ? change.path("changeId").asText() : null;
        if (change.path("format").asInt(-1) != FORMAT) {
            return new Skipped(changeId, "format " + change.path("format") + " is not " + FORMAT);
        }
        JsonNode base = change.path("baseVersion");
        JsonNode yaml = change.path("yaml");
        if (changeId == null || !base.isIntegralNumber() || !yaml.isTextual() || !change.path("time").isTextual()) {
            return new Skipped(changeId, "changeId, baseVersion, time or yaml missing");
        }
        Instant time;
        try {
            time = Instant.parse(change.path("time").asText());
        } catch (DateTimeParseException e) {
            return new Skipped(changeId, "time is not an ISO-8601 instant");
        }
        PolicyDocument document;
        try {
            document = PolicyParser.parse(settings.topic() + "@" + record.offset(), yaml.asText());
        } catch (PolicyException e) {
            return new Skipped(changeId, e.getMessage());
        }
        long baseVersion = base.asLong();
        if (baseVersion != ANY_VERSION && baseVersion != current) {
            return new Rejected(changeId, baseVersion, current);
        }
        return new Accepted(changeId, new PolicyVersion(current + 1, yaml.asText(), document,
                change.path("author").asText(""), time, change.path("comment").asText("")));
    }

    // ---- client settings -----------------------------------------------------------------------------------------

    private Map<String, Object> common() {
        return common(settings);
    }

    private static Map<String, Object> common(Settings settings) {
        Map<String, Object> props = new HashMap<>(settings.clientProperties());
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        return props;
    }

    /** The producer's settings: the client properties, then the store's own. */
    static Map<String, Object> producerProperties(Settings settings, String clientId) {
        Map<String, Object> props = common(settings);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId + "-writer");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, settings.timeout().toMillis());
        // The producer retries a record until its delivery timeout (two minutes by default), long after apply has
        // answered: bounded by the store's timeout, a change reported as failed is not written later.
        int timeoutMs = (int) Math.max(1, Math.min(Integer.MAX_VALUE, settings.timeout().toMillis()));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 30_000));
        // Each record holds a whole policy: compressed on the wire and on the topic, and measured uncompressed by the
        // producer, whose default limits (1 MiB a request, 32 MiB of buffer) would refuse a policy of about 12,000 ACLs.
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_UNCOMPRESSED_RECORD_BYTES);
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, (long) MAX_UNCOMPRESSED_RECORD_BYTES);
        props.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        return props;
    }

    private Map<String, Object> consumerProperties() {
        Map<String, Object> props = common();
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-reader");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return props;
    }
}
