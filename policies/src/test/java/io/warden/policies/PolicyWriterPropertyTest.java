package io.warden.policies;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random valid policies written and read back grant exactly the same, and the text depends only on the rules.
 * Principals and names come from small pools per policy (so that bindings share principals and resources and get
 * gathered into entries), mixing plain names, names YAML would misread unquoted, and random Unicode.
 */
class PolicyWriterPropertyTest {

    private static final List<String> AWKWARD = List.of("CN=app,OU=team", "a:b", "a::b", "x:", ":x", "#tag", "a #b",
            "a# b", "null", "NULL", "~", "- x", "-x", "[x]", "{x}", "x]", "&a", "!t", "%p", "@at", "`b`", "'q'",
            "\"dq\"", "back\\slash", "tab\tin", "line\nbreak", "cr\rlf", "nel\u0085in", "ls\u2028in", "bom\uFEFFin",
            "\u0001ctl", "del\u007F", "a: b", "?q", "|", ">", "...", "---", "ünïcødé", "名前", "emoji \uD83D\uDE00",
            "lone \uDC00 surrogate", "yes", "off", "<<", "=", "2024", "0x1F", "1e3", ".inf", "a,b", "a, b", "é");
    private static final List<String> HOSTS = List.of("*", "*", "10.0.0.1", "10.20.0.0/16", "0.0.0.0/0",
            "0:0:0:0:0:0:0:1", "fd00:0:0:0:0:0:0:0/8");

    @Property(tries = 400)
    void aWrittenPolicyReadsBackToTheSameRules(@ForAll("documents") PolicyDocument doc) {
        String yaml = PolicyWriter.toYaml(doc);

        PolicyDocument back = PolicyParser.parse("written", yaml);

        assertThat(back.sameRulesAs(doc)).as("rules of\n%s", yaml).isTrue();
        assertThat(back.warnings()).as("warnings of\n%s", yaml).isEmpty();
        assertThat(PolicyWriter.toYaml(back)).isEqualTo(yaml);
    }

    @Property(tries = 200)
    void theTextDependsOnlyOnTheRules(@ForAll("documents") PolicyDocument doc, @ForAll long seed) {
        List<AclBinding> shuffled = new ArrayList<>(doc.bindings());
        Collections.shuffle(shuffled, new Random(seed));
        List<String> superUsers = new ArrayList<>(doc.superUsers());
        Collections.shuffle(superUsers, new Random(seed));

        PolicyDocument reordered = new PolicyDocument(new LinkedHashSet<>(superUsers), doc.allowEveryoneIfNoAclFound(),
                shuffled);

        assertThat(PolicyWriter.toYaml(reordered)).isEqualTo(PolicyWriter.toYaml(doc));
    }

    /** Any text at all, written as a scalar, is read back by YAML as that text, in each place the writer puts one. */
    @Property(tries = 2000)
    void aScalarReadsBackAsItsText(@ForAll("anyText") String text) {
        String scalar = PolicyWriter.scalar(text);

        assertThat(scalarAt(compose("key: " + scalar + "\n"), "block")).isEqualTo(text);
        assertThat(scalarAt(compose("key: [" + scalar + ", x]\n"), "flow list")).isEqualTo(text);
        assertThat(scalarAt(compose("key: {prefix: " + scalar + "}\n"), "flow mapping")).isEqualTo(text);
        assertThat(scalarAt(compose("key:\n  - " + scalar + "\n"), "block list")).isEqualTo(text);
    }

    private static Node compose(String yaml) {
        return new Yaml().compose(new StringReader(yaml));
    }

    private static String scalarAt(Node root, String where) {
        Node value = ((MappingNode) root).getValue().get(0).getValueNode();
        if (value instanceof SequenceNode seq) {
            value = seq.getValue().get(0);
        } else if (value instanceof MappingNode map) {
            value = map.getValue().get(0).getValueNode();
        }
        ScalarNode scalar = (ScalarNode) value;
        boolean readAsNull = Tag.NULL.equals(scalar.getTag())
                && scalar.getScalarStyle() == org.yaml.snakeyaml.DumperOptions.ScalarStyle.PLAIN;
        assertThat(readAsNull).as("read as null in a %s", where).isFalse();
        return scalar.getValue();
    }

