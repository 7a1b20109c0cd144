package io.warden.gateway.protocol;

import io.vertx.core.buffer.Buffer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A Fetch's max_bytes capped at a window of quota, at every version the gateway speaks, the rest untouched. */
class FetchMaxBytesTest {

    private static Buffer fetch(short version, int minBytes, int maxBytes) {
        FetchRequestData data = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(500).setMinBytes(minBytes)
                .setMaxBytes(maxBytes).setIsolationLevel((byte) 0);
        data.topics().add(new FetchRequestData.FetchTopic().setTopic("t").setPartitions(List.of(
                new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(42).setPartitionMaxBytes(1 << 20))));
        return KafkaFrames.request(new RequestHeader(ApiKeys.FETCH, version, "consumer-1", 17), data);
    }

    private static FetchRequestData decode(Buffer frame, RequestHeader[] header) {
        ByteBuffer in = KafkaFrames.payload(frame);
        header[0] = RequestHeader.parse(in);
        return new FetchRequestData(new ByteBufferAccessor(in), header[0].apiVersion());
    }

    @Test
    void aFetchAskingForMoreThanTheCapAsksForTheCapAtEveryVersion() {
        for (short v = ApiKeys.FETCH.oldestVersion(); v <= ApiKeys.FETCH.latestVersion(false); v++) {
            Buffer original = fetch(v, 1, 50 * 1024 * 1024);
            Buffer sent = original.copy(); // the cap changes the frame in place
            RequestHeader[] header = new RequestHeader[1];
            FetchRequestData capped = decode(FetchMaxBytes.cap(sent, 65_536), header);
            assertThat(capped.maxBytes()).as("v%d", v).isEqualTo(65_536);
            assertThat(capped.minBytes()).isEqualTo(1);
            assertThat(header[0].correlationId()).isEqualTo(17);
            assertThat(header[0].clientId()).isEqualTo("consumer-1");
            assertThat(capped.setMaxBytes(50 * 1024 * 1024)).as("v%d, everything else", v).isEqualTo(decode(original, header));
        }
    }

    @Test
    void minBytesAboveTheCapIsLoweredToIt() {
        short v = ApiKeys.FETCH.latestVersion(false);
        FetchRequestData capped = decode(FetchMaxBytes.cap(fetch(v, 1 << 20, 50 * 1024 * 1024), 65_536), new RequestHeader[1]);
        assertThat(capped.minBytes()).isEqualTo(65_536);
    }

    @Test
    void aFetchWithinTheCapIsTheSameFrame() {
        Buffer frame = fetch(ApiKeys.FETCH.latestVersion(false), 1, 65_536);
        Buffer before = frame.copy();
        assertThat(FetchMaxBytes.cap(frame, 65_536)).isSameAs(frame);
        assertThat(frame.getBytes()).isEqualTo(before.getBytes());
    }

    /** A Fetch with every field a client or a follower may set, so that nothing of the layout goes unseen. */
    private static Buffer fullFetch(short v, int minBytes, int maxBytes) {
        FetchRequestData data = new FetchRequestData().setClusterId("cluster-1").setReplicaId(-1).setMaxWaitMs(500)
                .setMinBytes(minBytes).setMaxBytes(maxBytes).setIsolationLevel((byte) 1).setSessionId(7).setSessionEpoch(3)
                .setRackId("rack-a").setReplicaState(new FetchRequestData.ReplicaState().setReplicaId(-1).setReplicaEpoch(-1));
        Uuid id = Uuid.fromString("vCAHPbxiQMGF4p0D2nVb0w");
        data.topics().add(new FetchRequestData.FetchTopic().setTopic("orders").setTopicId(id).setPartitions(List.of(
                new FetchRequestData.FetchPartition().setPartition(0).setCurrentLeaderEpoch(5).setFetchOffset(42)
                        .setLastFetchedEpoch(v >= 12 ? 4 : -1).setLogStartOffset(0).setPartitionMaxBytes(1 << 20),
                new FetchRequestData.FetchPartition().setPartition(1).setFetchOffset(7).setPartitionMaxBytes(1 << 20))));
        if (v >= 7) {
            data.forgottenTopicsData().add(new FetchRequestData.ForgottenTopic().setTopic("old").setTopicId(id)
                    .setPartitions(List.of(2, 3)));
        }
        return KafkaFrames.request(new RequestHeader(ApiKeys.FETCH, v, "consumer-1", 17), data);
    }

    @Test
    void theFieldsRewrittenInPlaceAreTheBytesOfAFullDecodeAndEncodeAtEveryVersion() {
        int cap = 65_536;
        int[][] minAndMaxBytes = {{1, 50 * 1024 * 1024}, {1 << 20, 50 * 1024 * 1024}, {cap, cap + 1}, {0, Integer.MAX_VALUE}};
        for (short v = SupportedApis.minVersion(ApiKeys.FETCH); v <= SupportedApis.maxVersion(ApiKeys.FETCH); v++) {
            for (int[] sizes : minAndMaxBytes) {
                Buffer original = fullFetch(v, sizes[0], sizes[1]);
                RequestHeader[] header = new RequestHeader[1];
                FetchRequestData body = decode(original.copy(), header);
                Buffer reencoded = KafkaFrames.request(header[0],
                        body.setMaxBytes(cap).setMinBytes(Math.min(body.minBytes(), cap)));

                Buffer capped = FetchMaxBytes.cap(original, cap);
                assertThat(capped).as("rewritten in place, not encoded anew").isSameAs(original);
                assertThat(capped.getBytes()).as("v%d, min_bytes %d, max_bytes %d", v, sizes[0], sizes[1])
                        .isEqualTo(reencoded.getBytes());
            }
        }
    }

    @Test
    void aFetchBeforeVersion3HasNoMaxBytesAndIsLeftAlone() {
        for (short v = 0; v < FetchMaxBytes.MAX_BYTES; v++) {
            // Header v1 (api key, version, correlation id, client id), then replica_id, max_wait_ms, min_bytes, no topics.
            Buffer frame = Buffer.buffer().appendInt(0).appendShort(ApiKeys.FETCH.id).appendShort(v).appendInt(17)
                    .appendShort((short) 1).appendString("c").appendInt(-1).appendInt(500).appendInt(1 << 20).appendInt(0);
            frame.setInt(0, frame.length() - KafkaFrames.SIZE_PREFIX);
            Buffer before = frame.copy();

            assertThat(FetchMaxBytes.cap(frame, 1)).isSameAs(frame);
            assertThat(frame.getBytes()).as("v%d", v).isEqualTo(before.getBytes());
        }
    }

    @Test
    void aFetchThatEndsBeforeItsMaxBytesIsRefusedSayingSo() {
        for (short v : new short[] {SupportedApis.minVersion(ApiKeys.FETCH), SupportedApis.maxVersion(ApiKeys.FETCH)}) {
            Buffer whole = fetch(v, 1, 50 * 1024 * 1024);
            ByteBuffer in = KafkaFrames.payload(whole);
            RequestHeader.parse(in);
            int body = in.position();
            Buffer truncated = whole.slice(0, body + 6).copy();
            truncated.setInt(0, truncated.length() - KafkaFrames.SIZE_PREFIX);
            int maxBytesAt = v < 15 ? 12 : 8; // after replica_id (v0-14), max_wait_ms and min_bytes: FetchRequest.json

            assertThatThrownBy(() -> FetchMaxBytes.cap(truncated, 65_536)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Fetch v%d body of 6 bytes ends before its max_bytes (bytes %d to %d)", v, maxBytesAt, maxBytesAt + 3);
        }
    }
}
