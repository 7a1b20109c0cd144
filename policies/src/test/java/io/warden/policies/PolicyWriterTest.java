package io.warden.policies;

import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static io.warden.policies.Acl.allow;
import static io.warden.policies.Acl.deny;
import static io.warden.policies.Acl.of;
import static org.apache.kafka.common.acl.AclOperation.ALL;
import static org.apache.kafka.common.acl.AclOperation.CREATE_TOKENS;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.IDEMPOTENT_WRITE;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.resource.PatternType.LITERAL;
import static org.apache.kafka.common.resource.PatternType.PREFIXED;
import static org.apache.kafka.common.resource.ResourceType.CLUSTER;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PolicyWriterTest {

    private static PolicyDocument roundTrip(PolicyDocument doc) {
        String yaml = PolicyWriter.toYaml(doc);
        PolicyDocument back = PolicyParser.parse("written", yaml);
        assertThat(back.sameRulesAs(doc)).as("rules of\n%s", yaml).isTrue();
        assertThat(back.warnings()).as("warnings of\n%s", yaml).isEmpty();
        return back;
    }

    @Test
    void everyExamplePolicyRoundTrips() throws IOException {
        List<Path> examples;
        try (Stream<Path> files = Files.list(Path.of("examples"))) {
            examples = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(examples).hasSizeGreaterThanOrEqualTo(3);
        for (Path example : examples) {
            PolicyDocument doc = PolicyParser.load(example);
            PolicyDocument back = roundTrip(doc);
            assertThat(PolicyWriter.toYaml(back)).as(example.toString()).isEqualTo(PolicyWriter.toYaml(doc));
        }
    }

    /** Past SnakeYAML's default of 3 MiB of text, well within the bindings a policy may have. */
    @Test
    void fiftyThousandDistinctAclsRoundTrip() {
        List<AclBinding> bindings = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            bindings.add(allow("User:team-" + i, READ, TOPIC, "orders.team-" + i, LITERAL));
        }
        PolicyDocument doc = new PolicyDocument(Set.of(), false, bindings);
        String yaml = PolicyWriter.toYaml(doc);
        assertThat(yaml.length()).isGreaterThan(3 * 1024 * 1024);

        PolicyDocument back = roundTrip(doc);
        assertThat(back.bindings()).hasSize(bindings.size());
        assertThat(Set.copyOf(back.bindings())).isEqualTo(Set.copyOf(bindings));
    }

    @Test
    void theDemoPolicyIsWrittenAsTwoEntries() {
        PolicyDocument doc = PolicyParser.load(Path.of("examples", "demo.yaml"));

        assertThat(PolicyWriter.toYaml(doc)).isEqualTo("""
                superUsers: [User:admin]
                allowEveryoneIfNoAclFound: false
                acls:
                  - principal: User:alice
                    operations: [write, create, describe]
                    topic: {prefix: orders.}
                  - principal: User:bob
                    operations: [read]
                    topic: {prefix: orders.}
                    group: billing
                """);
    }

    @Test
    void principalsWithTheSameGrantsShareAnEntryAndDenyHostAndWildcardAreWritten() {
        PolicyDocument doc = new PolicyDocument(Set.of(), true, List.of(
                allow("User:b", READ, TOPIC, "t", LITERAL),
                allow("User:a", READ, TOPIC, "t", LITERAL),
                of("User:*", "10.1.0.0/16", ALL, AclPermissionType.DENY, TOPIC, "*", LITERAL),
                allow("User:c", IDEMPOTENT_WRITE, CLUSTER, "kafka-cluster", LITERAL),
                allow("User:c", CREATE_TOKENS, USER, "User:d", LITERAL)));

        assertThat(PolicyWriter.toYaml(doc)).isEqualTo("""
                superUsers: []
                allowEveryoneIfNoAclFound: true
                acls:
                  - principal: User:*
                    host: 10.1.0.0/16
                    permission: deny
                    operations: [all]
                    topic: "*"
                  - principals: [User:a, User:b]
                    operations: [read]
                    topic: t
                  - principal: User:c
                    operations: [idempotent_write]
                    cluster: true
                  - principal: User:c
                    operations: [create_tokens]
                    user: User:d
                """);
        roundTrip(doc);
    }

    @Test
    void resourcesWithDifferentOperationsGetEntriesOfTheirOwn() {
        PolicyDocument doc = new PolicyDocument(Set.of(), false, List.of(
                allow("User:a", READ, TOPIC, "x", LITERAL),
                allow("User:a", WRITE, TOPIC, "x", LITERAL),
                allow("User:a", READ, TOPIC, "y", PREFIXED),
                allow("User:a", READ, GROUP, "g", LITERAL),
                allow("User:a", DESCRIBE, GROUP, "g", LITERAL)));

        assertThat(PolicyWriter.toYaml(doc)).isEqualTo("""
                superUsers: []
                allowEveryoneIfNoAclFound: false
                acls:
                  - principal: User:a
                    operations: [read, write]
                    topic: x
                  - principal: User:a
                    operations: [read]
                    topic: {prefix: y}
                  - principal: User:a
                    operations: [read, describe]
                    group: g
                """);
        roundTrip(doc);
    }

    @Test
    void namesThatYamlWouldMisreadAreQuoted() {
        List<String> groups = List.of("CN=a,OU=b", "a:b", "x:", "#tag", "a #b", "null", "~", "- x", "[x]",
                "{x}", "&a", "!t", "%p", "@at", "'q'", "\"dq\"", "back\\slash", "tab\tin", "line\nbreak", "nel\u0085in",
                "ls\u2028in", "bom\uFEFFin", "\u0001ctl", "a: b", "?q", "|", ">", "...", "ünïcødé", "名前",
                "emoji \uD83D\uDE00", "lone \uD800 surrogate", "yes", "<<", "2024", "0x1F");
        List<AclBinding> bindings = new ArrayList<>();
        for (String g : groups) {
            bindings.add(allow("User:CN=" + g + ",OU=b", READ, GROUP, g, LITERAL));
            bindings.add(deny("User:" + g, READ, GROUP, g, PREFIXED));
        }
        PolicyDocument doc = new PolicyDocument(Set.of("User:CN=admin,OU=ops", "User:x:y", "User:#1"), false,
                bindings);

        String yaml = PolicyWriter.toYaml(doc);

        assertThat(yaml).contains("superUsers: [\"User:#1\", \"User:CN=admin,OU=ops\", User:x:y]\n");
        assertThat(yaml).contains("principal: \"User:CN=a:b,OU=b\"\n", "principal: User:a:b\n");
        assertThat(yaml).contains("group: \"名前\"\n", "group: {prefix: \"line\\nbreak\"}\n", "group: \"null\"\n",
                "group: \"\\x01ctl\"\n", "group: \"bom\\uFEFFin\"\n", "group: \"lone \\uD800 surrogate\"\n");
        roundTrip(doc);
    }

    @Test
    void longListsGoOneItemPerLine() {
        List<AclBinding> bindings = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            bindings.add(allow("User:a", READ, TOPIC, "a-rather-long-topic-name-" + i, LITERAL));
        }
        String yaml = PolicyWriter.toYaml(new PolicyDocument(Set.of(), false, bindings));

        assertThat(yaml).contains("    topics:\n      - a-rather-long-topic-name-0\n      - a-rather-long-topic-name-1\n");
        assertThat(yaml.lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(100));
        roundTrip(new PolicyDocument(Set.of(), false, bindings));
    }

    @Test
    void theOrderOfTheBindingsDoesNotChangeTheText() {
        PolicyDocument doc = PolicyParser.load(Path.of("examples", "teams.yaml"));
        List<AclBinding> shuffled = new ArrayList<>(doc.bindings());
        Collections.shuffle(shuffled, new java.util.Random(7));
        Collections.reverse(shuffled);

        assertThat(PolicyWriter.toYaml(new PolicyDocument(doc.superUsers(), false, shuffled)))
                .isEqualTo(PolicyWriter.toYaml(doc));
    }

    @Test
    void anEmptyPolicySaysSo() {
        String yaml = PolicyWriter.toYaml(new PolicyDocument(Set.of(), false, List.of()));

        assertThat(yaml).isEqualTo("superUsers: []\nallowEveryoneIfNoAclFound: false\nacls: []\n");
        roundTrip(new PolicyDocument(Set.of(), false, List.of()));
    }

    @Test
    void filterOnlyValuesCannotBeWritten() {
        assertThatThrownBy(() -> PolicyWriter.toYaml(doc(of("User:a", "*", AclOperation.ANY, AclPermissionType.ALLOW,
                TOPIC, "t", LITERAL)))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ANY");
        assertThatThrownBy(() -> PolicyWriter.toYaml(doc(of("User:a", "*", READ, AclPermissionType.ALLOW,
                TOPIC, "t", PatternType.MATCH)))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MATCH");
        assertThatThrownBy(() -> PolicyWriter.toYaml(doc(of("User:a", "*", READ, AclPermissionType.ALLOW,
                ResourceType.ANY, "t", LITERAL)))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ANY");
    }

    @Test
    void aDocumentThatBreaksTheRulesIsWrittenAndTheParserSaysWhy() {
        String yaml = PolicyWriter.toYaml(doc(allow("User:a", WRITE, GROUP, "g", LITERAL)));

        assertThatThrownBy(() -> PolicyParser.parse("written", yaml)).isInstanceOf(PolicyException.class)
                .hasMessageContaining("operation 'write' does not apply to groups");
    }

    private static PolicyDocument doc(AclBinding... bindings) {
        return new PolicyDocument(Set.of(), false, List.of(bindings));
    }
}
