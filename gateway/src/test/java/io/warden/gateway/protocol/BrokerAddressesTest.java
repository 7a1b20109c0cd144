package io.warden.gateway.protocol;

import io.warden.gateway.config.HostPort;
import io.warden.gateway.protocol.BrokerAddresses.NodeAddress;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.MessageUtil;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every response kind that carries broker addresses, through a real encode / decode / rewrite / encode cycle. */
class BrokerAddressesTest {

    private static final HostPort GATEWAY = new HostPort("gw.example", 1);

    private static HostPort gatewayPort(int nodeId) {
        return new HostPort(GATEWAY.host(), 9100 + nodeId);
    }

    private static <T extends ApiMessage> ApiMessage roundTrip(ApiKeys api, short version, T message) {
        ByteBuffer wire = MessageUtil.toByteBufferAccessor(message, version).buffer();
        ApiMessage decoded = BrokerAddresses.decode(api, version, wire);
        BrokerAddresses.replace(decoded, BrokerAddressesTest::gatewayPort);
        ByteBuffer rewritten = MessageUtil.toByteBufferAccessor(decoded, version).buffer();
        return BrokerAddresses.decode(api, version, rewritten);
    }

    @Test
    void metadataBrokers() {
        MetadataResponseData m = new MetadataResponseData();
        m.brokers().add(new MetadataResponseData.MetadataResponseBroker().setNodeId(0).setHost("b0").setPort(9092));
        m.brokers().add(new MetadataResponseData.MetadataResponseBroker().setNodeId(2).setHost("b2").setPort(9092).setRack("r"));
        assertThat(BrokerAddresses.addresses(m)).containsExactly(
                new NodeAddress(0, new HostPort("b0", 9092)), new NodeAddress(2, new HostPort("b2", 9092)));
        for (short v = ApiKeys.METADATA.oldestVersion(); v <= ApiKeys.METADATA.latestVersion(); v++) {
            MetadataResponseData out = (MetadataResponseData) roundTrip(ApiKeys.METADATA, v, m.duplicate());
            assertThat(BrokerAddresses.addresses(out)).containsExactly(
                    new NodeAddress(0, gatewayPort(0)), new NodeAddress(2, gatewayPort(2)));
        }
    }

    @Test
    void findCoordinatorBeforeAndAfterV4() {
        FindCoordinatorResponseData old = new FindCoordinatorResponseData().setNodeId(1).setHost("b1").setPort(9092);
        FindCoordinatorResponseData out = (FindCoordinatorResponseData) roundTrip(ApiKeys.FIND_COORDINATOR, (short) 3, old);
        assertThat(out.host()).isEqualTo("gw.example");
        assertThat(out.port()).isEqualTo(9101);

        FindCoordinatorResponseData batched = new FindCoordinatorResponseData();
        batched.coordinators().add(new FindCoordinatorResponseData.Coordinator().setKey("g1").setNodeId(2).setHost("b2").setPort(9092));
        batched.coordinators().add(new FindCoordinatorResponseData.Coordinator().setKey("g2").setNodeId(-1).setHost("").setPort(-1).setErrorCode((short) 15));
        FindCoordinatorResponseData out4 = (FindCoordinatorResponseData) roundTrip(ApiKeys.FIND_COORDINATOR, (short) 4, batched);
        assertThat(out4.coordinators()).extracting(FindCoordinatorResponseData.Coordinator::host).containsExactly("gw.example", "");
        assertThat(out4.coordinators()).extracting(FindCoordinatorResponseData.Coordinator::port).containsExactly(9102, -1);
    }

    @Test
    void describeClusterBrokers() {
        DescribeClusterResponseData d = new DescribeClusterResponseData();
        d.brokers().add(new DescribeClusterResponseData.DescribeClusterBroker().setBrokerId(3).setHost("b3").setPort(9092));
        DescribeClusterResponseData out = (DescribeClusterResponseData) roundTrip(ApiKeys.DESCRIBE_CLUSTER, (short) 1, d);
        assertThat(out.brokers().find(3).host()).isEqualTo("gw.example");
        assertThat(out.brokers().find(3).port()).isEqualTo(9103);
    }

    @Test
    void produceNodeEndpointsFromV10() {
        assertThat(BrokerAddresses.mayCarryAddresses(ApiKeys.PRODUCE, (short) 9)).isFalse();
        assertThat(BrokerAddresses.mayCarryAddresses(ApiKeys.PRODUCE, (short) 10)).isTrue();
        ProduceResponseData p = new ProduceResponseData();
        p.nodeEndpoints().add(new ProduceResponseData.NodeEndpoint().setNodeId(4).setHost("b4").setPort(9092));
        ProduceResponseData out = (ProduceResponseData) roundTrip(ApiKeys.PRODUCE, (short) 10, p);
        assertThat(out.nodeEndpoints().find(4).host()).isEqualTo("gw.example");
        assertThat(out.nodeEndpoints().find(4).port()).isEqualTo(9104);
    }

    @Test
    void fetchNodeEndpointsFromV16() {
        assertThat(BrokerAddresses.mayCarryAddresses(ApiKeys.FETCH, (short) 15)).isFalse();
        assertThat(BrokerAddresses.mayCarryAddresses(ApiKeys.FETCH, (short) 16)).isTrue();
        FetchResponseData f = new FetchResponseData();
        f.nodeEndpoints().add(new FetchResponseData.NodeEndpoint().setNodeId(5).setHost("b5").setPort(9092));
        FetchResponseData out = (FetchResponseData) roundTrip(ApiKeys.FETCH, (short) 16, f);
        assertThat(out.nodeEndpoints().find(5).host()).isEqualTo("gw.example");
        assertThat(out.nodeEndpoints().find(5).port()).isEqualTo(9105);
        assertThat(BrokerAddresses.addresses(new FetchResponseData())).isEmpty();
    }

    @Test
    void otherResponsesCarryNoAddresses() {
        for (ApiKeys api : List.of(ApiKeys.LIST_OFFSETS, ApiKeys.JOIN_GROUP, ApiKeys.DESCRIBE_TOPIC_PARTITIONS, ApiKeys.CONSUMER_GROUP_HEARTBEAT)) {
            assertThat(BrokerAddresses.mayCarryAddresses(api, api.latestVersion())).as(api.name).isFalse();
        }
    }
}
