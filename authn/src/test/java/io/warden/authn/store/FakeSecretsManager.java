package io.warden.authn.store;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.protocols.jsoncore.JsonNode;
import software.amazon.awssdk.protocols.jsoncore.JsonNodeParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for AWS Secrets Manager, since the real service cannot be reached from tests. Speaks the JSON 1.1
 * protocol of the two calls the store makes (ListSecrets, GetSecretValue) on 127.0.0.1, answers errors the way AWS
 * does (HTTP 400, {@code {"__type": ..., "message": ...}}), and checks the SigV4 signature of every request with its
 * own verifier, recording each bad one. ListSecrets gives each secret's CreatedDate and, unless the secret uses the AWS
 * managed key, its KmsKeyId. Tests can rotate and delete secrets, refuse access, throttle, and take the endpoint
 * down.
 */
public final class FakeSecretsManager implements AutoCloseable {

    static final String ACCESS_KEY = "AKIAWARDENTEST000001";
    static final String SECRET_KEY = "wardenTestSecretKey/x9v2Lq7PzT4mR8sN1cK5bY3hJ6";
    static final String REGION = "us-east-1";
    private static final String ACCOUNT = "123456789012";
    private static final String JSON_1_1 = "application/x-amz-json-1.1";
    private static final JsonNodeParser JSON = JsonNodeParser.create();

    private final int pageSize;
    private final SigV4Verifier verifier = new SigV4Verifier(ACCESS_KEY, SECRET_KEY, REGION, "secretsmanager");
    private final Map<String, Secret> secrets = new TreeMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final List<String> signatureFailures = new CopyOnWriteArrayList<>();
    private final Set<String> unreadable = new HashSet<>();
    private boolean accessDenied;
    private int throttleNext;
    private Instant lastCreated;
    private HttpServer server;
    private int port;

    /** A stand-in whose ListSecrets returns at most {@code pageSize} secrets per page. */
    public FakeSecretsManager(int pageSize) {
        this.pageSize = pageSize;
        listen(0);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
    }

    /** Creates the secret, or gives it a new AWSCURRENT version (the old one becomes AWSPREVIOUS); the version id. */
    public synchronized String putSecret(String name, String secretString) {
        return put(name, secretString, null);
    }

    synchronized String putBinarySecret(String name, byte[] value) {
        return put(name, null, value.clone());
    }

    private String put(String name, String string, byte[] binary) {
        Secret secret = secrets.computeIfAbsent(name, n -> new Secret(n, nextCreatedDate()));
        secret.previousVersion = secret.currentVersion;
        secret.currentVersion = UUID.randomUUID().toString();
        secret.string = string;
        secret.binary = binary;
        return secret.currentVersion;
    }

