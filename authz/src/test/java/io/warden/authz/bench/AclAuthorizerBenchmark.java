package io.warden.authz.bench;

import io.warden.authz.AclAuthorizer;
import io.warden.authz.AuthorizationDecision;
import io.warden.authz.Policy;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decisions per second of {@link AclAuthorizer#authorize} on one thread with 10, 10k and 100k
 * ACLs. Each principal (a service) has literal and prefixed topic ACLs, group and
 * transactional-id ACLs, a DENY on one of its topics, a DESCRIBE limited to a CIDR block and
 * IDEMPOTENT_WRITE on the cluster; requests mix allowed ones, unknown topics, other services'
 * topics and the denied topic.
 *
 * <p>{@code authorize} passes names whose hash codes are already cached; {@code authorizeFreshName}
 * builds each name as a new String first, as a gateway decoding requests does.
 *
 * <p>Run: {@code mvn -o -B -pl authz test-compile org.codehaus.mojo:exec-maven-plugin:exec
 * -Djmh.args="AclAuthorizerBenchmark -f 1 -wi 5 -w 1s -i 5 -r 1s"} (any JMH options after the
 * class name; {@code -prof gc} shows that {@code authorize} allocates nothing).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class AclAuthorizerBenchmark {

    private static final int REQUESTS = 4096;
    private static final int ACLS_PER_SERVICE = 20;

    @Param({"10", "10000", "100000"})
    public int aclCount;

    private AclAuthorizer authorizer;
    private String[] principals;
    private String[] hosts;
    private AclOperation[] operations;
    private ResourceType[] types;
    private String[] names;
    private char[][] nameChars;
    private int next;

    /** A request: who, from where, what, on which resource. */
    private record Request(String principal, String host, AclOperation operation, ResourceType type, String name) {
    }

    @Setup
    public void setUp() {
        List<AclBinding> bindings = new ArrayList<>();
        int services = Math.max(1, (aclCount + ACLS_PER_SERVICE - 1) / ACLS_PER_SERVICE);
        for (int service = 0; service < services && bindings.size() < aclCount; service++) {
            List<AclBinding> own = serviceAcls(service);
            bindings.addAll(own.subList(0, Math.min(own.size(), aclCount - bindings.size())));
        }
        authorizer = new AclAuthorizer(new Policy(Set.of("User:admin"), false, bindings));

        Random random = new Random(7);
        principals = new String[REQUESTS];
        hosts = new String[REQUESTS];
        operations = new AclOperation[REQUESTS];
        types = new ResourceType[REQUESTS];
        names = new String[REQUESTS];
        nameChars = new char[REQUESTS][];
        int allowed = 0;
        for (int i = 0; i < REQUESTS; i++) {
            Request request = request(random, services);
            principals[i] = request.principal();
            hosts[i] = request.host();
            operations[i] = request.operation();
            types[i] = request.type();
            names[i] = request.name();
            nameChars[i] = request.name().toCharArray();
            if (authorizer.authorize(principals[i], hosts[i], operations[i], types[i], names[i]).allowed()) {
                allowed++;
            }
        }
        System.out.printf("%n%d ACLs (%d distinct), %d services, %d of %d requests allowed%n",
            bindings.size(), authorizer.aclCount(), services, allowed, REQUESTS);
    }

    @Benchmark
    public AuthorizationDecision authorize() {
        int i = next++ & (REQUESTS - 1);
        return authorizer.authorize(principals[i], hosts[i], operations[i], types[i], names[i]);
    }

    @Benchmark
    public AuthorizationDecision authorizeFreshName() {
        int i = next++ & (REQUESTS - 1);
        return authorizer.authorize(principals[i], hosts[i], operations[i], types[i], new String(nameChars[i]));
    }

    private static String principal(int service) {
        return "User:svc-" + service;
    }

    private static String host(int service) {
        return "10." + (service % 250) + "." + (service / 250 % 250) + ".7";
    }

    private static List<AclBinding> serviceAcls(int service) {
        String principal = principal(service);
        String team = "team-" + service % 100 + ".";
        List<AclBinding> acls = new ArrayList<>();
        for (int k = 0; k < 6; k++) {
            acls.add(allow(ResourceType.TOPIC, "orders." + service + "." + k, PatternType.LITERAL, principal, AclOperation.READ));
        }
        for (int k = 0; k < 4; k++) {
            acls.add(allow(ResourceType.TOPIC, "events." + service + "." + k, PatternType.LITERAL, principal, AclOperation.WRITE));
        }
        acls.add(allow(ResourceType.TOPIC, team + "app-" + service + ".", PatternType.PREFIXED, principal, AclOperation.READ));
        acls.add(allow(ResourceType.TOPIC, team + "out-" + service + ".", PatternType.PREFIXED, principal, AclOperation.WRITE));
        for (int k = 0; k < 3; k++) {
            acls.add(allow(ResourceType.GROUP, "cg-" + service + "-" + k, PatternType.LITERAL, principal, AclOperation.READ));
        }
        acls.add(allow(ResourceType.GROUP, "cg-" + service + "-", PatternType.PREFIXED, principal, AclOperation.READ));
        acls.add(allow(ResourceType.TRANSACTIONAL_ID, "tx-" + service, PatternType.LITERAL, principal, AclOperation.WRITE));
        acls.add(new AclBinding(new ResourcePattern(ResourceType.TOPIC, "orders." + service + ".0", PatternType.LITERAL),
            new AccessControlEntry(principal, "*", AclOperation.WRITE, AclPermissionType.DENY)));
        acls.add(new AclBinding(new ResourcePattern(ResourceType.TOPIC, "metrics." + service, PatternType.LITERAL),
            new AccessControlEntry(principal, "10." + (service % 250) + ".0.0/16", AclOperation.DESCRIBE, AclPermissionType.ALLOW)));
        acls.add(allow(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, principal, AclOperation.IDEMPOTENT_WRITE));
        return acls;
    }

    private static AclBinding allow(ResourceType type, String name, PatternType patternType, String principal,
                                    AclOperation operation) {
        return new AclBinding(new ResourcePattern(type, name, patternType),
            new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
    }

    private static Request request(Random random, int services) {
        int service = random.nextInt(services);
        String principal = principal(service);
        String host = host(service);
        String team = "team-" + service % 100 + ".";
        int kind = random.nextInt(20);
        switch (kind) {
            case 0, 1, 2:
                return new Request(principal, host, AclOperation.READ, ResourceType.TOPIC, "orders." + service + "." + random.nextInt(6));
            case 3, 4:
                return new Request(principal, host, AclOperation.DESCRIBE, ResourceType.TOPIC, "orders." + service + "." + random.nextInt(6));
            case 5, 6:
                return new Request(principal, host, AclOperation.WRITE, ResourceType.TOPIC, "events." + service + "." + random.nextInt(4));
            case 7, 8:
                return new Request(principal, host, AclOperation.READ, ResourceType.TOPIC, team + "app-" + service + ".clicks-" + random.nextInt(50));
            case 9:
                return new Request(principal, host, AclOperation.WRITE, ResourceType.TOPIC, team + "out-" + service + ".results");
            case 10, 11:
                return new Request(principal, host, AclOperation.READ, ResourceType.GROUP, "cg-" + service + "-" + random.nextInt(5));
            case 12:
                return new Request(principal, host, AclOperation.IDEMPOTENT_WRITE, ResourceType.CLUSTER, "kafka-cluster");
            case 13:
                return new Request(principal, host, AclOperation.DESCRIBE, ResourceType.TOPIC, "metrics." + service);
            case 14:
                return new Request(principal, host, AclOperation.WRITE, ResourceType.TOPIC, "orders." + service + ".0");
            case 15, 16:
                return new Request(principal, host, AclOperation.READ, ResourceType.TOPIC, "unknown-topic-" + random.nextInt(1000));
            case 17:
                return new Request(principal(services + 1), host, AclOperation.READ, ResourceType.TOPIC, "orders." + service + ".1");
            default:
                int other = random.nextInt(services);
                return new Request(principal, host, AclOperation.READ, ResourceType.TOPIC,
                    "team-" + other % 100 + ".app-" + other + ".x");
        }
    }
}
