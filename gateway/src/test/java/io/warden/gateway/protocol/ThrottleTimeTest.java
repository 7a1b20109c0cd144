package io.warden.gateway.protocol;

import io.vertx.core.buffer.Buffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.kafka.common.protocol.types.RawTaggedField;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Throttle times in Produce and Fetch responses, at every version the gateway speaks. */
class ThrottleTimeTest {

    private static FetchResponseData fetchResponse(int throttleMs) {
        MemoryRecords records = MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("k".getBytes(), "v".getBytes()));
        FetchResponseData data = new FetchResponseData().setThrottleTimeMs(throttleMs);
        FetchResponseData.FetchableTopicResponse topic = new FetchResponseData.FetchableTopicResponse().setTopic("t");
        topic.partitions().add(new FetchResponseData.PartitionData().setPartitionIndex(0).setHighWatermark(1).setRecords(records));
        data.responses().add(topic);
        return data;
    }

    private static FetchResponseData decodeFetch(Buffer frame, short version) {
        KafkaFrames.Response r = KafkaFrames.splitResponse(frame, ApiKeys.FETCH, version);
        return new FetchResponseData(new ByteBufferAccessor(r.body()), version);
    }

    @Test
    void theBrokersFetchThrottleTimeIsReadAtEveryVersion() {
        for (short v = ApiKeys.FETCH.oldestVersion(); v <= ApiKeys.FETCH.latestVersion(false); v++) {
            Buffer frame = KafkaFrames.response(7, ApiKeys.FETCH.responseHeaderVersion(v), fetchResponse(1234), v);
            assertThat(ThrottleTime.ofFetch(frame, v)).as("v%d", v).isEqualTo(1234);
        }
    }

    @Test
    void aFetchResponseHeaderWithTaggedFieldsIsSkipped() {
        short v = ApiKeys.FETCH.latestVersion(false);
        ResponseHeader header = new ResponseHeader(9, ApiKeys.FETCH.responseHeaderVersion(v));
        header.data().unknownTaggedFields().add(new RawTaggedField(5, new byte[] {1, 2, 3}));
        Buffer frame = KafkaFrames.frame(org.apache.kafka.common.protocol.MessageUtil.toByteBufferAccessor(header.data(),
                header.headerVersion()).buffer(), KafkaFrames.serialize(fetchResponse(500), v));
        assertThat(ThrottleTime.ofFetch(frame, v)).isEqualTo(500);
    }

    @Test
    void theBeginningOfAFetchResponseIsReadOnlyOnceItReachesPastTheField() {
        short v = ApiKeys.FETCH.latestVersion(false);
        Buffer frame = KafkaFrames.response(7, ApiKeys.FETCH.responseHeaderVersion(v), fetchResponse(10), v);
        int offset = ThrottleTime.fetchOffset(frame, v);
        assertThat(offset).isEqualTo(KafkaFrames.SIZE_PREFIX + 4 + 1);
        assertThat(ThrottleTime.ofFetch(frame.slice(0, offset + 3), v)).isEqualTo(-1);
        assertThat(ThrottleTime.ofFetch(frame.slice(0, 6), v)).isEqualTo(-1);
        assertThat(ThrottleTime.ofFetch(frame.slice(0, offset + 4), v)).isEqualTo(10);
    }

    /** As Kafka's FetchContext.getThrottledResponse for a sessionless or full fetch: no error, no session, no partitions. */
    @Test
    void aThrottledFetchResponseCarriesTheThrottleTimeAndNothingElseAtEveryVersion() {
        for (short v = ApiKeys.FETCH.oldestVersion(); v <= ApiKeys.FETCH.latestVersion(false); v++) {
            Buffer frame = KafkaFrames.response(11, ApiKeys.FETCH.responseHeaderVersion(v), ThrottleTime.throttledFetch(900).data(), v);
            assertThat(KafkaFrames.correlationId(frame)).isEqualTo(11);
            FetchResponseData decoded = decodeFetch(frame, v);
            assertThat(decoded.throttleTimeMs()).as("v%d", v).isEqualTo(900);
            assertThat(decoded.errorCode()).isZero();
            assertThat(decoded.sessionId()).isZero();
            assertThat(decoded.responses()).isEmpty();
            assertThat(decoded.nodeEndpoints()).isEmpty();
        }
    }

    @Test
    void aProduceResponseGetsTheLongerThrottleTimeAtEveryVersion() {
        for (short v = ApiKeys.PRODUCE.oldestVersion(); v <= ApiKeys.PRODUCE.latestVersion(false); v++) {
            ProduceResponseData data = new ProduceResponseData().setThrottleTimeMs(50);
            ProduceResponseData.TopicProduceResponse topic = new ProduceResponseData.TopicProduceResponse().setName("t");
            topic.partitionResponses().add(new ProduceResponseData.PartitionProduceResponse().setIndex(0).setBaseOffset(42));
            data.responses().add(topic);
            Buffer frame = KafkaFrames.response(3, ApiKeys.PRODUCE.responseHeaderVersion(v), data, v);
            Buffer raised = ThrottleTime.raiseProduce(frame, v, 700);
            KafkaFrames.Response r = KafkaFrames.splitResponse(raised, ApiKeys.PRODUCE, v);
            ProduceResponseData out = new ProduceResponseData(new ByteBufferAccessor(r.body()), v);
            assertThat(out.throttleTimeMs()).as("v%d", v).isEqualTo(700);
            assertThat(KafkaFrames.correlationId(raised)).isEqualTo(3);
            assertThat(out.responses().iterator().next().partitionResponses().get(0).baseOffset()).isEqualTo(42);
            assertThat(ThrottleTime.raiseProduce(frame, v, 10)).as("the broker's is longer").isSameAs(frame);
        }
    }
}
