package io.warden.gateway.it;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.AppInfoParser;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A client program run by {@link LegacyJavaClientIT} in a JVM of its own, on an old kafka-clients jar (2.8) instead of
 * the one the tests are built with, so it uses only API that both have. It administers, produces and consumes through
 * the gateway as one SCRAM user and prints what happened as {@code key=value} lines.
 * <p>
 * Arguments: bootstrap, user, password.
 */
public final class LegacyJavaClient {

    static final String TOPIC = "legacy.orders";
    static final String DENIED_TOPIC = "other";
    static final List<String> COMPRESSION = List.of("none", "gzip", "snappy", "lz4", "zstd");
    static final int PER_COMPRESSION = 20;
    static final int COMMITTED = 10;
    static final int ABORTED = 5;

    private LegacyJavaClient() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, Object> base = new HashMap<>();
        base.put("bootstrap.servers", args[0]);
        base.put("security.protocol", "SASL_PLAINTEXT");
        base.put("sasl.mechanism", "SCRAM-SHA-512");
        base.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + args[1] + "\" password=\"" + args[2] + "\";");
        System.out.println("version=" + AppInfoParser.getVersion());

        try (Admin admin = Admin.create(base)) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
            for (Node node : admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)) {
                System.out.println("node=" + node.host() + ":" + node.port());
            }
            System.out.println("topics=" + new TreeSet<>(admin.listTopics().names().get(30, TimeUnit.SECONDS)));

            AclBinding readers = new AclBinding(new ResourcePattern(ResourceType.TOPIC, TOPIC, PatternType.LITERAL),
                    new AccessControlEntry("User:reader", "*", AclOperation.READ, AclPermissionType.ALLOW));
            admin.createAcls(List.of(readers)).all().get(30, TimeUnit.SECONDS);
            AclBindingFilter onTopic = new AclBindingFilter(
                    new ResourcePatternFilter(ResourceType.TOPIC, TOPIC, PatternType.LITERAL), AccessControlEntryFilter.ANY);
            System.out.println("acls=" + admin.describeAcls(onTopic).values().get(30, TimeUnit.SECONDS));
            Collection<AclBinding> deleted = admin.deleteAcls(List.of(onTopic)).all().get(30, TimeUnit.SECONDS);
            System.out.println("aclsDeleted=" + deleted.size());
        }

        int produced = 0;
        for (String compression : COMPRESSION) {
            Map<String, Object> c = new HashMap<>(base);
            c.put("compression.type", compression);
            c.put("enable.idempotence", "true");
            c.put("acks", "all");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(c, new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < PER_COMPRESSION; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, i % 3, "k" + i, compression + "-" + i)).get(30, TimeUnit.SECONDS);
                    produced++;
                }
                if (compression.equals("none")) {
                    try {
                        producer.send(new ProducerRecord<>(DENIED_TOPIC, "k", "v")).get(30, TimeUnit.SECONDS);
                        System.out.println("denied=none");
                    } catch (ExecutionException e) {
                        System.out.println("denied=" + e.getCause().getClass().getSimpleName());
                    }
                }
            }
        }
        System.out.println("produced=" + produced);

        Map<String, Object> tx = new HashMap<>(base);
        tx.put("transactional.id", "legacy-tx");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(tx, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < COMMITTED; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % 3, "t", "committed-" + i));
            }
            producer.commitTransaction();
            producer.beginTransaction();
            for (int i = 0; i < ABORTED; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % 3, "t", "aborted-" + i));
            }
            producer.flush();
            producer.abortTransaction();
        }
        System.out.println("transactions=done");

        Map<String, Object> c = new HashMap<>(base);
        c.put("group.id", "legacy-group");
        c.put("auto.offset.reset", "earliest");
        c.put("enable.auto.commit", "false");
        c.put("isolation.level", "read_committed");
        int expected = produced + COMMITTED;
        int consumed = 0;
        int aborted = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (consumed < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    consumed++;
                    if (r.value().startsWith("aborted-")) {
                        aborted++;
                    }
                }
            }
            consumer.commitSync();
        }
        System.out.println("consumed=" + consumed);
        System.out.println("abortedSeen=" + aborted);

        // a new member of the group resumes from the committed offsets: nothing is left to read
        int again = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
            while (System.nanoTime() < deadline) {
                again += consumer.poll(Duration.ofMillis(500)).count();
            }
            System.out.println("assignedAfterCommit=" + consumer.assignment().size());
        }
        System.out.println("readAfterCommit=" + again);
    }
}
