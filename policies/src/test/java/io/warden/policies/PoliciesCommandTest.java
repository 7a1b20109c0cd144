package io.warden.policies;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PoliciesCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return PoliciesCommand.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void validateSummarisesAGoodFileInOneLine() {
        assertThat(run("validate", "examples/demo.yaml")).isZero();

        assertThat(out()).isEqualTo("examples/demo.yaml: ok, 1 super user, 5 ACL bindings,"
                + " allowEveryoneIfNoAclFound=false\n");
        assertThat(err()).isEmpty();
    }

    @Test
    void validatePrintsTheFirstProblemAndExitsWith2(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, "acls:\n  - principal: User:a\n    operations: [wirte]\n    topic: t\n");

        assertThat(run("validate", file.toString())).isEqualTo(2);

        assertThat(out()).isEmpty();
        assertThat(err()).isEqualTo("error: " + file + ":3:18: acls[0].operations[0]: unknown operation 'wirte'"
                + " (did you mean write?); expected one of [all, read, write, create, delete, alter, describe,"
                + " cluster_action, describe_configs, alter_configs, idempotent_write, create_tokens, describe_tokens,"
                + " two_phase_commit]\n");
    }

    @Test
    void warningsGoToTheErrorStreamAndDoNotFail(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, "acls:\n  - principal: User:a\n    operations: [read, read]\n    topic: t\n");

        assertThat(run("validate", file.toString())).isZero();

        assertThat(out()).isEqualTo(file + ": ok, 0 super users, 1 ACL binding, allowEveryoneIfNoAclFound=false,"
                + " 1 warning\n");
        assertThat(err()).isEqualTo("warning: " + file + ":2:5: acls[0]: allow read on topic 't' for User:a from"
                + " any host is given twice in this entry\n");
    }

    @Test
    void validateOfAMissingFileExitsWith2() {
        assertThat(run("validate", "no-such-policy.yaml")).isEqualTo(2);

        assertThat(err()).isEqualTo("error: no-such-policy.yaml: file not found\n");
    }

    @Test
    void showListsBindingsAsKafkaAclsDoesSortedByResource() {
        assertThat(run("show", "examples/demo.yaml")).isZero();

        assertThat(out()).isEqualTo("""
                # examples/demo.yaml: 1 super user, 5 ACL bindings, allowEveryoneIfNoAclFound=false
                # super users: User:admin

                Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders., patternType=PREFIXED)`:
                \t(principal=User:alice, host=*, operation=WRITE, permissionType=ALLOW)
                \t(principal=User:alice, host=*, operation=CREATE, permissionType=ALLOW)
                \t(principal=User:alice, host=*, operation=DESCRIBE, permissionType=ALLOW)
                \t(principal=User:bob, host=*, operation=READ, permissionType=ALLOW)

                Current ACLs for resource `ResourcePattern(resourceType=GROUP, name=billing, patternType=LITERAL)`:
                \t(principal=User:bob, host=*, operation=READ, permissionType=ALLOW)

                """);
    }

    @Test
    void showIsTheSameHoweverTheFileIsOrganised(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.yaml");
        Path b = dir.resolve("b.yaml");
        Files.writeString(a, """
                acls:
                  - principals: [User:x, User:y]
                    operations: [read, describe]
                    topics: [t1, t2]
                """);
        Files.writeString(b, """
                acls:
                  - principal: User:y
                    operation: describe
                    resources: [{type: topic, name: t2}, {type: topic, name: t1}]
                  - principal: User:x
                    operations: [describe, read]
                    topics: [t2, t1]
                  - principal: User:y
                    operations: [read]
                    topics: [t2, t1]
                """);

        assertThat(run("show", a.toString())).isZero();
        String first = out().substring(out().indexOf('\n'));
        out.reset();
        assertThat(run("show", b.toString())).isZero();
        String second = out().substring(out().indexOf('\n'));

        assertThat(second).isEqualTo(first).contains("name=t1", "name=t2");
    }

    @Test
    void usageErrorsExitWith2() {
        assertThat(run()).isEqualTo(2);
        assertThat(run("check", "examples/demo.yaml")).isEqualTo(2);
        assertThat(run("validate")).isEqualTo(2);
        assertThat(run("validate", "a.yaml", "b.yaml")).isEqualTo(2);

        assertThat(out()).isEmpty();
        assertThat(err()).startsWith("error: missing subcommand\nusage: warden policies validate FILE")
                .contains("error: unexpected arguments [check, examples/demo.yaml]",
                        "error: unexpected arguments [validate]",
                        "error: unexpected arguments [validate, a.yaml, b.yaml]");
    }

    @Test
    void helpGoesToStandardOutput() {
        assertThat(run("--help")).isZero();

        assertThat(out()).startsWith("usage: warden policies validate FILE");
    }
}
