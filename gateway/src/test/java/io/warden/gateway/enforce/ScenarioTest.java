package io.warden.gateway.enforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.warden.gateway.auth.ReservedTopics;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractResponse;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Data-driven checks of every enforcer: one scenario file per API in {@code src/test/resources/scenarios}. Each
 * file gives a policy, a principal and cases: a request (in Kafka's own JSON form of the message, read with
 * kafka-clients' generated JSON converters), what the gateway must do with it, and, where it goes on to the broker,
 * the broker's answer and what the client must finally see. JSON expectations match as subsets: every field named
 * must be equal, lists must have the same length.
 *
 * <pre>
 * api: PRODUCE
 * version: 9
 * principal: User:alice
 * host: 10.0.0.1                        # optional, default 127.0.0.1
 * topicIds: {"AAAAAAAAAAAAAAAAAAAAAQ": orders}   # optional: ids the gateway has learned
 * reservedTopics: {policy: warden-policy, audit: warden-audit}   # optional: Warden's own topics
 * policy: |                             # a policy document, as in policy files
 *   acls: [...]
 * cases:
 *   - name: ...
 *     outcome: allowed | denied         # every file needs at least one of each
 *     request: {...}
 *     expect: forward | rewrite | rewrite-then-close | respond | refuse
 *     upstreamVersion: 4                # with rewrite, optional: the version the broker gets it at (default: the same)
 *     forwarded: {...}                  # with rewrite: the request the broker gets
 *     autoCreate: [orders.new]          # with rewrite, optional: topics a broker is first asked to auto-create (default: none)
 *     brokerResponse: {...}             # with forward/rewrite: the broker's answer, if the enforcer edits it
 *     response: {...}                   # what the client sees (local answer, or the edited broker answer)
 *     error: TOPIC_AUTHORIZATION_FAILED # with refuse: the error the refusal stands for (its audit event's)
 * </pre>
 */
class ScenarioTest {

    private static final YAMLMapper YAML = new YAMLMapper();

    static Path scenarioDir() {
        try {
            return Path.of(ScenarioTest.class.getResource("/scenarios").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Path> scenarioFiles() {
        try (Stream<Path> files = Files.list(scenarioDir())) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @TestFactory
    Stream<DynamicNode> scenarios() {
        return scenarioFiles().stream().map(file -> {
            JsonNode doc = read(file);
            List<DynamicNode> cases = new ArrayList<>();
            for (JsonNode c : doc.get("cases")) {
                cases.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> run(doc, c)));
            }
            return DynamicContainer.dynamicContainer(file.getFileName().toString(), cases);
        });
    }

    /** Every API the gateway enforces has a scenario file with an allowed and a denied case. */
    @Test
    void everyEnforcedApiHasAllowedAndDeniedScenarios() {
        Map<ApiKeys, Set<String>> outcomes = new HashMap<>();
        for (Path file : scenarioFiles()) {
            JsonNode doc = read(file);
            ApiKeys api = ApiKeys.valueOf(doc.get("api").asText());
            for (JsonNode c : doc.get("cases")) {
                outcomes.computeIfAbsent(api, k -> new java.util.HashSet<>()).add(c.get("outcome").asText());
            }
        }
        Set<ApiKeys> enforced = EnumSet.noneOf(ApiKeys.class);
        for (ApiKeys api : ApiKeys.values()) {
            if (Enforcers.forApi(api) != null) {
                enforced.add(api);
            }
        }
        for (ApiKeys api : enforced) {
            assertThat(outcomes.getOrDefault(api, Set.of())).as("scenarios of %s", api).contains("allowed", "denied");
        }
    }

    /** Fail closed: every API the gateway forwards has an enforcer, so none is advertised unchecked under a policy. */
    @Test
    void everyForwardedApiHasAnEnforcer() {
        for (ApiKeys api : ApiKeys.values()) {
            if (io.warden.gateway.protocol.SupportedApis.isSupported(api)) {
                assertThat(Enforcers.isEnforced(api)).as("%s is forwarded, so it needs an enforcer", api).isTrue();
            }
        }
        assertThat(Enforcers.isEnforced(ApiKeys.CREATE_ACLS)).as("an API without an enforcer").isFalse();
    }

    private static JsonNode read(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    private static void run(JsonNode doc, JsonNode c) throws Exception {
        ApiKeys api = ApiKeys.valueOf(doc.get("api").asText());
        short version = (short) (c.has("version") ? c.get("version").asInt() : doc.get("version").asInt());
        Map<Uuid, String> ids = new HashMap<>();
        if (doc.has("topicIds")) {
            doc.get("topicIds").fields().forEachRemaining(e -> ids.put(Uuid.fromString(e.getKey()), e.getValue().asText()));
        }
        Access access = PolicyAccess.of(doc.get("policy").asText(), doc.get("principal").asText(),
                doc.has("host") ? doc.get("host").asText() : "127.0.0.1", id -> Optional.ofNullable(ids.get(id)));
        if (doc.has("reservedTopics")) {
            JsonNode reserved = doc.get("reservedTopics");
            access = ReservedTopics.of(reserved.path("policy").textValue(), reserved.path("audit").textValue()).guard(access);
        }
        ApiMessage request = fromJson(api, true, c.get("request"), version);
        Verdict verdict = Enforcers.forApi(api).enforce(access, version, request);
        String expect = c.get("expect").asText();
        switch (expect) {
            case "forward" -> {
                assertThat(verdict).isInstanceOf(Verdict.Forward.class);
                assertThat(((Verdict.Forward) verdict).request()).as("request forwarded unchanged").isNull();
                assertThat(((Verdict.Forward) verdict).upstreamVersion()).isEqualTo(Verdict.Forward.CLIENT_VERSION);
                assertThat(((Verdict.Forward) verdict).autoCreate()).as("topics to auto-create first").isEmpty();
                checkEdit(api, version, version, c, ((Verdict.Forward) verdict).edit());
            }
            case "rewrite" -> {
                assertThat(verdict).isInstanceOf(Verdict.Forward.class);
                Verdict.Forward forward = (Verdict.Forward) verdict;
                assertThat(forward.request()).as("a rewritten request").isNotNull();
                short upstream = forward.upstreamVersion(version);
                assertThat(upstream).as("the version the broker gets it at")
                        .isEqualTo((short) (c.has("upstreamVersion") ? c.get("upstreamVersion").asInt() : version));
                if (c.has("forwarded")) {
                    assertContains(toJson(forward.request(), upstream), c.get("forwarded"), "forwarded");
                }
                List<String> autoCreate = new ArrayList<>();
                c.path("autoCreate").forEach(topic -> autoCreate.add(topic.asText()));
                assertThat(forward.autoCreate()).as("topics to auto-create first").isEqualTo(autoCreate);
                checkEdit(api, upstream, version, c, forward.edit());
            }
            case "rewrite-then-close" -> {
                assertThat(verdict).isInstanceOf(Verdict.Forward.class);
                Verdict.Forward forward = (Verdict.Forward) verdict;
                assertThat(forward.request()).as("a rewritten request").isNotNull();
                assertThat(forward.closeAfter()).as("why the connection closes after it").isNotNull();
                assertContains(toJson(forward.request(), version), c.get("forwarded"), "forwarded");
            }
            case "respond" -> {
                assertThat(verdict).isInstanceOf(Verdict.Respond.class);
                assertContains(toJson(((Verdict.Respond) verdict).response(), version), c.get("response"), "response");
            }
            case "refuse" -> {
                assertThat(verdict).isInstanceOf(Verdict.Refuse.class);
                assertThat(c.has("error")).as("a refuse case names the error the refusal stands for").isTrue();
                assertThat(((Verdict.Refuse) verdict).error()).as("the error the refusal stands for (audited)")
                        .isEqualTo(Errors.valueOf(c.get("error").asText()));
            }
            default -> fail("unknown expect '" + expect + "'");
        }
    }

    /**
     * The broker's answer at {@code upstreamVersion}, edited, then as the client gets it: encoded at its version and
     * read back.
     */
    private static void checkEdit(ApiKeys api, short upstreamVersion, short version, JsonNode c, Verdict.ResponseEdit edit)
            throws Exception {
        if (!c.has("brokerResponse")) {
            return;
        }
        ApiMessage response = fromJson(api, false, c.get("brokerResponse"), upstreamVersion);
        if (edit != null) {
            edit.edit(response);
        }
        ApiMessage received = AbstractResponse.parseResponse(api,
                new ByteBufferAccessor(MessageUtil.toByteBufferAccessor(response, version).buffer()), version).data();
        assertContains(toJson(received, version), c.get("response"), "response");
    }

    static ApiMessage fromJson(ApiKeys api, boolean request, JsonNode json, short version) throws Exception {
        ApiMessageType type = ApiMessageType.fromApiKey(api.id);
        Class<?> dataClass = (request ? type.newRequest() : type.newResponse()).getClass();
        Method read = Class.forName(dataClass.getName() + "JsonConverter").getMethod("read", JsonNode.class, short.class);
        return (ApiMessage) read.invoke(null, json, version);
    }

    static JsonNode toJson(ApiMessage message, short version) throws Exception {
        Method write = Class.forName(message.getClass().getName() + "JsonConverter").getMethod("write", message.getClass(), short.class);
        return (JsonNode) write.invoke(null, message, version);
    }

    /** Every field of {@code expected} is in {@code actual} with an equal value; lists match element by element. */
    static void assertContains(JsonNode actual, JsonNode expected, String path) {
        if (expected == null || expected.isNull()) {
            assertThat(actual == null || actual.isNull()).as(path + " is null").isTrue();
            return;
        }
        assertThat(actual).as(path).isNotNull();
        if (expected.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = ((ObjectNode) expected).fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                assertContains(actual.get(e.getKey()), e.getValue(), path + "." + e.getKey());
            }
        } else if (expected.isArray()) {
            assertThat(actual.isArray()).as(path + " is a list").isTrue();
            assertThat(actual.size()).as(path + " length; actual " + actual).isEqualTo(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                assertContains(actual.get(i), expected.get(i), path + "[" + i + "]");
            }
        } else if (expected.isNumber()) {
            assertThat(actual.asLong()).as(path).isEqualTo(expected.asLong());
        } else {
            assertThat(actual.asText()).as(path).isEqualTo(expected.asText());
        }
    }
}
