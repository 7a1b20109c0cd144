package io.warden.audit;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * {@code warden audit keygen}, {@code warden audit verify} and {@code warden audit query}, as a function of the arguments after {@code audit}
 * so that the main command line can delegate to it. Exit codes: 0 success, 1 tampering found (verify), 2 usage or
 * I/O error.
 */
public final class AuditCommand {

    public static final String USAGE = """
            usage: warden audit keygen PRIVATE_KEY_PEM PUBLIC_KEY_PEM
                   warden audit verify DIR --public-key PEM [--anchor SEQ:SHA256]
                   warden audit query DIR [--principal P] [--topic T] [--type produce|consume|...]
                                          [--since ISO-INSTANT] [--until ISO-INSTANT] [--json]
                     (--since inclusive, --until exclusive, each with its zone: 2026-11-24T00:00:00Z)
            """;

    private static final java.util.Set<String> QUERY_OPTIONS = java.util.Set.of("--principal", "--topic", "--type", "--since",
            "--until");

    private AuditCommand() {
    }

    /** Runs {@code args} (starting with {@code verify} or {@code query}); returns the exit code. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.size() < 2) {
            err.print(USAGE);
            return 2;
        }
        try {
            return switch (args.get(0)) {
                case "keygen" -> keygen(args.subList(1, args.size()), out, err);
                case "verify" -> verify(args.subList(1, args.size()), out, err);
                case "query" -> query(args.subList(1, args.size()), out, err);
                default -> usage(err, "unknown audit command " + args.get(0));
            };
        } catch (IOException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
    }

    private static int keygen(List<String> args, PrintStream out, PrintStream err) throws IOException {
        if (args.size() != 2) {
            return usage(err, "keygen takes the private and the public key file");
        }
        try {
            PemKeys.generateEd25519(Path.of(args.get(0)), Path.of(args.get(1)));
        } catch (java.security.GeneralSecurityException e) {
            err.println("error: no Ed25519 key generator: " + e.getMessage());
            return 2;
        }
        out.println("wrote Ed25519 signing key " + args.get(0) + " (owner-only) and public key " + args.get(1));
        return 0;
    }

    private static int verify(List<String> args, PrintStream out, PrintStream err) throws IOException {
        Path dir = Path.of(args.get(0));
        String pem = null;
        AuditVerifier.Anchor anchor = null;
        for (int i = 1; i < args.size(); i++) {
            if (args.get(i).equals("--public-key") && i + 1 < args.size()) {
                pem = args.get(++i);
            } else if (args.get(i).equals("--anchor") && i + 1 < args.size()) {
                try {
                    anchor = AuditVerifier.Anchor.parse(args.get(++i));
                } catch (IllegalArgumentException e) {
                    return usage(err, "--anchor: " + e.getMessage());
                }
            } else {
                return usage(err, "unexpected argument " + args.get(i));
            }
        }
        if (pem == null) {
            return usage(err, "--public-key is required");
        }
        if (!Files.isDirectory(dir)) {
            return usage(err, "not a directory: " + dir);
        }
        PublicKey key;
        try {
            key = PemKeys.readPublicKey(Path.of(pem));
        } catch (GeneralSecurityException e) {
            return usage(err, "cannot read public key " + pem + ": " + e.getMessage());
        }
        VerificationResult r = AuditVerifier.verify(dir, key, anchor);
        for (String w : r.warnings()) {
            out.println("warning: " + w);
        }
        if (r.ok()) {
            out.printf("OK: %d records in %d segments, chain and digests intact%n", r.records(), r.segments());
            if (r.head() != null) {
                // Kept elsewhere, it lets a later verify find records or segments removed from the end.
                out.printf("head: %d:%s  (kept elsewhere, a later verify --anchor with it checks the trail still reaches it)%n",
                        r.head().seq(), r.head().hash());
            }
            return 0;
        }
        VerificationResult.Problem p = r.firstProblem();
        out.printf("FAILED: %s%n  file: %s%n  line: %d%n  seq:  %d%n  %s%n", p.kind(), p.file(), p.line(), p.seq(),
                p.reason());
        out.printf("%d records verified before it%n", r.records());
        return 1;
    }

    private static int query(List<String> args, PrintStream out, PrintStream err) throws IOException {
        Path dir = Path.of(args.get(0));
        String principal = null;
        String topic = null;
        AuditEventType type = null;
        Instant since = null;
        Instant until = null;
        boolean json = false;
        for (int i = 1; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--json")) {
                json = true;
                continue;
            }
            if (!QUERY_OPTIONS.contains(a)) {
                return usage(err, "unexpected argument " + a);
            }
            if (i + 1 >= args.size()) {
                return usage(err, "missing value for " + a);
            }
            String v = args.get(++i);
            switch (a) {
                case "--principal" -> principal = v;
                case "--topic" -> topic = v;
                case "--type" -> {
                    try {
                        type = AuditEventType.fromWireName(v);
                    } catch (IllegalArgumentException e) {
                        return usage(err, "bad value for --type: '" + v + "'; expected one of "
                                + java.util.Arrays.stream(AuditEventType.values()).map(AuditEventType::wireName).toList());
                    }
                }
                default -> {
                    try {
                        Instant t = Instant.parse(v);
                        if (a.equals("--since")) {
                            since = t;
                        } else {
                            until = t;
                        }
                    } catch (DateTimeParseException e) {
                        return usage(err, "bad value for " + a + ": '" + v + "'; expected a time with its zone, "
                                + "such as 2026-11-24T00:00:00Z or 2026-11-24T01:00:00+01:00");
                    }
                }
            }
        }
        if (since != null && until != null && !since.isBefore(until)) {
            return usage(err, "--until " + until + " is not after --since " + since + " (--since is inclusive, --until exclusive)");
        }
        if (!Files.isDirectory(dir)) {
            return usage(err, "not a directory: " + dir);
        }
        AuditQuery.print(dir, new AuditQuery.Filter(principal, topic, type, since, until), json, out, err);
        return 0;
    }

    private static int usage(PrintStream err, String message) {
        err.println("error: " + message);
        err.print(USAGE);
        return 2;
    }
}
