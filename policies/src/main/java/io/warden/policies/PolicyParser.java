package io.warden.policies;

import org.apache.kafka.common.acl.AclBinding;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a policy file: YAML that people write and review in pull requests, expanded to Kafka ACL bindings.
 *
 * <pre>
 * # Kafka's ACL semantics: DENY beats ALLOW; READ, WRITE, DELETE and ALTER imply DESCRIBE; ...
 * superUsers: [User:admin]            # never checked against ACLs
 * allowEveryoneIfNoAclFound: false    # Kafka's allow.everyone.if.no.acl.found (MSK sets true)
 * acls:
 *   - principal: User:alice           # or principals: [User:alice, User:bob]; User:* is everyone
 *     host: "*"                       # the default; an IP address or a CIDR block; or hosts: [...]
 *     permission: allow               # the default; or deny
 *     operations: [write, describe]   # Kafka's operation names, any case; all; or operation: write
 *     topics: {prefix: orders.}       # every topic whose name starts with "orders."
 *   - principal: User:bob
 *     operations: [read]
 *     topics: [orders.eu, orders.us]  # literal names; "*" is the literal wildcard, all topics
 *     group: billing                  # one entry may name resources of several types
 * </pre>
 *
 * Resources are written with a key per type, one name ({@code topic}, {@code group}, {@code transactionalId},
 * {@code delegationToken}, {@code user}) or a list ({@code topics}, ...), where each name is literal or
 * {@code {prefix: NAME}}; {@code cluster: true} is the cluster. The explicit form
 * {@code resource: {type: topic, name: orders., patternType: prefixed}} (or {@code resources: [...]}) is Kafka's
 * ResourcePattern as is. An entry grants (or denies) each of its operations on each of its resources to each
 * principal from each host.
 *
 * <p>Everything is checked before anything is used: unknown or duplicate keys, operations that mean nothing for a
 * resource type, principals, hosts and names that could never match. The first problem is thrown as a
 * {@link PolicyException} naming file, line, column and field. A binding given twice is kept once and reported in
 * {@link PolicyDocument#warnings()}. The full reference is policies/README.md.
 *
 * <p>Stateless and thread-safe.
 */
public final class PolicyParser {

    static final List<String> TOP_LEVEL_KEYS = List.of("superUsers", "allowEveryoneIfNoAclFound", "acls");

    /**
     * The most ACL bindings one policy may expand to (each entry gives principals x hosts x operations x resources).
     * A policy of a few kilobytes could otherwise expand to millions and exhaust the gateway that checks it, whether
     * it comes from a file, the admin API or the shared policy topic.
     */
    public static final int MAX_BINDINGS = 250_000;

    /**
     * The largest policy text read, in bytes of a file and in characters (code points) of YAML given whole: 64 MiB.
     * {@link #MAX_BINDINGS} bindings as {@link PolicyWriter} writes them, one entry each with names of about 100
     * characters, take about 60 MiB; SnakeYAML's own default (3 MiB) held fewer than 40,000.
     */
    public static final int MAX_YAML_BYTES = 64 * 1024 * 1024;

    private PolicyParser() {
    }

    /** Reads and parses a UTF-8 file; messages name the file as given. */
    public static PolicyDocument load(Path file) {
        return parse(file.toString(), read(file));
    }

    /**
     * The text of a policy file, decoded as UTF-8; a missing or unreadable file, or one that is not UTF-8, is a
     * {@link PolicyException} naming the file as given.
     */
    public static String read(Path file) {
        String source = file.toString();
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_YAML_BYTES) {
                throw tooLarge(source, size + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new PolicyException(source, "file not found", e);
        } catch (IOException e) {
            throw new PolicyException(source, "cannot read: " + e.getMessage(), e);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new PolicyException(source, "not UTF-8 text", e);
        }
    }

    /** Parses policy YAML; {@code source} names it in messages (usually the file name). */
    public static PolicyDocument parse(String source, String yaml) {
        PolicyNode root = new PolicyNode(source, compose(source, yaml), "");
        Map<String, PolicyNode> fields = root.fields(
                "a policy: a mapping with superUsers, allowEveryoneIfNoAclFound and acls", TOP_LEVEL_KEYS);
        List<String> warnings = new ArrayList<>();
        Set<String> superUsers = superUsers(fields.get("superUsers"), warnings);
        boolean allowEveryone = fields.containsKey("allowEveryoneIfNoAclFound")
                && fields.get("allowEveryoneIfNoAclFound").bool();
        PolicyNode acls = fields.get("acls");
        if (acls == null) {
            throw root.fail("missing acls (a policy without ACLs says so with acls: [])");
        }
        Map<AclBinding, PolicyNode> bindings = new LinkedHashMap<>();
        for (PolicyNode entry : acls.items("a list of ACL entries")) {
            List<AclBinding> read = AclEntryReader.read(entry);
            if (bindings.size() + (long) read.size() > MAX_BINDINGS) {
                throw entry.fail("the policy expands to more than " + MAX_BINDINGS + " ACL bindings by this entry (it gives "
                        + read.size() + ", the entries before it " + bindings.size() + ")");
            }
            for (AclBinding binding : read) {
                PolicyNode first = bindings.putIfAbsent(binding, entry);
                if (first != null) {
                    String where = first == entry ? " in this entry" : "; first in " + first.path() + " at line "
                            + first.line();
                    warnings.add(entry.fail(AclListing.describe(binding) + " is given twice" + where).getMessage());
                }
            }
        }
        return new PolicyDocument(superUsers, allowEveryone, List.copyOf(bindings.keySet()), warnings);
    }

    private static Node compose(String source, String yaml) {
        if (yaml.length() > MAX_YAML_BYTES && yaml.codePointCount(0, yaml.length()) > MAX_YAML_BYTES) {
            throw tooLarge(source, yaml.codePointCount(0, yaml.length()) + " characters");
        }
        LoaderOptions options = new LoaderOptions();
        options.setAllowRecursiveKeys(false);
        options.setCodePointLimit(MAX_YAML_BYTES);
        Node node;
        try {
            node = new Yaml(options).compose(new StringReader(yaml));
        } catch (MarkedYAMLException e) {
            throw yamlError(source, e);
        } catch (YAMLException e) {
            throw new PolicyException(source, 0, 0, "", "not valid YAML: " + e.getMessage());
        }
        if (node == null) {
            throw new PolicyException(source, 0, 0, "",
                    "no policy in the file (it is empty or only comments); expected at least acls: [...]");
        }
        return node;
    }

    private static PolicyException tooLarge(String source, String size) {
        return new PolicyException(source, 0, 0, "", "the policy is " + size + ", more than the " + MAX_YAML_BYTES
                + " a policy may have (" + MAX_YAML_BYTES / (1024 * 1024) + " MiB, room for " + MAX_BINDINGS
                + " ACL bindings)");
    }

    private static PolicyException yamlError(String source, MarkedYAMLException e) {
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        String problem = e.getProblem() == null ? "" : e.getProblem();
        String text = oneLine(e.getContext() == null ? problem : e.getContext() + ", " + problem);
        if (text.contains("alias")) {
            text += " (a lone * starts a YAML alias; quote the wildcard: \"*\")";
        }
        int line = mark == null ? 0 : mark.getLine() + 1;
        int column = mark == null ? 0 : mark.getColumn() + 1;
        return new PolicyException(source, line, column, "", "not valid YAML: " + text);
    }

    /** SnakeYAML names an offending character by printing it; a message must stay on one line. */
    private static String oneLine(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
    }

    private static Set<String> superUsers(PolicyNode node, List<String> warnings) {
        Set<String> out = new LinkedHashSet<>();
        if (node == null) {
            return out;
        }
        if (node.isText()) {
            String text = node.text("a list");
            throw node.fail(text.contains(";")
                    ? "expected a list such as [" + text.replace(";", ", ") + "]; Kafka's super.users separates"
                    + " principals with ';', here each is its own list item"
                    : "expected a list such as [" + text + "]");
        }
        for (PolicyNode item : node.items("a list of principals such as [User:admin]")) {
            String text = item.text("a principal such as User:admin");
            if (text.contains(";")) {
                throw item.fail("one principal per list item; Kafka's super.users separates principals with ';',"
                        + " here each is its own item");
            }
            String principal = AclEntryReader.principal(item);
            if (principal.equals(Principals.USER_PREFIX + "*")) {
                throw item.fail("User:* as a super user matches only a user named '*' (Kafka compares super users"
                        + " exactly); to let everyone in, use allowEveryoneIfNoAclFound or an ACL for User:*");
            }
            if (!out.add(principal)) {
                warnings.add(item.fail("super user " + principal + " is listed twice").getMessage());
            }
        }
        return out;
    }
}
