package io.warden.audit;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MemoryRecordsBuilder;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

class PartitionDetailTest {

    private static final long TS = 1_762_000_000_000L;

    /** Batches of 3, 4 and 5 records at offsets 100.., 103.., 107..; timestamps TS+offset. */
    private static MemoryRecords threeBatches(Compression compression) {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        long offset = 100;
        for (int size : new int[]{3, 4, 5}) {
            MemoryRecordsBuilder b = MemoryRecords.builder(buf, RecordBatch.CURRENT_MAGIC_VALUE, compression,
                    TimestampType.CREATE_TIME, offset);
            for (int i = 0; i < size; i++) {
                b.append(TS + offset, ("k" + offset).getBytes(), ("value-" + offset + "-" + "x".repeat(100)).getBytes());
                offset++;
            }
            b.close();
        }
        buf.flip();
        return MemoryRecords.readableRecords(buf);
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = {"NONE", "GZIP", "ZSTD", "LZ4", "SNAPPY"})
    void countsOffsetsAndTimestampsComeFromBatchHeaders(CompressionType type) {
        MemoryRecords records = threeBatches(Compression.of(type).build());
        PartitionDetail d = PartitionDetail.fromRecords("orders", 2, records);
        assertThat(d.topic()).isEqualTo("orders");
        assertThat(d.partition()).isEqualTo(2);
        assertThat(d.recordCount()).isEqualTo(12);
        assertThat(d.firstOffset()).isEqualTo(100);
        assertThat(d.lastOffset()).isEqualTo(111);
        assertThat(d.firstTimestamp()).isEqualTo(TS + 100);
        assertThat(d.lastTimestamp()).isEqualTo(TS + 111);
        assertThat(d.bytes()).isEqualTo(records.sizeInBytes());
        if (type != CompressionType.NONE) {
            assertThat(d.bytes()).isLessThan(threeBatches(Compression.NONE).sizeInBytes());
        }
    }

    /** A Produce request's partition: what the headers tell, but not the offsets the client's batches count from. */
    @Test
    void aRequestedPartitionHasItsCountsAndTimestampsWithoutOffsets() {
        MemoryRecords records = threeBatches(Compression.NONE);
        PartitionDetail read = PartitionDetail.fromRecords("orders", 2, records);
        assertThat(PartitionDetail.requested("orders", 2, records)).isEqualTo(new PartitionDetail("orders", 2, (short) 0,
                read.recordCount(), read.bytes(), PartitionDetail.UNKNOWN, PartitionDetail.UNKNOWN, TS + 100, TS + 111));
    }

    @Test
    void neverDecompresses() {
        MemoryRecords records = threeBatches(Compression.gzip().build());
        ByteBuffer raw = records.buffer().duplicate();
        // Spoil the compressed payload of every batch (past the 61-byte v2 header): reading it would fail.
        int pos = 0;
        while (pos < raw.limit()) {
            int batchSize = raw.getInt(pos + 8) + 12;
            for (int i = pos + 61; i < pos + batchSize; i++) {
                raw.put(i, (byte) 0x5a);
            }
            pos += batchSize;
        }
        MemoryRecords spoiled = MemoryRecords.readableRecords(raw);
        PartitionDetail d = PartitionDetail.fromRecords("orders", 0, spoiled);
        assertThat(d.recordCount()).isEqualTo(12);
        assertThat(d.firstOffset()).isEqualTo(100);
        assertThat(d.lastOffset()).isEqualTo(111);
    }

    @Test
    void aPartialTrailingBatchIsNotCounted() {
        MemoryRecords whole = threeBatches(Compression.NONE);
        ByteBuffer cut = whole.buffer().duplicate();
        cut.limit(cut.limit() - 10);
        PartitionDetail d = PartitionDetail.fromRecords("orders", 0, MemoryRecords.readableRecords(cut.slice()));
        assertThat(d.recordCount()).isEqualTo(7);
        assertThat(d.lastOffset()).isEqualTo(106);
    }

    @Test
    void noRecordsIsUnknownOffsets() {
        PartitionDetail d = PartitionDetail.fromRecords("orders", 0, (short) 3, MemoryRecords.EMPTY);
        assertThat(d.recordCount()).isZero();
        assertThat(d.bytes()).isZero();
        assertThat(d.errorCode()).isEqualTo((short) 3);
        assertThat(d.firstOffset()).isEqualTo(PartitionDetail.UNKNOWN);
        assertThat(d.lastTimestamp()).isEqualTo(PartitionDetail.UNKNOWN);
    }
}
