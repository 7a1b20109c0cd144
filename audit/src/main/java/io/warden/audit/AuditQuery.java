package io.warden.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Answers questions such as "who read topic X yesterday" from an audit directory: reads every segment in order and
 * prints the events that match a filter, as a text table or as the stored JSON lines, one at a time (a trail may be
 * far larger than memory). Lines that do not parse are skipped and counted, except the trail's last line, which a
 * running gateway may be writing; {@link AuditVerifier} is the tool that judges them.
 */
public final class AuditQuery {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROW = "%-24s %-22s %-20s %-21s %-14s %-30s %8s %6s%n";

    /**
     * What to keep; null fields match everything.
     *
     * @param since inclusive
     * @param until exclusive
     */
    public record Filter(String principal, String topic, AuditEventType type, Instant since, Instant until) {

        /** Keeps everything. */
        public static Filter all() {
            return new Filter(null, null, null, null, null);
        }

        /** True when the stored event matches. */
        public boolean matches(JsonNode event) {
            if (principal != null && !principal.equals(principalOf(event)) && !principal.equals(claimedPrincipalOf(event))) {
                return false;
            }
            if (type != null && !type.wireName().equals(event.at("/unmapped/event_type").asText())) {
                return false;
            }
            long time = event.path("time").asLong(Long.MIN_VALUE);
            if (since != null && time < since.toEpochMilli()) {
                return false;
            }
            if (until != null && time >= until.toEpochMilli()) {
                return false;
            }
            return topic == null || topicsOf(event).contains(topic);
        }
    }

    private AuditQuery() {
    }

    /** The matching events of {@code dir}, oldest first. */
    public static List<JsonNode> find(Path dir, Filter filter) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        scan(dir, filter, out::add);
        return out;
    }

    /**
     * Hands each matching event of {@code dir} to {@code each}, oldest first, holding one line at a time.
     *
     * @return the segments with lines that are not events, and how many each has (the trail's last line aside)
     */
    static Map<Path, Integer> scan(Path dir, Filter filter, Consumer<JsonNode> each) throws IOException {
        Map<Path, Integer> unreadable = new LinkedHashMap<>();
        List<Path> segments = Segments.list(dir);
        for (int i = 0; i < segments.size(); i++) {
            Path segment = segments.get(i);
            try (BufferedReader r = reader(segment)) {
                String line = r.readLine();
                while (line != null) {
                    String next = r.readLine();
                    JsonNode n = parse(line);
                    if (n == null) {
                        if (next != null || i < segments.size() - 1) {
                            unreadable.merge(segment, 1, Integer::sum);
                        }
                    } else if (filter.matches(n)) {
                        each.accept(n);
                    }
                    line = next;
                }
            }
        }
        return unreadable;
    }

    /** The trail's part of a segment, line by line: streamed, except a segment sealed on recovery, cut at its end. */
    private static BufferedReader reader(Path segment) throws IOException {
        long end = sealedEnd(segment);
        if (end == Long.MAX_VALUE) {
            return Files.newBufferedReader(segment, StandardCharsets.UTF_8);
        }
        byte[] bytes = Files.readAllBytes(segment);
        return new BufferedReader(new java.io.InputStreamReader(
                new java.io.ByteArrayInputStream(bytes, 0, (int) Math.min(end, bytes.length)), StandardCharsets.UTF_8));
    }

    /**
     * Where the trail's part of a segment ends: for a segment sealed on recovery after an unclean stop, where its
     * digest says (what lies beyond was never part of the chain, and {@code verify} refuses any line there);
     * otherwise the whole file.
     */
    private static long sealedEnd(Path segment) {
        Path digestPath = Segments.digestOf(segment);
        if (!Files.exists(digestPath)) {
            return Long.MAX_VALUE;
        }
        try {
            SegmentDigest digest = SegmentDigest.parse(Files.readString(digestPath));
            return digest.recovered() ? digest.validBytes() : Long.MAX_VALUE;
        } catch (IOException | RuntimeException e) {
            return Long.MAX_VALUE; // verify names the unreadable digest
        }
    }

    /**
     * Prints the matching events of {@code dir} to {@code out} as they are found, and to {@code err} a warning for each
     * segment with lines skipped as not events; returns how many events were printed.
     */
    public static int print(Path dir, Filter filter, boolean json, PrintStream out, PrintStream err) throws IOException {
        if (!json) {
            out.printf(ROW, "TIME", "TYPE", "PRINCIPAL", "CLIENT", "API", "TOPICS", "RECORDS", "ERROR");
        }
        int[] printed = {0};
        Map<Path, Integer> unreadable = scan(dir, filter, n -> {
            if (json) {
                out.println(n.toString());
            } else {
                out.printf(ROW, Instant.ofEpochMilli(n.path("time").asLong()), n.at("/unmapped/event_type").asText(),
                        orDash(principalOf(n)), client(n), orDash(n.at("/api/operation").asText(null)),
                        orDash(String.join(",", topicsOf(n))),
                        n.at("/unmapped/record_count").isMissingNode() ? "-" : n.at("/unmapped/record_count").asText(),
                        n.at("/unmapped/error_code").asText("0"));
            }
            printed[0]++;
        });
        unreadable.forEach((segment, lines) -> err.println("warning: " + segment + ": " + lines
                + (lines == 1 ? " line is" : " lines are") + " not an audit event (damaged?) and " + (lines == 1 ? "was" : "were")
                + " skipped; warden audit verify checks the trail"));
        return printed[0];
    }

    static String principalOf(JsonNode event) {
        JsonNode actor = event.at("/actor/user/name");
        if (!actor.isMissingNode()) {
            return actor.asText();
        }
        JsonNode user = event.at("/user/name");
        return user.isMissingNode() ? null : user.asText();
    }

    /**
     * For a failed login, the principal the user name tried would have had ({@code User:} and the name claimed), so
     * that asking about a principal also finds the attempts made on its name; null for other events.
     */
    static String claimedPrincipalOf(JsonNode event) {
        JsonNode claimed = event.at("/unmapped/details/claimed_user");
        if (claimed.isMissingNode() || claimed.asText().isEmpty() || claimed.asText().equals("-")) {
            return null;
        }
        return "User:" + claimed.asText();
    }

    static Set<String> topicsOf(JsonNode event) {
        Set<String> topics = new LinkedHashSet<>();
        for (JsonNode r : event.path("resources")) {
            if ("topic".equals(r.path("type").asText())) {
                topics.add(r.path("name").asText());
            }
        }
        for (JsonNode p : event.at("/unmapped/partitions")) {
            topics.add(p.path("topic").asText());
        }
        for (JsonNode t : event.at("/unmapped/topics_omitted")) {
            topics.add(t.asText());
        }
        // A refusal names what was denied as "OPERATION topic:name; ..."
        JsonNode denied = event.at("/unmapped/details/denied");
        if (!denied.isMissingNode()) {
            for (String check : denied.asText().split("; ")) {
                int at = check.indexOf(" topic:");
                if (at >= 0) {
                    topics.add(check.substring(at + " topic:".length()));
                }
            }
        }
        return topics;
    }

    private static String client(JsonNode n) {
        JsonNode ip = n.at("/src_endpoint/ip");
        if (ip.isMissingNode()) {
            return "-";
        }
        JsonNode port = n.at("/src_endpoint/port");
        return port.isMissingNode() ? ip.asText() : ip.asText() + ":" + port.asText();
    }

    private static String orDash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    private static JsonNode parse(String line) {
        try {
            JsonNode n = JSON.readTree(line);
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }
}
