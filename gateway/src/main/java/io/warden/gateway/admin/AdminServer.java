package io.warden.gateway.admin;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.PlatformHandler;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidatorException;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditEventType;
import io.warden.authn.oauth.JwtValidator;
import io.warden.authz.AuthorizationDecision;
import io.warden.gateway.audit.GatewayAudit;
import io.warden.gateway.auth.Authorization;
import io.warden.gateway.config.AdminConfig;
import io.warden.policies.PolicyDocument;
import io.warden.policies.PolicyException;
import io.warden.policies.PolicyParser;
import io.warden.policies.store.PolicyConflictException;
import io.warden.policies.store.PolicyStore;
import io.warden.policies.store.PolicyVersion;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The admin API: an HTTP(S) listener, loopback unless configured, whose routes come from the OpenAPI contract
 * {@code admin-openapi.json} (served at {@code /openapi.json}); every request is validated against it before a handler
 * sees it. Callers authenticate with a JWT bearer token carrying roles, or a client certificate mapped to a role;
 * {@code auditor} may read, {@code policy-admin} may also edit. Refused calls are audited, and every change is
 * audited by {@link PolicyAdmin} with who made it and what it changed.
 */
public final class AdminServer {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    static final String CONTRACT = "admin-openapi.json";
    private static final String IDENTITY = "warden.admin.identity";
    /**
     * Paths served without authentication: the contract and health, which name nothing of the gateway's traffic.
     * {@code /metrics} too, unless {@link io.warden.gateway.config.MetricsConfig#authenticated()}.
     */
    static final Set<String> UNAUTHENTICATED = Set.of("/openapi.json", "/health/live", "/health/ready");
    /** Prometheus text; see {@link #UNAUTHENTICATED}. */
    static final String METRICS = "/metrics";

    /**
     * The largest request body accepted; larger ones get 413. Room for the largest policy the parser takes
     * ({@link PolicyParser#MAX_YAML_BYTES}) as a JSON string, where each line break takes two bytes, and the other fields.
     */
    static final long MAX_BODY_BYTES = 2L * PolicyParser.MAX_YAML_BYTES + 1024 * 1024;

    /** The gateway's metrics and readiness, served next to the admin API without authentication. */
    public interface Operations {
        /** The Prometheus text exposition of every metric. */
        String scrapeMetrics();

        /** {@code {status: ready|not ready, checks: {name: "ok..." or the reason}}}. */
        Future<JsonObject> readiness();
    }

    private final Vertx vertx;
    private final AdminConfig config;
    private final Operations operations;
    private final PolicyAdmin admin;
    private final Authorization authorization;
    private final AdminAuthenticator authenticator;
    private final GatewayAudit audit;
    private HttpServer server;

    private AdminServer(Vertx vertx, AdminConfig config, PolicyAdmin admin, Authorization authorization, GatewayAudit audit,
                        Operations operations) {
        this.vertx = vertx;
        this.operations = operations;
        this.config = config;
        this.admin = admin;
        this.authorization = authorization;
        this.audit = audit;
        this.authenticator = new AdminAuthenticator(config, config.jwt() == null ? null : new JwtValidator(config.jwt()));
    }

    /** Starts listening; fails when the port cannot be bound or the contract does not load. */
    public static Future<AdminServer> start(Vertx vertx, AdminConfig config, PolicyAdmin admin, Authorization authorization,
                                            GatewayAudit audit, Operations operations) {
        AdminServer s = new AdminServer(vertx, config, admin, authorization, audit, operations);
        JsonObject contract;
        try {
            contract = contract();
        } catch (IOException e) {
            return Future.failedFuture(e);
        }
        return OpenAPIContract.from(vertx, contract).compose(c -> {
            Router router = s.router(c, contract);
            HttpServerOptions options = new HttpServerOptions().setHost(config.bindHost()).setPort(config.port());
            if (config.tls() != null) {
                config.tls().applyTo(options);
            }
            return vertx.createHttpServer(options).requestHandler(router).listen();
        }).map(server -> {
            s.server = server;
            LOG.info("event=listener_started listener=admin-api address={}:{} security={} bearer_tokens={} certificate_roles={}",
                    config.bindHost(), server.actualPort(), config.tls() == null ? "HTTP"
                            : "HTTPS client_auth=" + config.tls().clientAuth().name().toLowerCase(java.util.Locale.ROOT),
                    config.jwt() != null, config.certificateRoles().size());
            return s;
        });
    }