    @Provide
    Arbitrary<String> anyText() {
        return Arbitraries.oneOf(Arbitraries.of(AWKWARD), Arbitraries.strings().all().ofMaxLength(16),
                Arbitraries.strings().withChars(" :#*,-[]{}\"'\\&!?|>%@`\t\n").ofMaxLength(6),
                Arbitraries.strings().alpha().numeric().withChars("._-:/=@+*").ofMaxLength(12));
    }

    /** A name allowed for groups, transactional ids, tokens and in principals: not empty, no spaces at the ends. */
    private static Arbitrary<String> names() {
        return Arbitraries.oneOf(
                        Arbitraries.of(AWKWARD),
                        Arbitraries.strings().alpha().numeric().withChars("._-").ofMinLength(1).ofMaxLength(10),
                        Arbitraries.strings().all().ofMinLength(1).ofMaxLength(10))
                .filter(n -> !n.isEmpty() && n.strip().equals(n));
    }

    private static Arbitrary<String> topicNames() {
        return Arbitraries.strings().alpha().numeric().withChars("._-").ofMinLength(1).ofMaxLength(20)
                .filter(n -> !n.equals(".") && !n.equals(".."));
    }

    @Provide
    Arbitrary<PolicyDocument> documents() {
        Arbitrary<List<String>> principalPools = names().map(n -> "User:" + n).list().ofMinSize(1).ofMaxSize(4)
                .map(pool -> {
                    List<String> withEveryone = new ArrayList<>(pool);
                    withEveryone.add("User:*");
                    return withEveryone;
                });
        Arbitrary<List<ResourcePattern>> resourcePools = resources().list().ofMinSize(1).ofMaxSize(6);
        return Combinators.combine(principalPools, resourcePools, Arbitraries.longs(), Arbitraries.integers()
                        .between(0, 30), Arbitraries.of(true, false))
                .as(PolicyWriterPropertyTest::document);
    }

    private static PolicyDocument document(List<String> principals, List<ResourcePattern> resources, long seed,
                                           int size, boolean allowEveryone) {
        Random random = new Random(seed);
        List<AclBinding> bindings = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            ResourcePattern resource = resources.get(random.nextInt(resources.size()));
            List<AclOperation> ops = List.copyOf(ResourceKind.of(resource.resourceType()).orElseThrow().operations());
            bindings.add(new AclBinding(resource, new AccessControlEntry(
                    principals.get(random.nextInt(principals.size())),
                    HOSTS.get(random.nextInt(HOSTS.size())),
                    ops.get(random.nextInt(ops.size())),
                    random.nextInt(4) == 0 ? AclPermissionType.DENY : AclPermissionType.ALLOW)));
        }
        LinkedHashSet<String> superUsers = new LinkedHashSet<>();
        for (String p : principals) {
            if (!p.equals("User:*") && !p.contains(";") && random.nextInt(3) == 0) {
                superUsers.add(p);
            }
        }
        return new PolicyDocument(superUsers, allowEveryone, List.copyOf(new LinkedHashSet<>(bindings)));
    }

    private static Arbitrary<ResourcePattern> resources() {
        Arbitrary<PatternType> pattern = Arbitraries.of(PatternType.LITERAL, PatternType.PREFIXED);
        return Arbitraries.oneOf(
                Combinators.combine(topicNames(), pattern).as((n, p) -> new ResourcePattern(
                        org.apache.kafka.common.resource.ResourceType.TOPIC, n, p)),
                Arbitraries.of(ResourceKind.GROUP, ResourceKind.TRANSACTIONAL_ID, ResourceKind.DELEGATION_TOKEN)
                        .flatMap(kind -> Combinators.combine(names().filter(n -> !n.contains("*")), pattern)
                                .as((n, p) -> new ResourcePattern(kind.type(), n, p))),
                Combinators.combine(names().filter(n -> !n.contains("*")), pattern).as((n, p) -> new ResourcePattern(
                        org.apache.kafka.common.resource.ResourceType.USER, "User:" + n, p)),
                Arbitraries.of(ResourceKind.TOPIC, ResourceKind.GROUP, ResourceKind.TRANSACTIONAL_ID,
                        ResourceKind.DELEGATION_TOKEN).map(kind -> new ResourcePattern(kind.type(), "*",
                        PatternType.LITERAL)),
                Arbitraries.just(new ResourcePattern(org.apache.kafka.common.resource.ResourceType.CLUSTER,
                        "kafka-cluster", PatternType.LITERAL)));
    }
}
