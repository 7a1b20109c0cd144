package io.warden.authz;

import static io.warden.authz.Acls.allow;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class PolicyHolderTest {

    private static final Policy ALLOW_ORDERS = new Policy(Set.of(), false, List.of(allow("User:alice", READ, TOPIC, "orders")));
    private static final Policy ALLOW_PAYMENTS = new Policy(Set.of(), false, List.of(allow("User:alice", READ, TOPIC, "payments")));

    private static boolean readsOrders(AclAuthorizer authorizer) {
        return authorizer.authorize("User:alice", "10.0.0.1", READ, TOPIC, "orders").allowed();
    }

    @Test
    void replaceSwapsTheSnapshotAndTellsListeners() {
        PolicyHolder holder = new PolicyHolder(ALLOW_ORDERS);
        AclAuthorizer first = holder.current();
        List<AclAuthorizer> seen = new ArrayList<>();
        Consumer<AclAuthorizer> listener = seen::add;
        holder.addListener(listener);

        AclAuthorizer second = holder.replace(ALLOW_PAYMENTS);

        assertThat(readsOrders(first)).isTrue();
        assertThat(readsOrders(second)).isFalse();
        assertThat(holder.current()).isSameAs(second);
        assertThat(second.policy()).isEqualTo(ALLOW_PAYMENTS);
        assertThat(seen).containsExactly(second);

        holder.removeListener(listener);
        holder.replace(ALLOW_ORDERS);
        assertThat(seen).hasSize(1);
        assertThat(readsOrders(holder.current())).isTrue();
    }

    @Test
    void readersSeeWholeSnapshotsWhileThePolicyChanges() throws InterruptedException {
        PolicyHolder holder = new PolicyHolder(ALLOW_ORDERS);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> failure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            while (!stop.get()) {
                AclAuthorizer snapshot = holder.current();
                boolean orders = readsOrders(snapshot);
                boolean payments = snapshot.authorize("User:alice", "10.0.0.1", READ, TOPIC, "payments").allowed();
                if (orders == payments) {
                    failure.set("a snapshot allowed orders=" + orders + " and payments=" + payments);
                }
            }
        });
        reader.start();
        for (int i = 0; i < 2_000; i++) {
            holder.replace(i % 2 == 0 ? ALLOW_PAYMENTS : ALLOW_ORDERS);
        }
        stop.set(true);
        reader.join();

        assertThat(failure.get()).isNull();
    }
}
