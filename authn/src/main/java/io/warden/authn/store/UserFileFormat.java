package io.warden.authn.store;

import io.warden.authn.scram.ScramCredentials;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramCredentialUtils;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The text form of the local user file: one line per user and mechanism,
 * {@code <user> <mechanism> salt=<b64>,stored_key=<b64>,server_key=<b64>,iterations=<n>} (the credential in
 * Kafka's own notation, as {@link ScramCredentialUtils} writes it), blank lines and {@code #} comments. Parsing is
 * strict and names the line and problem, so a typo cannot silently lock a user out.
 */
final class UserFileFormat {

    /** Printable ASCII without spaces, not starting with {@code #}: what SCRAM user names can carry (escaped). */
    private static final Pattern USER_NAME = Pattern.compile("[\\x21-\\x7E&&[^#]][\\x21-\\x7E]{0,254}");
    private static final Pattern ATTRIBUTE_NAME = Pattern.compile("[A-Za-z_]{1,32}");
    private static final List<String> ATTRIBUTES = List.of("salt", "stored_key", "server_key", "iterations");

    /** One credential line: {@code index} is its position in the file (0-based). */
    record Entry(int index, String user, ScramMechanism mechanism, ScramCredential credential) {
    }

    private UserFileFormat() {
    }

    /** Why {@code name} cannot be a user name in the file, or null when it can. */
    static String userNameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "the user name is empty";
        }
        if (!USER_NAME.matcher(name).matches()) {
            return "user name '" + printable(name) + "' must be 1 to 255 printable ASCII characters without spaces, "
                    + "not starting with #";
        }
        return null;
    }

    static String line(String user, ScramMechanism mechanism, ScramCredential credential) {
        return user + " " + mechanism.mechanismName() + " " + ScramCredentialUtils.credentialToString(credential);
    }

    /** The entries of {@code lines}; {@code source} names the file in errors. */
    static List<Entry> parse(String source, List<String> lines) {
        List<Entry> entries = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Entry entry = parseLine(source, i, line);
            Integer earlier = seen.putIfAbsent(entry.user() + " " + entry.mechanism().mechanismName(), i);
            if (earlier != null) {
                throw error(source, i, "user '" + entry.user() + "' has a second " + entry.mechanism().mechanismName()
                        + " credential (the first is on line " + (earlier + 1) + ")");
            }
            entries.add(entry);
        }
        return entries;
    }

    private static Entry parseLine(String source, int index, String line) {
        String[] fields = line.split("\\s+");
        if (fields.length != 3) {
            throw error(source, index, "expected '<user> <mechanism> salt=...,stored_key=...,server_key=...,iterations=N'"
                    + " (3 fields), found " + fields.length);
        }
        String problem = userNameProblem(fields[0]);
        if (problem != null) {
            throw error(source, index, problem);
        }
        ScramMechanism mechanism = ScramMechanism.forMechanismName(fields[1]);
        if (mechanism == null) {
            throw error(source, index, "unknown mechanism '" + printable(fields[1]) + "' (expected "
                    + String.join(" or ", ScramMechanism.mechanismNames()) + ")");
        }
        ScramCredential credential = credential(source, index, mechanism, fields[2]);
        return new Entry(index, fields[0], mechanism, credential);
    }

    private static ScramCredential credential(String source, int index, ScramMechanism mechanism, String text) {
        Map<String, String> values = new HashMap<>();
        for (String attribute : text.split(",", -1)) {
            int eq = attribute.indexOf('=');
            if (eq <= 0) {
                throw error(source, index, "the credential must be name=value pairs separated by commas ("
                        + String.join(", ", ATTRIBUTES) + ")");
            }
            String name = attribute.substring(0, eq);
            if (!ATTRIBUTES.contains(name)) {
                String shown = ATTRIBUTE_NAME.matcher(name).matches() ? "'" + name + "'" : "";
                throw error(source, index, "unknown credential attribute " + shown + " (expected "
                        + String.join(", ", ATTRIBUTES) + "; the file holds salted keys, never passwords)");
            }
            if (values.put(name, attribute.substring(eq + 1)) != null) {
                throw error(source, index, name + " is given twice");
            }
        }
        for (String name : ATTRIBUTES) {
            if (!values.containsKey(name)) {
                throw error(source, index, "the credential has no " + name);
            }
        }
        int iterations;
        try {
            iterations = Integer.parseInt(values.get("iterations"));
        } catch (NumberFormatException e) {
            throw error(source, index, "iterations is not a number");
        }
        ScramCredential credential = new ScramCredential(base64(source, index, values, "salt"),
                base64(source, index, values, "stored_key"), base64(source, index, values, "server_key"), iterations);
        String problem = ScramCredentials.problem(mechanism, credential);
        if (problem != null) {
            throw error(source, index, problem);
        }
        return credential;
    }

    private static byte[] base64(String source, int index, Map<String, String> values, String name) {
        try {
            return Base64.getDecoder().decode(values.get(name));
        } catch (IllegalArgumentException e) {
            throw error(source, index, name + " is not valid base64");
        }
    }

    private static UserFileException error(String source, int index, String problem) {
        return new UserFileException(source + ":" + (index + 1) + ": " + problem);
    }

    private static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7E]", "?");
    }
}
