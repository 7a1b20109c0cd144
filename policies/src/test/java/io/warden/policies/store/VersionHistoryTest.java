package io.warden.policies.store;

import io.warden.policies.PolicyDocument;
import io.warden.policies.PolicyParser;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class VersionHistoryTest {

    private static final Instant TIME = Instant.parse("2026-11-27T08:00:00Z");

    private static String policy(int acls) {
        StringBuilder yaml = new StringBuilder("superUsers: [User:admin]\nacls:\n");
        for (int i = 0; i < acls; i++) {
            yaml.append("  - principal: User:team-").append(i).append("\n    operations: [read]\n    topic: orders.team-")
                    .append(i).append('\n');
        }
        return yaml.toString();
    }

    /** What was given to the history, reachable only through it once this returns. */
    private record Given(WeakReference<String> yaml, WeakReference<PolicyDocument> document) {
    }

    private static Given append(VersionHistory history, long number, String text) {
        String yaml = new String(text.toCharArray());
        PolicyDocument document = PolicyParser.parse("v" + number, yaml);
        history.append(new PolicyVersion(number, yaml, document, "User:alice", TIME, "edit " + number));
        return new Given(new WeakReference<>(yaml), new WeakReference<>(document));
    }

    @Test
    void olderVersionsReadBackAsGivenWhileOnlyTheCurrentOneKeepsItsParsedDocument() {
        VersionHistory history = new VersionHistory("test");
        String first = policy(2_000);
        String second = policy(2_001);
        Given kept = append(history, 1, first);
        assertThat(kept.document().get()).as("the current version keeps its document").isNotNull();
        append(history, 2, second);

        PolicyVersion old = history.get(1).orElseThrow();
        assertThat(old.yaml()).isEqualTo(first);
        assertThat(old.document()).isEqualTo(PolicyParser.parse("v1", first));
        assertThat(old.document().bindings()).hasSize(2_000);
        assertThat(List.of(old.version(), old.author(), old.time(), old.comment(), old.etag()))
                .containsExactly(1L, "User:alice", TIME, "edit 1", "\"v1\"");
        assertThat(old).isEqualTo(new PolicyVersion(1, first, PolicyParser.parse("v1", first), "User:alice", TIME, "edit 1"));
        assertThat(history.current().yaml()).isEqualTo(second);
        assertThat(history.all()).extracting(PolicyVersion::version).containsExactly(1L, 2L);

        // Neither the parsed document nor the text as given is held for a version that is no longer current.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            System.gc();
            return kept.document().get() == null && kept.yaml().get() == null;
        });
        assertThat(history.get(1).orElseThrow().yaml()).isEqualTo(first);
    }
}
