package io.warden.policies;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code warden policies}: checks a policy file before it is merged or deployed, and shows what it grants in the
 * form Kafka's tools use, for review.
 *
 * <pre>
 * warden policies validate FILE   # exit 0 and a one-line summary, or exit 2 and the first problem
 * warden policies show FILE       # the expanded bindings, grouped like kafka-acls --list, sorted
 * </pre>
 *
 * Warnings (a binding given twice) go to the error stream, one per line, and do not fail validation.
 */
public final class PoliciesCommand {

    private PoliciesCommand() {
    }

    /** Runs a subcommand; returns the exit status (0 ok, 2 usage error or a policy file that cannot be used). */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.size() == 1 && (args.get(0).equals("--help") || args.get(0).equals("-h"))) {
            out.println(usage());
            return 0;
        }
        if (args.size() != 2 || !(args.get(0).equals("validate") || args.get(0).equals("show"))) {
            err.println("error: " + (args.isEmpty() ? "missing subcommand" : "unexpected arguments " + args));
            err.println(usage());
            return 2;
        }
        PolicyDocument doc;
        try {
            doc = PolicyParser.load(Path.of(args.get(1)));
        } catch (PolicyException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        doc.warnings().forEach(w -> err.println("warning: " + w));
        if (args.get(0).equals("validate")) {
            out.println(args.get(1) + ": ok, " + summary(doc));
        } else {
            out.println("# " + args.get(1) + ": " + summary(doc));
            if (!doc.superUsers().isEmpty()) {
                out.println("# super users: " + String.join(", ", doc.superUsers()));
            }
            out.println();
            AclListing.lines(doc.bindings()).forEach(out::println);
        }
        return 0;
    }

    private static String summary(PolicyDocument doc) {
        return count(doc.superUsers().size(), "super user") + ", " + count(doc.bindings().size(), "ACL binding")
                + ", allowEveryoneIfNoAclFound=" + doc.allowEveryoneIfNoAclFound()
                + (doc.warnings().isEmpty() ? "" : ", " + count(doc.warnings().size(), "warning"));
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    public static String usage() {
        return """
                usage: warden policies validate FILE   check a policy file; prints a summary or the first problem
                       warden policies show FILE       print the ACL bindings it expands to, as kafka-acls --list does""";
    }
}
