package io.warden.policies;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The shipped example policies with characters changed, removed or added (a fixed seed, a bounded number of cases):
 * each either parses or fails with a {@link PolicyException} that names the file — never another exception, which a
 * live policy edit would report as Warden's own fault.
 */
class MutatedPolicyTest {

    @Test
    void everyMutatedPolicyParsesOrFailsWithAPolicyException() throws Exception {
        List<String> policies = new ArrayList<>();
        try (var examples = Files.list(Path.of("examples"))) {
            for (Path p : examples.sorted().toList()) {
                policies.add(Files.readString(p));
            }
        }
        assertThat(policies).hasSizeGreaterThanOrEqualTo(3);
        Random random = new Random(20261127L);
        int parsed = 0;
        for (int n = 0; n < 3_000; n++) {
            String mutated = TextMutations.mutate(policies.get(random.nextInt(policies.size())), random);
            try {
                PolicyParser.parse("policy.yaml", mutated);
                parsed++;
            } catch (PolicyException refused) {
                assertThat(refused.getMessage()).as("case %d", n).startsWith("policy.yaml");
            } catch (RuntimeException e) {
                fail("case " + n + ": the policy\n" + mutated + "\nmade the parser fail with " + e, e);
            }
        }
        assertThat(parsed).as("some mutations still parse").isPositive();
    }
}
