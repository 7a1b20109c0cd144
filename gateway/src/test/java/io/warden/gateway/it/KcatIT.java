package io.warden.gateway.it;

import io.kroxylicious.testing.kafka.api.KafkaCluster;
import io.kroxylicious.testing.kafka.junit5ext.KafkaClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** kcat (librdkafka), a second, independent client implementation, through the gateway. */
@ExtendWith(KafkaClusterExtension.class)
class KcatIT {

    static KafkaCluster cluster;
    @RegisterExtension
    static final GatewayFixture gateway = GatewayFixture.inFrontOf(() -> cluster);

    @Test
    void listsMetadataWithGatewayAddressesOnly() throws Exception {
        String topic = Clients.createTopic(gateway.admin(), 2);
        ExternalProcess.Result r = kcat(null, "-L");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).contains("topic \"" + topic + "\" with 2 partitions");
        List<Kcat.Broker> brokers = Kcat.brokers(r.output());
        assertThat(brokers).isNotEmpty().allMatch(b -> gateway.isGatewayAddress(b.host(), b.port()));
    }

    @Test
    void producesAndConsumes() throws Exception {
        String topic = Clients.createTopic(gateway.admin(), 1);
        StringBuilder input = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            input.append("line-").append(i).append('\n');
        }
        ExternalProcess.Result produced = kcat(input.toString(), "-t", topic, "-P");
        assertThat(produced.exit()).as(produced.output()).isZero();

        ExternalProcess.Result consumed = kcat(null, "-t", topic, "-C", "-o", "beginning", "-e", "-q");
        assertThat(consumed.exit()).as(consumed.output()).isZero();
        assertThat(consumed.output().lines().filter(l -> l.startsWith("line-")).toList())
                .hasSize(100).contains("line-0", "line-99");
    }

    private static ExternalProcess.Result kcat(String stdin, String... args) throws Exception {
        return Kcat.run(gateway.bootstrap(), stdin, List.of(args));
    }
}