    static JsonObject contract() throws IOException {
        try (InputStream in = AdminServer.class.getResourceAsStream(CONTRACT)) {
            if (in == null) {
                throw new IOException("admin API contract " + CONTRACT + " missing from the classpath");
            }
            return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** The port actually bound (useful with port 0 in tests). */
    public int port() {
        return server.actualPort();
    }

    /** Re-reads the TLS files for new connections; open connections continue. */
    public Future<Void> reloadTls(io.warden.gateway.config.TlsConfig tls) {
        return server.updateSSLOptions(tls.serverSslOptions(), true).mapEmpty();
    }

    public Future<Void> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    private Router router(OpenAPIContract contract, JsonObject raw) {
        RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
        for (OpenAPIRoute route : builder.getRoutes()) {
            route.setDoSecurity(false); // authentication and roles are checked by the root handler, below
        }
        // Callers are authenticated before their body is read, so an unauthenticated one never makes the server buffer
        // it. Vert.x Web runs only platform handlers ahead of the body handler; this one pauses the request itself.
        builder.rootHandler((PlatformHandler) this::authenticate);
        builder.rootHandler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
        read(builder, "getPolicy", ctx -> versionJson(admin.current(), true));
        read(builder, "getHistory", ctx -> {
            JsonArray versions = new JsonArray();
            admin.store().history().forEach(v -> versions.add(versionJson(v, false)));
            return new JsonObject().put("versions", versions);
        });
        read(builder, "getVersion", ctx -> versionJson(version(pathNumber(ctx, "version")), true));
        read(builder, "diffPolicy", ctx -> {
            PolicyVersion from = version(queryNumber(ctx, "from"));
            Object toParam = queryNumber(ctx, "to");
            PolicyVersion to = toParam == null ? admin.current() : version(toParam);
            PolicyAdmin.AclChange d = PolicyAdmin.diff(from.document(), to);
            return new JsonObject().put("from", from.version()).put("to", to.version())
                    .put("added", AclText.toJson(d.added())).put("removed", AclText.toJson(d.removed()));
        });
        read(builder, "listAcls", ctx -> {
            JsonObject filter = new JsonObject();
            request(ctx).getQuery().forEach((name, value) -> {
                if (!value.isNull()) {
                    filter.put(name, value.getString());
                }
            });
            AclBindingFilter f = filter.isEmpty() ? AclBindingFilter.ANY : AclText.filter(filter);
            PolicyVersion current = admin.current();
            return new JsonObject().put("version", current.version())
                    .put("acls", AclText.toJson(PolicyAdmin.describe(current, f)));
        });
        read(builder, "validatePolicy", ctx -> {
            String yaml = body(ctx).getString("yaml");
            try {
                PolicyDocument doc = PolicyParser.parse("policy", yaml);
                return new JsonObject().put("valid", true).put("acls", doc.bindings().size())
                        .put("superUsers", new JsonArray(new ArrayList<>(doc.superUsers())))
                        .put("warnings", new JsonArray(doc.warnings()));
            } catch (PolicyException e) {
                return new JsonObject().put("valid", false).put("error", e.getMessage());
            }
        });
        read(builder, "explain", ctx -> {
            JsonObject q = body(ctx);
            AclOperation op = AclText.enumValue(AclOperation.class, q.getString("operation"), "operation");
            ResourceType type = AclText.enumValue(ResourceType.class, q.getString("resourceType"), "resourceType");
            if (op == AclOperation.ANY || op == AclOperation.UNKNOWN || op == AclOperation.ALL) {
                throw new IllegalArgumentException("operation: explain one concrete operation, not " + op);
            }
            if (type == ResourceType.ANY || type == ResourceType.UNKNOWN) {
                throw new IllegalArgumentException("resourceType: explain one concrete resource type, not " + type);
            }
            String host = q.getString("host", "0.0.0.0");
            AuthorizationDecision d = authorization.explain(q.getString("principal"), host, op, type, q.getString("resourceName"));
            JsonObject out = new JsonObject().put("decision", d.allowed() ? "ALLOW" : "DENY")
                    .put("reason", d.reason().name()).put("version", admin.current().version());
            if (d.rule() != null) {
                out.put("rule", AclText.toJson(d.rule()));
            }
            return out;
        });
        edit(builder, "putPolicy", true, (ctx, expected, who) -> {
            JsonObject b = body(ctx);
            PolicyDocument doc = PolicyParser.parse("policy", b.getString("yaml"));
            return changeJson(admin.replace(doc, expected, who, PolicyAdmin.ADMIN_API, b.getString("comment", "")), 200);
        });
        edit(builder, "rollbackPolicy", true, (ctx, expected, who) -> {
            long to = version(body(ctx).getValue("version")).version();
            return changeJson(admin.rollback(to, expected, who, PolicyAdmin.ADMIN_API), 200);
        });
        edit(builder, "createAcls", false, (ctx, expected, who) -> {
            JsonArray acls = body(ctx).getJsonArray("acls");
            List<AclBinding> bindings = new ArrayList<>();
            for (int i = 0; i < acls.size(); i++) {
                try {
                    bindings.add(AclText.binding(acls.getJsonObject(i)));
                } catch (IllegalArgumentException e) {
                    throw new BadRequest("acls[" + i + "]." + e.getMessage());
                }
            }
            try {
                PolicyAdmin.AclChange change = admin.addAcls(bindings, expected, who, PolicyAdmin.ADMIN_API);
                return changeJson(change, change.added().isEmpty() ? 200 : 201);
            } catch (PolicyAdmin.InvalidAclException e) {
                throw new BadRequest("acls[" + e.index() + "]: " + e.getMessage());
            }
        });
        edit(builder, "deleteAcls", false, (ctx, expected, who) -> {
            JsonArray filters = body(ctx).getJsonArray("filters");
            List<AclBindingFilter> parsed = new ArrayList<>();
            for (int i = 0; i < filters.size(); i++) {
                try {
                    parsed.add(AclText.filter(filters.getJsonObject(i)));
                } catch (IllegalArgumentException e) {
                    throw new BadRequest("filters[" + i + "]." + e.getMessage());
                }
            }
            return changeJson(admin.removeAcls(parsed, expected, who, PolicyAdmin.ADMIN_API), 200);
        });
        Router router = builder.createRouter();
        router.get("/openapi.json").order(-1).handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/json").end(raw.encodePrettily()));
        // Ahead of the root handlers, as health is: authenticated here when it must be.
        router.get(METRICS).order(-1).handler(ctx -> {
            if (!config.metrics().authenticated()) {
                scrapeMetrics(ctx);
                return;
            }
            identify(ctx, () -> {
                ctx.request().resume(); // no body handler on this route: the connection may carry the next scrape
                if (allowed(ctx, "scrapeMetrics", AdminConfig.ROLES)) {
                    scrapeMetrics(ctx);
                }
            });
        });
        router.get("/health/live").order(-1).handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/json").end(new JsonObject().put("status", "live").encode()));
        router.get("/health/ready").order(-1).handler(ctx -> operations.readiness().onComplete(ar -> {
            JsonObject body = ar.succeeded() ? ar.result()
                    : new JsonObject().put("status", "not ready").put("checks", new JsonObject().put("readiness", String.valueOf(ar.cause())));
            ctx.response().setStatusCode(body.getString("status").equals("ready") ? 200 : 503)
                    .putHeader("Content-Type", "application/json").end(body.encode());
        }));
        router.route().failureHandler(this::failed);
        return router;
    }

    private void scrapeMetrics(RoutingContext ctx) {
        vertx.executeBlocking(operations::scrapeMetrics, false)
                .onSuccess(text -> ctx.response().putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(text))
                .onFailure(ctx::fail);
    }

    // --- authentication and roles

    private void authenticate(RoutingContext ctx) {
        String path = ctx.request().path();
        if (UNAUTHENTICATED.contains(path) || path.equals(METRICS) && !config.metrics().authenticated()) {
            ctx.next();
            return;
        }
        identify(ctx, ctx::next);
    }

    /**
     * Finds who is calling, stores it in the context and runs {@code then}; answers 401 (or 403) and audits the
     * failure when the caller cannot be authenticated. The request stays paused, its body unread, until then.
     */
    private void identify(RoutingContext ctx, Runnable then) {
        // The body waits, unread, until the caller is known; the body handler resumes the request.
        ctx.request().pause();
        vertx.executeBlocking(() -> authenticator.authenticate(ctx.request()), false).onComplete(ar -> {
            if (ar.failed()) {
                AdminAuthenticator.Refusal refusal = ar.cause() instanceof AdminAuthenticator.Refusal r ? r
                        : new AdminAuthenticator.Refusal(401, "authentication failed", "-");
                audit.note(event(ctx, AuditEventType.AUTHENTICATION_FAILURE, null)
                        .outcome((short) refusal.status(), refusal.detail())
                        .detail("mechanism", refusal.mechanism())
                        .build());
                if (refusal.status() == 401) {
                    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"warden-admin\"");
                }
                if (!ctx.request().isEnded()) {
                    ctx.response().putHeader("Connection", "close"); // its body is never read
                }
                error(ctx, refusal.status(), refusal.getMessage(), null);
                return;
            }
            ctx.put(IDENTITY, ar.result());
            then.run();
        });
    }

    private boolean allowed(RoutingContext ctx, String operationId, boolean edits) {
        return allowed(ctx, operationId, edits ? Set.of(AdminConfig.POLICY_ADMIN) : Set.of(AdminConfig.AUDITOR, AdminConfig.POLICY_ADMIN));
    }

    /** True when the caller has one of {@code roles}; otherwise answers 403 and audits the refusal. */
    private boolean allowed(RoutingContext ctx, String operationId, Set<String> roles) {
        AdminAuthenticator.Identity who = ctx.get(IDENTITY);
        if (who.roles().stream().anyMatch(roles::contains)) {
            return true;
        }
        String reason = who.principal() + " has roles " + who.roles() + "; " + operationId + " needs "
                + roles.stream().sorted().collect(java.util.stream.Collectors.joining(" or "));
        audit.note(event(ctx, AuditEventType.AUTHORIZATION_DENIED, who.principal()).api(operationId, -1)
                .outcome((short) 403, reason).build());
        error(ctx, 403, reason, null);
        return false;
    }

    /** Without an authorization section there is no policy to read or edit; health and metrics are still served. */
    private boolean hasPolicy(RoutingContext ctx) {
        if (admin == null) {
            error(ctx, 404, "this gateway enforces no ACL policy (its configuration has no authorization section)", null);
            return false;
        }
        return true;
    }

    private AuditEvent.Builder event(RoutingContext ctx, AuditEventType type, String principal) {
        return AuditEvent.builder(type, Instant.now())
                .principal(principal)
                .client(ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress(),
                        ctx.request().remoteAddress() == null ? -1 : ctx.request().remoteAddress().port())
                .listener("admin")
                .detail("path", ctx.request().method() + " " + ctx.request().path());
    }

    // --- handlers

    @FunctionalInterface
    private interface Read {
        JsonObject handle(RoutingContext ctx) throws Exception;
    }

    @FunctionalInterface
    private interface Edit {
        Reply handle(RoutingContext ctx, long expectedVersion, String who) throws Exception;
    }

    /** A response body with its status. */
    private record Reply(int status, JsonObject body, PolicyVersion version) {
    }

    private void read(RouterBuilder builder, String operationId, Read handler) {
        builder.getRoute(operationId).addHandler(ctx -> {
            if (!allowed(ctx, operationId, false) || !hasPolicy(ctx)) {
                return;
            }
            blocking(ctx, () -> {
                JsonObject body = handler.handle(ctx);
                return new Reply(200, body, null);
            });
        });
    }

    /**
     * An edit: needs policy-admin; {@code If-Match} names the version it was made against (required when
     * {@code mustMatch}, as for replacing the whole policy).
     */
    private void edit(RouterBuilder builder, String operationId, boolean mustMatch, Edit handler) {
        builder.getRoute(operationId).addHandler(ctx -> {
            if (!allowed(ctx, operationId, true) || !hasPolicy(ctx)) {
                return;
            }
            String ifMatch = ctx.request().getHeader("If-Match");
            if (ifMatch == null && mustMatch) {
                error(ctx, 428, "If-Match is required: send the ETag of the policy version this edit was made against "
                        + "(GET /v1/policy), so that no one else's change is overwritten", null);
                return;
            }
            long expected;
            try {
                expected = expectedVersion(ifMatch);
            } catch (IllegalArgumentException e) {
                error(ctx, 400, e.getMessage(), "If-Match");
                return;
            }
            AdminAuthenticator.Identity who = ctx.get(IDENTITY);
            blocking(ctx, () -> handler.handle(ctx, expected, who.principal()));
        });
    }

    private void blocking(RoutingContext ctx, Callable<Reply> work) {
        vertx.executeBlocking(work, false).onComplete(ar -> {
            if (ar.succeeded()) {
                Reply r = ar.result();
                if (r.version() != null) {
                    ctx.response().putHeader("ETag", r.version().etag());
                } else if (r.body().containsKey("etag")) {
                    ctx.response().putHeader("ETag", r.body().getString("etag"));
                }
                ctx.response().setStatusCode(r.status()).putHeader("Content-Type", "application/json").end(r.body().encode());
                return;
            }
            Throwable e = ar.cause();
            int status = status(e);
            if (e instanceof PolicyConflictException c) {
                ctx.response().putHeader("ETag", "\"v" + c.currentVersion() + "\"");
                error(ctx, status, e.getMessage(), "If-Match");
            } else if (e instanceof PolicyException) {
                error(ctx, status, e.getMessage(), "yaml");
            } else if (status == 500) {
                LOG.warn("event=admin_request_failed path={} reason=\"{}\"", ctx.request().path(), e.toString());
                error(ctx, status, "the request could not be completed: " + e.getMessage(), null);
            } else {
                error(ctx, status, e.getMessage(), null);
            }
        });
    }

    /** The HTTP status a request that failed with {@code e} is answered with; the audit of a failed edit records it. */
    static int status(Throwable e) {
        if (e instanceof PolicyConflictException) {
            return 412;
        } else if (e instanceof PolicyException || e instanceof BadRequest || e instanceof IllegalArgumentException) {
            return 400;
        } else if (e instanceof NotFound) {
            return 404;
        } else if (e instanceof io.warden.audit.AuditUnavailableException) {
            return 503;
        }
        return 500;
    }

    private void failed(RoutingContext ctx) {
        if (ctx.response().ended()) {
            return;
        }
        Throwable f = ctx.failure();
        for (Throwable t = f; t != null; t = t.getCause()) {
            if (t instanceof ValidatorException) {
                f = t;
                break;
            }
        }
        if (f instanceof SchemaValidationException s && s.getOutputUnit() != null) {
            String where = s.getOutputUnit().getInstanceLocation();
            StringBuilder why = new StringBuilder(s.getMessage());
            if (s.getOutputUnit().getErrors() != null) {
                s.getOutputUnit().getErrors().forEach(u -> why.append("; ")
                        .append(u.getInstanceLocation() == null || u.getInstanceLocation().isEmpty() ? "" : u.getInstanceLocation() + ": ")
                        .append(u.getError()));
            }
            error(ctx, 400, why.toString(), where);
        } else if (f instanceof ValidatorException v) {
            error(ctx, 400, v.getMessage(), null);
        } else if (ctx.statusCode() == 404 || ctx.statusCode() == 405) {
            error(ctx, ctx.statusCode(), ctx.statusCode() == 404 ? "no such resource: " + ctx.request().path()
                    : "method " + ctx.request().method() + " not allowed on " + ctx.request().path(), null);
        } else {
            int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
            error(ctx, status, f == null ? "request failed" : f.getMessage(), null);
        }
    }

    private static void error(RoutingContext ctx, int status, String message, String field) {
        JsonObject body = new JsonObject().put("error", message);
        if (field != null && !field.isEmpty()) {
            body.put("field", field);
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
    }

    // --- helpers

    /** A request that is well-formed for the contract but wrong for the policy, with the reason. */
    static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }

    static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message);
        }
    }

    /**
     * The version a request names, whole: the contract's integers have no upper bound, and a long view of
     * 18446744073709551617 would be version 1. A number no long holds names no version.
     */
    private PolicyVersion version(Object requested) {
        BigInteger number = wholeNumber(requested);
        Optional<PolicyVersion> found = number.bitLength() < Long.SIZE ? admin.store().version(number.longValue())
                : Optional.empty();
        return found.orElseThrow(() -> new NotFound("no policy version " + number
                + "; the current version is " + admin.current().version()));
    }

    /** A number as the request's JSON (or the contract's parameter decoding) gave it, with every digit kept. */
    static BigInteger wholeNumber(Object value) {
        if (value instanceof BigInteger big) {
            return big;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return BigInteger.valueOf(((Number) value).longValue());
        }
        if (value instanceof Number n) {
            try {
                return new BigDecimal(n.toString()).toBigIntegerExact();
            } catch (NumberFormatException | ArithmeticException e) {
                // reported below
            }
        }
        throw new BadRequest("a policy version is a whole number, got " + value);
    }

    static long expectedVersion(String ifMatch) {
        if (ifMatch == null || ifMatch.trim().equals("*")) {
            return PolicyStore.ANY_VERSION;
        }
        String tag = ifMatch.trim();
        if (tag.startsWith("W/")) {
            tag = tag.substring(2);
        }
        tag = tag.replace("\"", "");
        if (tag.startsWith("v")) {
            tag = tag.substring(1);
        }
        try {
            long v = Long.parseLong(tag);
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("If-Match: expected an ETag of this API such as \"v7\", got " + ifMatch);
    }

    private static ValidatedRequest request(RoutingContext ctx) {
        return ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    }

    private static JsonObject body(RoutingContext ctx) {
        return request(ctx).getBody().getJsonObject();
    }

    /** A number from the path as the contract decoded it, for {@link #version(Object)}. */
    private static Object pathNumber(RoutingContext ctx, String name) {
        return request(ctx).getPathParameters().get(name).get();
    }

    /** A number from the query as the contract decoded it, or null when absent. */
    private static Object queryNumber(RoutingContext ctx, String name) {
        var p = request(ctx).getQuery().get(name);
        return p == null || p.isNull() ? null : p.get();
    }

    static JsonObject versionJson(PolicyVersion v, boolean full) {
        JsonObject out = new JsonObject().put("version", v.version()).put("etag", v.etag()).put("author", v.author())
                .put("time", v.time().toString()).put("comment", v.comment());
        if (full) {
            out.put("superUsers", new JsonArray(new ArrayList<>(v.document().superUsers())))
                    .put("allowEveryoneIfNoAclFound", v.document().allowEveryoneIfNoAclFound())
                    .put("acls", AclText.toJson(v.document().bindings()))
                    .put("yaml", v.yaml());
        }
        return out;
    }

    private static Reply changeJson(PolicyAdmin.AclChange change, int status) {
        JsonObject body = new JsonObject().put("version", change.version().version()).put("etag", change.version().etag())
                .put("added", AclText.toJson(change.added())).put("removed", AclText.toJson(change.removed()));
        return new Reply(status, body, change.version());
    }

}
