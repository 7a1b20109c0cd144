package io.warden.policies;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One YAML value together with where it is (line, column) and which field it is ({@code acls[1].operations[0]}), so
 * that every check can fail with a message that points at the offending text. Reading is strict: unknown and
 * duplicate keys, and values of the wrong shape, are errors.
 */
final class PolicyNode {

    private final String source;
    private final Node node;
    private final String path;

    PolicyNode(String source, Node node, String path) {
        this.source = source;
        this.node = node;
        this.path = path;
    }

    String path() {
        return path;
    }

    int line() {
        return node.getStartMark().getLine() + 1;
    }

    PolicyException fail(String problem) {
        return new PolicyException(source, line(), node.getStartMark().getColumn() + 1, path, problem);
    }

    boolean isList() {
        return node instanceof SequenceNode;
    }

    boolean isMapping() {
        return node instanceof MappingNode;
    }

    boolean isText() {
        return node instanceof ScalarNode && !isNull();
    }

    /** An empty value ({@code key:} with nothing after it), {@code ~} or {@code null}. */
    boolean isNull() {
        return node instanceof ScalarNode s && Tag.NULL.equals(s.getTag())
                && s.getScalarStyle() == DumperOptions.ScalarStyle.PLAIN;
    }

    /**
     * The text of a scalar exactly as written (YAML's guesses at numbers and booleans are not applied, so
     * {@code topics: [2024]} names the topic "2024").
     */
    String text(String expected) {
        if (!isText()) {
            throw fail("expected " + expected + ", found " + shape());
        }
        return ((ScalarNode) node).getValue();
    }

    boolean bool() {
        if (isText()) {
            String v = ((ScalarNode) node).getValue().toLowerCase(Locale.ROOT);
            if (v.equals("true") || v.equals("false")) {
                return v.equals("true");
            }
        }
        throw fail("expected true or false, found " + shape());
    }

    List<PolicyNode> items(String expected) {
        if (!isList()) {
            throw fail("expected " + expected + ", found " + shape());
        }
        List<Node> values = ((SequenceNode) node).getValue();
        List<PolicyNode> out = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            out.add(new PolicyNode(source, values.get(i), path + "[" + i + "]"));
        }
        return out;
    }

    /** A non-empty list; an empty one fails with "must not be empty". */
    List<PolicyNode> nonEmptyItems(String expected) {
        List<PolicyNode> items = items(expected);
        if (items.isEmpty()) {
            throw fail("must not be empty; expected " + expected);
        }
        return items;
    }

    /**
     * The fields of a mapping, in the order written. Keys outside {@code allowed} and keys given twice are errors
     * that point at the key.
     */
    Map<String, PolicyNode> fields(String expected, List<String> allowed) {
        if (!isMapping()) {
            throw fail("expected " + expected + ", found " + shape());
        }
        Map<String, PolicyNode> out = new LinkedHashMap<>();
        Map<String, Integer> keyLines = new LinkedHashMap<>();
        for (NodeTuple tuple : ((MappingNode) node).getValue()) {
            PolicyNode keyNode = new PolicyNode(source, tuple.getKeyNode(), path);
            if (!keyNode.isText()) {
                throw keyNode.fail("keys must be plain names, found " + keyNode.shape());
            }
            String key = ((ScalarNode) tuple.getKeyNode()).getValue();
            PolicyNode at = new PolicyNode(source, tuple.getKeyNode(), child(key));
            if (key.equals("<<")) {
                throw at.fail("YAML merge keys are not supported; write the fields out so that reviewers see them");
            }
            if (!allowed.contains(key)) {
                throw at.fail("unknown key" + NearestName.hint(key, allowed) + "; expected one of " + allowed);
            }
            Integer first = keyLines.putIfAbsent(key, at.line());
            if (first != null) {
                throw at.fail("duplicate key (first at line " + first + ")");
            }
            out.put(key, new PolicyNode(source, tuple.getValueNode(), child(key)));
        }
        return out;
    }

    private String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** How the value looks, for "expected X, found Y" messages. */
    String shape() {
        if (isNull()) {
            return "nothing";
        }
        if (node instanceof ScalarNode s) {
            return "'" + s.getValue() + "'";
        }
        return isList() ? "a list" : "a mapping";
    }
}