    /** Creation times strictly increase, as they do for secrets created one after the other. */
    private Instant nextCreatedDate() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        lastCreated = lastCreated == null || now.isAfter(lastCreated) ? now : lastCreated.plusMillis(1);
        return lastCreated;
    }

    /** Gives the secret this CreatedDate, as if it had been created then. */
    synchronized void createdDate(String name, Instant created) {
        secrets.get(name).createdDate = created;
    }

    /**
     * Encrypts the secret with this KMS key; null: with the AWS managed key {@code aws/secretsmanager}, for which
     * ListSecrets leaves KmsKeyId out. New secrets use a customer managed key, as MSK requires.
     */
    synchronized void kmsKey(String name, String kmsKeyId) {
        secrets.get(name).kmsKeyId = kmsKeyId;
    }

    public synchronized void deleteSecret(String name) {
        secrets.remove(name);
    }

    synchronized String arn(String name) {
        return secrets.get(name).arn;
    }

    /** Every request is refused with AccessDeniedException while on. */
    public synchronized void accessDenied(boolean on) {
        accessDenied = on;
    }

    /** GetSecretValue of this one secret is refused with AccessDeniedException while on. */
    synchronized void denyRead(String name, boolean on) {
        if (on) {
            unreadable.add(name);
        } else {
            unreadable.remove(name);
        }
    }

    /** The next {@code count} requests, whatever their action, fail with ThrottlingException. */
    synchronized void throttleNext(int count) {
        throttleNext = count;
    }

    /** Stops listening: connections are refused until {@link #up()}. */
    public synchronized void down() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    /** Listens again on the same port. */
    public synchronized void up() {
        if (server == null) {
            listen(port);
        }
    }

    /** Requests received for an action ("ListSecrets", "GetSecretValue"), including refused ones. */
    public int requests(String action) {
        AtomicInteger count = requests.get(action);
        return count == null ? 0 : count.get();
    }

    /** Every request whose signature did not verify, with the reason. */
    public List<String> signatureFailures() {
        return List.copyOf(signatureFailures);
    }

    void clearSignatureFailures() {
        signatureFailures.clear();
    }

    @Override
    public void close() {
        down();
    }

    private void listen(int wantedPort) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), wantedPort), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + wantedPort, e);
        }
        server.createContext("/", this::handle);
        server.start();
        port = server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String action = target != null && target.startsWith("secretsmanager.")
                    ? target.substring("secretsmanager.".length()) : String.valueOf(target);
            requests.computeIfAbsent(action, a -> new AtomicInteger()).incrementAndGet();
            String problem = verifier.verify(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders(), body, Instant.now());
            if (problem != null) {
                signatureFailures.add(action + ": " + problem);
                error(exchange, "InvalidSignatureException", "The request signature we calculated does not match "
                        + "the signature you provided.");
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod())
                    || !JSON_1_1.equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
                error(exchange, "SerializationException", "expected a POST of " + JSON_1_1);
                return;
            }
            respond(exchange, action, JSON.parse(body.length == 0 ? "{}".getBytes(StandardCharsets.UTF_8) : body));
        } catch (RuntimeException e) {
            send(exchange, 500, "{\"__type\":\"InternalServiceError\",\"message\":" + str(e.toString()) + "}");
        } finally {
            exchange.close();
        }
    }

    private synchronized void respond(HttpExchange exchange, String action, JsonNode request) throws IOException {
        if (accessDenied) {
            error(exchange, "AccessDeniedException", "User: arn:aws:iam::" + ACCOUNT + ":user/warden is not "
                    + "authorized to perform: secretsmanager:" + action);
            return;
        }
        if (throttleNext > 0) {
            throttleNext--;
            error(exchange, "ThrottlingException", "Rate exceeded");
            return;
        }
        switch (action) {
            case "ListSecrets" -> listSecrets(exchange, request);
            case "GetSecretValue" -> getSecretValue(exchange, request);
            default -> error(exchange, "UnknownOperationException", "unsupported action " + action);
        }
    }

    private void listSecrets(HttpExchange exchange, JsonNode request) throws IOException {
        List<String> prefixes = new ArrayList<>();
        for (JsonNode filter : request.field("Filters").map(JsonNode::asArray).orElse(List.of())) {
            String key = filter.field("Key").map(JsonNode::asString).orElse("");
            if (!"name".equals(key)) {
                error(exchange, "InvalidParameterException", "filter key not supported here: " + key);
                return;
            }
            for (JsonNode value : filter.field("Values").map(JsonNode::asArray).orElse(List.of())) {
                if (value.asString().startsWith("!")) {
                    error(exchange, "InvalidParameterException", "negated filters not supported here");
                    return;
                }
                prefixes.add(value.asString());
            }
        }
        int maxResults = request.field("MaxResults").map(n -> Integer.parseInt(n.asNumber())).orElse(100);
        int offset = 0;
        if (request.field("NextToken").isPresent()) {
            try {
                offset = Integer.parseInt(new String(Base64.getDecoder().decode(
                        request.field("NextToken").get().asString()), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                error(exchange, "InvalidNextTokenException", "The NextToken value is invalid.");
                return;
            }
        }
        List<Secret> matching = secrets.values().stream()
                .filter(s -> prefixes.isEmpty() || prefixes.stream().anyMatch(s.name::startsWith))
                .toList();
        int size = Math.min(maxResults, pageSize);
        int end = Math.min(matching.size(), offset + size);
        StringBuilder json = new StringBuilder("{\"SecretList\":[");
        for (int i = offset; i < end; i++) {
            Secret s = matching.get(i);
            json.append(i > offset ? "," : "").append("{\"ARN\":").append(str(s.arn)).append(",\"Name\":")
                    .append(str(s.name)).append(",\"LastChangedDate\":").append(Instant.now().getEpochSecond())
                    .append(",\"CreatedDate\":").append(epochSeconds(s.createdDate))
                    .append(s.kmsKeyId == null ? "" : ",\"KmsKeyId\":" + str(s.kmsKeyId))
                    .append(",\"SecretVersionsToStages\":{").append(str(s.currentVersion)).append(":[\"AWSCURRENT\"]");
            if (s.previousVersion != null) {
                json.append(",").append(str(s.previousVersion)).append(":[\"AWSPREVIOUS\"]");
            }
            json.append("}}");
        }
        json.append("]");
        if (end < matching.size()) {
            json.append(",\"NextToken\":").append(str(Base64.getEncoder().encodeToString(
                    Integer.toString(end).getBytes(StandardCharsets.UTF_8))));
        }
        send(exchange, 200, json.append("}").toString());
    }

    private void getSecretValue(HttpExchange exchange, JsonNode request) throws IOException {
        String id = request.field("SecretId").map(JsonNode::asString).orElse("");
        Secret secret = secrets.values().stream().filter(s -> s.name.equals(id) || s.arn.equals(id)).findFirst()
                .orElse(null);
        if (secret == null) {
            error(exchange, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
            return;
        }
        if (unreadable.contains(secret.name)) {
            error(exchange, "AccessDeniedException", "not authorized to perform: secretsmanager:GetSecretValue on "
                    + secret.arn);
            return;
        }
        String stage = request.field("VersionStage").map(JsonNode::asString).orElse("AWSCURRENT");
        if (!"AWSCURRENT".equals(stage)) {
            error(exchange, "ResourceNotFoundException", "no version with stage " + stage);
            return;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("ARN", str(secret.arn));
        fields.put("Name", str(secret.name));
        fields.put("VersionId", str(secret.currentVersion));
        if (secret.string != null) {
            fields.put("SecretString", str(secret.string));
        } else {
            fields.put("SecretBinary", str(Base64.getEncoder().encodeToString(secret.binary)));
        }
        fields.put("VersionStages", "[\"AWSCURRENT\"]");
        fields.put("CreatedDate", Long.toString(Instant.now().getEpochSecond()));
        StringBuilder json = new StringBuilder("{");
        fields.forEach((k, v) -> json.append(json.length() > 1 ? "," : "").append(str(k)).append(':').append(v));
        send(exchange, 200, json.append('}').toString());
    }

    /** A timestamp as AWS's JSON protocol writes it: epoch seconds, with the milliseconds as a fraction. */
    private static String epochSeconds(Instant instant) {
        return instant.getEpochSecond() + "." + String.format("%03d", instant.getNano() / 1_000_000);
    }

    private static void error(HttpExchange exchange, String type, String message) throws IOException {
        send(exchange, 400, "{\"__type\":" + str(type) + ",\"message\":" + str(message) + "}");
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", JSON_1_1);
        exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static String str(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return out.append('"').toString();
    }

    private static final class Secret {
        final String name;
        final String arn;
        String currentVersion;
        String previousVersion;
        String string;
        byte[] binary;
        Instant createdDate;
        String kmsKeyId = "arn:aws:kms:" + REGION + ":" + ACCOUNT + ":key/" + UUID.randomUUID();

        Secret(String name, Instant createdDate) {
            this.name = name;
            this.createdDate = createdDate;
            this.arn = "arn:aws:secretsmanager:" + REGION + ":" + ACCOUNT + ":secret:" + name + "-"
                    + UUID.randomUUID().toString().substring(0, 6);
        }
    }
}
