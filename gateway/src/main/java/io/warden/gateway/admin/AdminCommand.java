package io.warden.gateway.admin;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.warden.policies.PolicyDocument;
import io.warden.policies.PolicyException;
import io.warden.policies.PolicyParser;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code warden policies list|apply|diff|explain|history|rollback}: the admin API from a terminal. The API's address
 * comes from {@code --url} or {@code WARDEN_ADMIN_URL} (default {@code http://127.0.0.1:9180}), the bearer token from
 * {@code --token} or {@code WARDEN_ADMIN_TOKEN}, and for HTTPS a CA certificate from {@code --ca}. Exit codes: 0
 * success, 1 the API refused (the message says why), 2 usage or connection error.
 */
public final class AdminCommand {

    /** Subcommands that talk to the admin API; {@code validate} and {@code show} work on files alone. */
    public static final Set<String> COMMANDS = Set.of("list", "apply", "diff", "explain", "history", "rollback");

    /** The options of {@code list} and the query parameters of {@code GET /v1/acls} they become. */
    private static final Map<String, String> LIST_PARAMETERS = Map.of("principal", "principal",
            "resource-type", "resourceType", "resource-name", "resourceName", "operation", "operation",
            "permission", "permission", "host", "host", "pattern-type", "patternType");

    /** The options each subcommand takes besides the common ones; any other is a usage error. */
    private static final Map<String, Set<String>> OPTIONS = Map.of(
            "list", LIST_PARAMETERS.keySet(),
            "apply", Set.of("comment", "if-match"),
            "diff", Set.of(),
            "explain", Set.of("principal", "operation", "resource-type", "resource-name", "host"),
            "history", Set.of(),
            "rollback", Set.of("if-match"));

    public static final String USAGE = """
            usage: warden policies list [--principal P] [--resource-type T] [--resource-name N] [--operation OP]
                   warden policies apply FILE [--comment TEXT] [--if-match VERSION]
                                                                  replace the policy, if it is still VERSION (the
                                                                  version FILE was made from); without --if-match,
                                                                  whatever the policy is now
                   warden policies diff FILE                       what applying FILE would add and remove
                   warden policies explain --principal P --operation OP --resource-type T --resource-name N [--host H]
                   warden policies history
                   warden policies rollback VERSION [--if-match CURRENT]
                                                                  make VERSION's policy the current one, if the
                                                                  policy is still CURRENT; without --if-match,
                                                                  whatever the policy is now
              common: [--url URL] [--token TOKEN] [--ca CA_PEM]   (or WARDEN_ADMIN_URL, WARDEN_ADMIN_TOKEN)
            """;

    private final PrintStream out;
    private final PrintStream err;
    private String url = System.getenv().getOrDefault("WARDEN_ADMIN_URL", "http://127.0.0.1:9180");
    private String token = System.getenv("WARDEN_ADMIN_TOKEN");
    private Path ca;
    private final Map<String, String> options = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();
    private HttpClient http;

    private AdminCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs {@code args} (starting with the subcommand); returns the exit code. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        AdminCommand c = new AdminCommand(out, err);
        try {
            c.parse(args.subList(1, args.size()));
            c.checkOptions(args.get(0));
            c.http = c.client();
            return switch (args.get(0)) {
                case "list" -> c.list();
                case "apply" -> c.apply();
                case "diff" -> c.diff();
                case "explain" -> c.explain();
                case "history" -> c.history();
                case "rollback" -> c.rollback();
                default -> c.usage("unknown subcommand " + args.get(0));
            };
        } catch (UsageException e) {
            return c.usage(e.getMessage());
        } catch (PolicyException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("error: cannot reach the admin API at " + c.url + ": " + e.getMessage());
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 2;
        }
    }

    private static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    private void parse(List<String> args) throws UsageException {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("--")) {
                if (i + 1 >= args.size()) {
                    throw new UsageException(a + " needs a value");
                }
                String v = args.get(++i);
                switch (a) {
                    case "--url" -> url = v;
                    case "--token" -> token = v;
                    case "--ca" -> ca = Path.of(v);
                    default -> options.put(a.substring(2), v);
                }
            } else {
                positional.add(a);
            }
        }
    }

    private void checkOptions(String command) throws UsageException {
        Set<String> known = OPTIONS.get(command);
        if (known == null) {
            return; // an unknown subcommand is reported as such
        }
        for (String option : options.keySet()) {
            if (!known.contains(option)) {
                throw new UsageException(command + " has no option --" + option
                        + (known.isEmpty() ? "" : " (it takes " + known.stream().sorted().map(o -> "--" + o).toList() + ")"));
            }
        }
    }

    private int list() throws IOException, InterruptedException, UsageException {
        StringBuilder query = new StringBuilder();
        for (Map.Entry<String, String> o : options.entrySet()) {
            String param = LIST_PARAMETERS.get(o.getKey());
            query.append(query.isEmpty() ? "?" : "&").append(param).append('=')
                    .append(java.net.URLEncoder.encode(o.getValue(), java.nio.charset.StandardCharsets.UTF_8));
        }
        HttpResponse<String> r = send(get("/v1/acls" + query));
        if (r.statusCode() != 200) {
            return refused(r);
        }
        JsonObject body = new JsonObject(r.body());
        out.println("# policy version " + body.getLong("version"));
        body.getJsonArray("acls").forEach(a -> out.println(line((JsonObject) a)));
        return 0;
    }

    private int apply() throws IOException, InterruptedException, UsageException {
        Path file = onePath();
        String yaml = Files.readString(file);
        PolicyParser.parse(file.toString(), yaml); // a broken file is reported with its line before anything is sent
        String etag = currentOrExpected();
        if (etag == null) {
            return 1;
        }
        JsonObject body = new JsonObject().put("yaml", yaml).put("comment", options.getOrDefault("comment", "applied " + file.getFileName()));
        HttpResponse<String> r = send(request("/v1/policy").header("If-Match", etag).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body.encode())).build());
        if (r.statusCode() != 200) {
            return refused(r);
        }
        JsonObject change = new JsonObject(r.body());
        out.println("applied " + file + ": policy version " + change.getLong("version") + " ("
                + change.getJsonArray("added").size() + " ACLs added, " + change.getJsonArray("removed").size() + " removed)");
        return 0;
    }

    private int diff() throws IOException, InterruptedException, UsageException {
        Path file = onePath();
        PolicyDocument wanted = PolicyParser.load(file);
        HttpResponse<String> r = send(get("/v1/policy"));
        if (r.statusCode() != 200) {
            return refused(r);
        }
        JsonObject current = new JsonObject(r.body());
        Set<String> now = new LinkedHashSet<>();
        current.getJsonArray("acls").forEach(a -> now.add(line((JsonObject) a)));
        Set<String> then = new LinkedHashSet<>();
        wanted.bindings().forEach(b -> then.add(line(AclText.toJson(b))));
        out.println("--- policy version " + current.getLong("version"));
        out.println("+++ " + file);
        now.stream().filter(l -> !then.contains(l)).forEach(l -> out.println("- " + l));
        then.stream().filter(l -> !now.contains(l)).forEach(l -> out.println("+ " + l));
        return 0;
    }

    private int explain() throws IOException, InterruptedException, UsageException {
        JsonObject q = new JsonObject();
        for (String required : List.of("principal", "operation", "resource-type", "resource-name")) {
            if (!options.containsKey(required)) {
                throw new UsageException("explain needs --" + required);
            }
        }
        q.put("principal", options.get("principal")).put("operation", options.get("operation"))
                .put("resourceType", options.get("resource-type")).put("resourceName", options.get("resource-name"));
        if (options.containsKey("host")) {
            q.put("host", options.get("host"));
        }
        HttpResponse<String> r = send(post("/v1/explain", q));
        if (r.statusCode() != 200) {
            return refused(r);
        }
        JsonObject d = new JsonObject(r.body());
        out.println(d.getString("decision") + " (" + d.getString("reason") + ", policy version " + d.getLong("version") + ")"
                + (d.containsKey("rule") ? ": " + line(d.getJsonObject("rule")) : ""));
        return 0;
    }

    private int history() throws IOException, InterruptedException {
        HttpResponse<String> r = send(get("/v1/policy/history"));
        if (r.statusCode() != 200) {
            return refused(r);
        }
        JsonArray versions = new JsonObject(r.body()).getJsonArray("versions");
        versions.forEach(v -> {
            JsonObject o = (JsonObject) v;
            out.printf("%5d  %s  %-24s %s%n", o.getLong("version"), o.getString("time"), o.getString("author"), o.getString("comment"));
        });
        return 0;
    }

    private int rollback() throws IOException, InterruptedException, UsageException {
        if (positional.size() != 1) {
            throw new UsageException("rollback takes one version number");
        }
        long version;
        try {
            version = Long.parseLong(positional.get(0));
        } catch (NumberFormatException e) {
            throw new UsageException("not a version number: " + positional.get(0));
        }
        String etag = currentOrExpected();
        if (etag == null) {
            return 1;
        }
        HttpResponse<String> r = send(request("/v1/policy/rollback")
                .header("If-Match", etag).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("version", version).encode())).build());
        if (r.statusCode() != 200) {
            return refused(r);
        }
        out.println("rolled back to version " + version + ": policy version " + new JsonObject(r.body()).getLong("version"));
        return 0;
    }

    // --- plumbing

    /**
     * The If-Match header of an edit: {@code --if-match}'s version when given, otherwise the current policy's ETag
     * (the edit then applies to whatever the policy is now); null, the refusal printed, when that cannot be read.
     */
    private String currentOrExpected() throws IOException, InterruptedException, UsageException {
        if (options.containsKey("if-match")) {
            return ifMatch(options.get("if-match"));
        }
        HttpResponse<String> current = send(get("/v1/policy"));
        if (current.statusCode() != 200) {
            refused(current);
            return null;
        }
        return current.headers().firstValue("ETag").orElse("*");
    }

    /** {@code --if-match 7} (or the ETag {@code v7} / {@code "v7"} as the API sends it) as an If-Match header. */
    private static String ifMatch(String value) throws UsageException {
        long version;
        try {
            version = AdminServer.expectedVersion(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--if-match: expected the policy version the edit is made from, such as 7, got "
                    + value);
        }
        return version == io.warden.policies.store.PolicyStore.ANY_VERSION ? "*" : "\"v" + version + "\"";
    }

    private Path onePath() throws UsageException {
        if (positional.size() != 1) {
            throw new UsageException("expected one policy file");
        }
        return Path.of(positional.get(0));
    }

    private static String line(JsonObject a) {
        String pattern = a.getString("patternType", "LITERAL");
        return a.getString("permission") + " " + a.getString("principal") + " " + a.getString("operation") + " "
                + a.getString("resourceType").toLowerCase(java.util.Locale.ROOT) + ":" + a.getString("resourceName")
                + (pattern.equals("PREFIXED") ? " (prefixed)" : "")
                + ("*".equals(a.getString("host", "*")) ? "" : " from " + a.getString("host"));
    }

    private int refused(HttpResponse<String> r) {
        String message;
        try {
            message = new JsonObject(r.body()).getString("error", r.body());
        } catch (RuntimeException notJson) {
            message = r.body();
        }
        err.println("error: " + r.statusCode() + ": " + message);
        return 1;
    }

    private int usage(String problem) {
        err.println("error: " + problem);
        err.print(USAGE);
        return 2;
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + path)).timeout(Duration.ofSeconds(30));
        if (token != null && !token.isBlank()) {
            b.header("Authorization", "Bearer " + token.trim());
        }
        return b;
    }

    private HttpRequest get(String path) {
        return request(path).GET().build();
    }

    private HttpRequest post(String path, JsonObject body) {
        return request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpClient client() throws IOException {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (ca != null) {
            try (InputStream in = Files.newInputStream(ca)) {
                KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
                trust.load(null, null);
                int i = 0;
                for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    trust.setCertificateEntry("ca-" + i++, (X509Certificate) cert);
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
                SSLContext ssl = SSLContext.getInstance("TLS");
                ssl.init(null, tmf.getTrustManagers(), null);
                b.sslContext(ssl);
            } catch (java.security.GeneralSecurityException e) {
                throw new IOException("cannot use CA certificate " + ca + ": " + e.getMessage(), e);
            }
        }
        return b.build();
    }
}
