package io.warden.gateway.protocol;

import io.warden.gateway.config.HostPort;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** Rewriting the node endpoints at the end of a Fetch response whose beginning is already on its way. */
class FetchTailTest {

    private static final short V16 = 16;
    private static final short LATEST = ApiKeys.FETCH.latestVersion(false);

    private static FetchResponseData responseWithRecordsAndEndpoint(String brokerHost) {
        byte[] value = new byte[100_000];
        Arrays.fill(value, (byte) 7);
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(value), new SimpleRecord(value));
        FetchResponseData data = new FetchResponseData();
        FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse().setTopicId(Uuid.randomUuid());
        topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(0).setHighWatermark(2).setRecords(records));
        topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(1)
                .setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code())
                .setCurrentLeader(new FetchResponseData.LeaderIdAndEpoch().setLeaderId(3).setLeaderEpoch(5)));
        data.responses().add(topic);
        data.nodeEndpoints().add(new FetchResponseData.NodeEndpoint().setNodeId(3).setHost(brokerHost).setPort(9092).setRack("rack-a"));
        return data;
    }

    private static FetchResponseData decode(ByteBuffer bytes, short version) {
        return new FetchResponseData(new ByteBufferAccessor(bytes.duplicate()), version);
    }

    @Test
    void shorterGatewayAddressIsWrittenInPlaceAndPaddedToTheSameSize() {
        for (short version : new short[] {V16, LATEST}) {
            ByteBuffer original = KafkaFrames.serialize(responseWithRecordsAndEndpoint("broker-3.kafka.internal.example.com"), version);
            FetchResponseData decoded = decode(original, version);

            ByteBuffer rewritten = FetchTail.rewriteAtSize(decoded, version, original.remaining(), id -> new HostPort("gw", 9103));

            assertThat(rewritten.remaining()).isEqualTo(original.remaining());
            assertSamePrefixUpToTheTaggedFields(original, rewritten);
            FetchResponseData seen = decode(rewritten, version);
            assertThat(seen.nodeEndpoints()).singleElement().satisfies(e -> {
                assertThat(e.host()).isEqualTo("gw");
                assertThat(e.port()).isEqualTo(9103);
            });
            assertThat(seen.responses().get(0).partitions().get(0).records().sizeInBytes())
                    .isEqualTo(decoded.responses().get(0).partitions().get(0).records().sizeInBytes());
        }
    }

    @Test
    void longerGatewayAddressDropsTheEndpointsRatherThanLeakTheBroker() {
        ByteBuffer original = KafkaFrames.serialize(responseWithRecordsAndEndpoint("b3"), V16);
        FetchResponseData decoded = decode(original, V16);

        ByteBuffer rewritten = FetchTail.rewriteAtSize(decoded, V16, original.remaining(),
                id -> new HostPort("warden-gateway.platform.example.com", 9103));

        assertThat(rewritten.remaining()).isEqualTo(original.remaining());
        assertSamePrefixUpToTheTaggedFields(original, rewritten);
        FetchResponseData seen = decode(rewritten, V16);
        assertThat(seen.nodeEndpoints()).isEmpty();
        // The partition still names its new leader; the client finds it through a metadata refresh.
        assertThat(seen.responses().get(0).partitions().get(1).currentLeader().leaderId()).isEqualTo(3);
    }

    /** Everything except the last few hundred bytes (the top-level tagged fields) must be byte-identical. */
    private static void assertSamePrefixUpToTheTaggedFields(ByteBuffer original, ByteBuffer rewritten) {
        int unchanged = original.remaining() - 200;
        for (int i = 0; i < unchanged; i++) {
            assertThat(rewritten.get(rewritten.position() + i)).as("byte %d", i).isEqualTo(original.get(original.position() + i));
        }
    }
}
