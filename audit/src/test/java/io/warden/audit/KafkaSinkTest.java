package io.warden.audit;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class KafkaSinkTest {

    /**
     * An audit cluster that cannot be reached fails the batch within the sink's default waits, not Kafka's (a minute
     * to block a send, two to deliver), during which the one writer would hold every other sink back.
     */
    @Test
    void anUnreachableAuditClusterFailsTheBatchWithinSeconds() throws Exception {
        int unreachable;
        try (ServerSocket s = new ServerSocket(0)) {
            unreachable = s.getLocalPort();
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + unreachable);
        try (AuditLog log = new AuditLog(AuditLog.Mode.FAIL_CLOSED, 10, 10, List.of(new KafkaSink("warden-audit", p)),
                new OcsfEncoder())) {
            long start = System.nanoTime();
            CompletableFuture<Void> done = log.append(Events.produce(1));
            await().atMost(Duration.ofSeconds(20)).until(done::isDone);
            assertThat(done).isCompletedExceptionally();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        }
    }
}
