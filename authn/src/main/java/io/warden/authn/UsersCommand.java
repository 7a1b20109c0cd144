package io.warden.authn;

import io.warden.authn.scram.ScramCredentials;
import io.warden.authn.store.LocalUserStore;
import io.warden.authn.store.UserFileException;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code warden users}: manages the local user file, so that operators never write salts and keys by hand and no
 * password lands in a file, a shell history or a process listing.
 *
 * <pre>
 * warden users add    --file F --name NAME [--mechanisms SCRAM-SHA-256,SCRAM-SHA-512] [--iterations 8192]
 * warden users remove --file F --name NAME
 * warden users list   --file F
 * </pre>
 *
 * The password of {@code add} is prompted for twice without echo when run on a terminal, otherwise read from the
 * first line of standard input. {@code add} on an existing user replaces all its credentials.
 */
public final class UsersCommand {

    /** Iterations of credentials added without --iterations. */
    public static final int DEFAULT_ITERATIONS = 8192;
    private static final int MAX_PASSWORD_BYTES = 4096;

    private UsersCommand() {
    }

    /** Runs a subcommand; returns the exit status (0 ok, 2 usage or input error). */
    public static int run(List<String> args, InputStream stdin, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            err.println(usage());
            return 2;
        }
        try {
            Map<String, String> o = options(args.subList(1, args.size()));
            switch (args.get(0)) {
                case "add" -> add(o, stdin, out, err);
                case "remove" -> remove(o, out);
                case "list" -> list(o, out);
                default -> throw new UsageException("unknown subcommand '" + args.get(0) + "'\n" + usage());
            }
            return 0;
        } catch (UsageException | UserFileException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
    }

    private static void add(Map<String, String> o, InputStream stdin, PrintStream out, PrintStream err) {
        allow(o, "--file", "--name", "--mechanisms", "--iterations");
        Path file = Path.of(required(o, "--file"));
        String name = required(o, "--name");
        Set<ScramMechanism> mechanisms = mechanisms(o.getOrDefault("--mechanisms", "SCRAM-SHA-256,SCRAM-SHA-512"));
        int iterations = iterations(o.getOrDefault("--iterations", String.valueOf(DEFAULT_ITERATIONS)));
        String nameProblem = LocalUserStore.userNameProblem(name);
        if (nameProblem != null) {
            throw new UsageException("--name: " + nameProblem);
        }
        LocalUserStore store = LocalUserStore.loadOrEmpty(file);
        char[] password = readPassword(name, stdin, err);
        try {
            boolean created = store.addUser(name, password, mechanisms, iterations);
            out.println((created ? "added" : "replaced") + " user " + name + " (" + names(mechanisms) + ", "
                    + iterations + " iterations) in " + file);
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private static void remove(Map<String, String> o, PrintStream out) {
        allow(o, "--file", "--name");
        Path file = Path.of(required(o, "--file"));
        String name = required(o, "--name");
        if (!LocalUserStore.load(file).removeUser(name)) {
            throw new UsageException("no user '" + name + "' in " + file);
        }
        out.println("removed user " + name + " from " + file);
    }

    private static void list(Map<String, String> o, PrintStream out) {
        allow(o, "--file");
        LocalUserStore store = LocalUserStore.load(Path.of(required(o, "--file")));
        for (String user : store.users()) {
            out.println(user + " " + names(store.mechanisms(user)));
        }
    }

    /** Twice without echo on a terminal; otherwise the first line of {@code stdin}. */
    private static char[] readPassword(String name, InputStream stdin, PrintStream err) {
        Console console = System.console();
        if (stdin == System.in && console != null) {
            char[] first = console.readPassword("Password for %s: ", name);
            char[] second = console.readPassword("Repeat the password: ");
            try {
                if (first == null || second == null) {
                    throw new UsageException("no password entered");
                }
                if (!Arrays.equals(first, second)) {
                    throw new UsageException("the passwords do not match");
                }
                if (first.length == 0) {
                    throw new UsageException("an empty password is not allowed");
                }
                return first.clone();
            } finally {
                if (first != null) {
                    Arrays.fill(first, '\0');
                }
                if (second != null) {
                    Arrays.fill(second, '\0');
                }
            }
        }
        return firstLine(stdin);
    }

    private static char[] firstLine(InputStream stdin) {
        byte[] buffer = new byte[MAX_PASSWORD_BYTES + 1];
        try {
            int length = 0;
            int b = stdin.read();
            if (b < 0) {
                throw new UsageException("no password on standard input (give it as the first line)");
            }
            while (b >= 0 && b != '\n') {
                if (length == buffer.length) {
                    throw new UsageException("the password line is longer than " + MAX_PASSWORD_BYTES + " bytes");
                }
                buffer[length++] = (byte) b;
                b = stdin.read();
            }
            if (length > 0 && buffer[length - 1] == '\r') {
                length--;
            }
            if (length == 0) {
                throw new UsageException("an empty password is not allowed");
            }
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buffer, 0, length));
            char[] password = new char[chars.remaining()];
            chars.get(password);
            if (chars.hasArray()) {
                Arrays.fill(chars.array(), '\0');
            }
            return password;
        } catch (CharacterCodingException e) {
            throw new UsageException("the password on standard input is not valid UTF-8");
        } catch (IOException e) {
            throw new UsageException("cannot read the password from standard input: " + e.getMessage());
        } finally {
            Arrays.fill(buffer, (byte) 0);
        }
    }

