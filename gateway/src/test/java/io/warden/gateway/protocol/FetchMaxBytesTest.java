package io.warden.gateway.protocol;

import io.vertx.core.buffer.Buffer;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

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
            RequestHeader[] header = new RequestHeader[1];
            FetchRequestData capped = decode(FetchMaxBytes.cap(original, 65_536), header);
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
        assertThat(FetchMaxBytes.cap(frame, 65_536)).isSameAs(frame);
    }
}
