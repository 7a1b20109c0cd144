package io.warden.dev;

import io.warden.dev.VariantBenchmark.Variant;
import io.warden.policies.PolicyDocument;
import io.warden.policies.PolicyParser;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicAuthorizationException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@code warden bench authz}: what ACL enforcement costs. A {@link VariantBenchmark} of two gateways: {@code off},
 * without an {@code authorization} section (requests are forwarded unchecked), the baseline; and {@code on}, with a
 * policy that allows the perf tools ({@code User:ANONYMOUS} on the plaintext listener) what producing and consuming
 * need, among about a thousand ACLs for other principals and topics, so that every request is decided against an
 * index of realistic size. Before measuring, a topic the policy does not name must be refused through {@code on} and
 * accepted through {@code off}; otherwise the benchmark stops, as it would be measuring a gateway that does not
 * enforce. The last line is {@code on/off produce=<ratio> consume=<ratio>}.
 */
final class AuthzBenchmark {

    /** Teams in the unrelated part of the policy; each contributes five ACL bindings. */
    private static final int TEAMS = 200;

    /** A topic that exists on the broker but that the policy grants nobody. */
    private static final String UNLISTED_TOPIC = "authz-probe";

    private AuthzBenchmark() {
    }

    static int run(List<String> args) throws Exception {
        Path policyFile = PerfTools.workDir().resolve("bench-authz-policy.yaml").toAbsolutePath();
        Files.writeString(policyFile, policy());
        List<Variant> variants = List.of(
                new Variant("off", ""),
                new Variant("on", "authorization:\n  policyFile: \"" + policyFile + "\"\n"));
        return VariantBenchmark.run("authz", variants, args, (gateways, broker) -> verifyEnforced(policyFile, gateways, broker));
    }

    /**
     * The perf tools may write, read and describe the benchmark's topics and use its consumer groups (WRITE on a
     * topic also gives the idempotent producer its producer id). Then, per team, ACLs that have nothing to do with
     * them: a team's service writes its own topics, reads one topic of the next team in its own groups, and is denied
     * writes to its team's audit topic.
     */
    private static String policy() {
        StringBuilder yaml = new StringBuilder(String.format(Locale.ROOT, """
                allowEveryoneIfNoAclFound: false
                acls:
                  - principal: User:ANONYMOUS
                    operations: [write, read, describe]
                    topics: {prefix: %1$s}
                  - principal: User:ANONYMOUS
                    operations: [read]
                    groups: {prefix: %1$s}
                """, VariantBenchmark.NAME_PREFIX));
        for (int team = 0; team < TEAMS; team++) {
            yaml.append(String.format(Locale.ROOT, """
                      - principal: User:svc-%1$d
                        operations: [write, describe]
                        topics: {prefix: team-%1$d.}
                      - principal: User:svc-%1$d
                        operations: [read]
                        topic: team-%2$d.events
                        groups: {prefix: team-%1$d.}
                      - principal: User:svc-%1$d
                        permission: deny
                        operations: [write]
                        topic: team-%1$d.audit
                    """, team, (team + 1) % TEAMS));
        }
        return yaml.toString();
    }

    /** A topic the policy does not name: accepted through {@code off}, refused through {@code on}, or no benchmark. */
    private static void verifyEnforced(Path policyFile, Map<String, String> gateways, String broker) throws Exception {
        PolicyDocument policy = PolicyParser.load(policyFile);
        System.out.printf(Locale.ROOT, "bench authz: on's policy %s has %d ACL bindings, %d of them for User:ANONYMOUS%n",
                policyFile, policy.bindings().size(),
                policy.bindings().stream().filter(b -> b.entry().principal().equals("User:ANONYMOUS")).count());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker))) {
            admin.createTopics(List.of(new NewTopic(UNLISTED_TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        PerfTools.produceOne(gateways.get("off"), UNLISTED_TOPIC);
        try {
            PerfTools.produceOne(gateways.get("on"), UNLISTED_TOPIC);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicAuthorizationException) {
                System.out.println("bench authz: on refuses " + UNLISTED_TOPIC + " (TOPIC_AUTHORIZATION_FAILED), off accepts it");
                return;
            }
            throw new IllegalStateException("producing to " + UNLISTED_TOPIC + " through 'on' failed, but not with an"
                    + " authorization error: " + e.getCause(), e);
        }
        throw new IllegalStateException("'on' accepted a record for " + UNLISTED_TOPIC
                + ", which its policy does not allow: the gateway is not enforcing ACLs");
    }
}