    private static Set<ScramMechanism> mechanisms(String list) {
        Set<ScramMechanism> out = EnumSet.noneOf(ScramMechanism.class);
        for (String name : list.split(",")) {
            ScramMechanism m = ScramMechanism.forMechanismName(name.strip().toUpperCase(Locale.ROOT));
            if (m == null) {
                throw new UsageException("--mechanisms: unknown mechanism '" + name.strip()
                        + "'; expected SCRAM-SHA-256 and/or SCRAM-SHA-512, comma-separated");
            }
            out.add(m);
        }
        return out;
    }

    private static int iterations(String value) {
        int min = ScramCredentials.minIterations(ScramMechanism.SCRAM_SHA_256);
        try {
            int n = Integer.parseInt(value);
            if (n < min || n > ScramCredentials.MAX_ITERATIONS) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("--iterations: expected a number between " + min + " and "
                    + ScramCredentials.MAX_ITERATIONS + ", got '" + value + "'");
        }
    }

    private static String names(Set<ScramMechanism> mechanisms) {
        return mechanisms.stream().map(ScramMechanism::mechanismName).sorted().collect(Collectors.joining(","));
    }

    /** Options by name (each given once, each with a value). */
    private static Map<String, String> options(List<String> args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                // Not echoed: a stray word may be a password typed on the command line by mistake.
                throw new UsageException("unexpected argument at position " + (i + 2)
                        + " (after the subcommand, options come as --name value; the password is read from standard input)");
            }
            if (i + 1 >= args.size()) {
                throw new UsageException(a + " needs a value");
            }
            if (o.put(a, args.get(++i)) != null) {
                throw new UsageException(a + " given twice");
            }
        }
        return o;
    }

    private static void allow(Map<String, String> o, String... names) {
        List<String> allowed = new ArrayList<>(List.of(names));
        for (String key : o.keySet()) {
            if (!allowed.contains(key)) {
                throw new UsageException("unknown option " + key + "; expected one of " + allowed);
            }
        }
    }

    private static String required(Map<String, String> o, String name) {
        String v = o.get(name);
        if (v == null || v.isEmpty()) {
            throw new UsageException(name + " is required");
        }
        return v;
    }

    public static String usage() {
        return """
                usage: warden users <subcommand>
                  add    --file F --name NAME [--mechanisms SCRAM-SHA-256,SCRAM-SHA-512] [--iterations 8192]
                         (password: prompted on a terminal, else the first line of standard input)
                  remove --file F --name NAME
                  list   --file F""";
    }

    /** A usage or input error, reported as one line with exit status 2. */
    private static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
