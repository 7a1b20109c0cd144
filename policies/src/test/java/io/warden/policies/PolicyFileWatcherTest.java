package io.warden.policies;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.warden.policies.Acl.allow;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.resource.PatternType.LITERAL;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolicyFileWatcherTest {

    private static final String READ_A = "acls:\n  - principal: User:a\n    operation: read\n    topic: aa\n";
    private static final String READ_B = "acls:\n  - principal: User:a\n    operation: read\n    topic: bb\n";
    private static final String BROKEN = "acls:\n  - principal: User:a\n    operations: [wirte]\n    topic: aa\n";

    @TempDir
    Path dir;
    private Path file;
    private final BlockingQueue<PolicyDocument> received = new LinkedBlockingQueue<>();
    private LogCapture log;
    private PolicyFileWatcher watcher;

    @BeforeEach
    void setUp() throws IOException {
        file = dir.resolve("policy.yaml");
        Files.writeString(file, READ_A);
        log = LogCapture.attach(PolicyFileWatcher.class.getName());
    }

    @AfterEach
    void tearDown() {
        if (watcher != null) {
            watcher.close();
        }
        log.close();
    }

    private PolicyFileWatcher started(Duration interval) {
        watcher = new PolicyFileWatcher(file, interval, received::add);
        watcher.start();
        return watcher;
    }

    /** Writes elsewhere and renames over the file, as editors, deploy tools and Kubernetes do. */
    private void replaceAtomically(String content) throws IOException {
        Path tmp = Files.writeString(dir.resolve("policy.yaml.tmp"), content);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void startLoadsTheFileOnTheCallersThreadAndHandsItOver() {
        started(Duration.ofHours(1));

        assertThat(received).hasSize(1);
        assertThat(received.peek().bindings()).containsExactly(allow("User:a", READ, TOPIC, "aa", LITERAL));
        assertThat(watcher.current()).isSameAs(received.peek());
        assertThat(log.lines()).containsExactly("INFO " + PolicyFileWatcher.class.getName()
                + " event=policy_loaded file=" + file + " bindings=1 super_users=0 allow_everyone_if_no_acl_found=false"
                + " warnings=0");
    }

    @Test
    void startFailsOnABadFileWithoutCallingTheConsumer() throws IOException {
        Files.writeString(file, BROKEN);
        watcher = new PolicyFileWatcher(file, Duration.ofHours(1), received::add);

        assertThatThrownBy(watcher::start).isInstanceOf(PolicyException.class)
                .hasMessageStartingWith(file + ":3:18: acls[0].operations[0]: unknown operation 'wirte'");
        assertThat(received).isEmpty();
    }

    @Test
    void anAtomicReplacementIsNoticedEvenWithTheSameSizeAndModificationTime() throws IOException {
        started(Duration.ofHours(1));
        FileTime before = Files.getLastModifiedTime(file);
        received.clear();

        replaceAtomically(READ_B);
        Files.setLastModifiedTime(file, before);

        assertThat(Files.size(file)).isEqualTo(READ_A.length());
        assertThat(watcher.checkNow()).isEqualTo(PolicyFileWatcher.Outcome.LOADED);
        assertThat(received).hasSize(1);
        assertThat(received.peek().bindings()).containsExactly(allow("User:a", READ, TOPIC, "bb", LITERAL));
        assertThat(watcher.current()).isSameAs(received.peek());
        assertThat(log.linesContaining("event=policy_loaded")).hasSize(2);
    }

    @Test
    void theWatcherThreadPicksUpAnEditByItself() throws Exception {
        started(Duration.ofMillis(20));
        received.clear();

        Files.writeString(file, READ_A.replace("read", "write"));

        PolicyDocument next = received.poll(10, TimeUnit.SECONDS);
        assertThat(next).isNotNull();
        assertThat(next.bindings()).containsExactly(allow("User:a", WRITE, TOPIC, "aa", LITERAL));
    }

    @Test
    void aBrokenEditIsRejectedOnceAndTheLastGoodPolicyStays() throws IOException {
        started(Duration.ofHours(1));
        PolicyDocument good = watcher.current();
        received.clear();

        replaceAtomically(BROKEN);

        assertThat(watcher.checkNow()).isEqualTo(PolicyFileWatcher.Outcome.REJECTED);
        assertThat(watcher.checkNow()).isEqualTo(PolicyFileWatcher.Outcome.UNCHANGED);
        assertThat(received).isEmpty();
        assertThat(watcher.current()).isSameAs(good);
        assertThat(log.linesContaining("event=policy_rejected")).containsExactly("WARN "
                + PolicyFileWatcher.class.getName() + " event=policy_rejected file=" + file + " reason=\"" + file
                + ":3:18: acls[0].operations[0]: unknown operation 'wirte' (did you mean write?); expected one of"
                + " [all, read, write, create, delete, alter, describe, cluster_action, describe_configs,"
                + " alter_configs, idempotent_write, create_tokens, describe_tokens, two_phase_commit]\""
                + " action=\"keeping the last good policy\"");

        replaceAtomically(READ_B);

        assertThat(watcher.checkNow()).isEqualTo(PolicyFileWatcher.Outcome.LOADED);
        assertThat(received).hasSize(1);
        assertThat(watcher.current().bindings()).containsExactly(allow("User:a", READ, TOPIC, "bb", LITERAL));
    }

    @Test
    void quotesInTheReasonAreEscapedSoTheLogLineStaysParseable() throws IOException {
        started(Duration.ofHours(1));

        replaceAtomically("acls:\n  - principal: User:a\n    operation: read\n    topics: [\"orders.*\"]\n");

        assertThat(watcher.checkNow()).isEqualTo(PolicyFileWatcher.Outcome.REJECTED);
        assertThat(log.linesContaining("event=policy_rejected")).singleElement().asString()
                .contains("reason=\"" + file + ":4:14: acls[0].topics[0]: 'orders.*' is not a pattern: names are"
                        + " literal, and only a lone \\\"*\\\" matches every name; write {prefix: orders.}\"");
    }

    @Test
    void aDeletedFileIsRejectedAndItsReturnLoaded() throws IOException {
        started(Duration.ofHours(1));
        received.clear();

        Files.delete(file);
        assertThat(watcher.checkNow()).isEqualTo(PolicyFileWatcher.Outcome.REJECTED);
        assertThat(log.linesContaining("event=policy_rejected")).singleElement().asString()
                .contains("reason=\"" + file + ": file not found\"");

        Files.writeString(file, READ_B);
        assertThat(watcher.checkNow()).isEqualTo(PolicyFileWatcher.Outcome.LOADED);
        assertThat(received).hasSize(1);
    }

    @Test
    void anEditThatGrantsTheSameIsNotHandedOver() throws IOException {
        started(Duration.ofHours(1));
        received.clear();

        replaceAtomically("# reviewed by the platform team\n" + READ_A);

        assertThat(watcher.checkNow()).isEqualTo(PolicyFileWatcher.Outcome.UNCHANGED);
        assertThat(received).isEmpty();
    }

    @Test
    void aConsumerThatFailsLeavesTheLastGoodPolicyInForce() throws IOException {
        watcher = new PolicyFileWatcher(file, Duration.ofHours(1), doc -> {
            if (doc.bindings().get(0).pattern().name().equals("bb")) {
                throw new IllegalStateException("authorizer refused");
            }
            received.add(doc);
        });
        watcher.start();
        PolicyDocument good = watcher.current();

        replaceAtomically(READ_B);

        assertThat(watcher.checkNow()).isEqualTo(PolicyFileWatcher.Outcome.REJECTED);
        assertThat(watcher.current()).isSameAs(good);
        assertThat(log.linesContaining("event=policy_apply_failed")).singleElement().asString()
                .contains("reason=\"java.lang.IllegalStateException: authorizer refused\"");
    }

    @Test
    void nothingIsHandedOverAfterClose() throws Exception {
        started(Duration.ofMillis(20));
        received.clear();

        watcher.close();
        replaceAtomically(READ_B);

        assertThat(received.poll(200, TimeUnit.MILLISECONDS)).isNull();
        assertThatThrownBy(watcher::checkNow).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void refusesANonPositiveInterval() {
        assertThatThrownBy(() -> new PolicyFileWatcher(file, Duration.ZERO, received::add))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
