package io.warden.audit;

import org.apache.kafka.common.record.DefaultRecordBatch;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.Records;
import org.apache.kafka.common.record.TimestampType;

/**
 * What one partition of a Produce request or Fetch response carried: who wrote or read which offsets, and how much.
 * Built from record batch headers so that auditing never pays for decompression.
 *
 * @param recordCount records in the batches, or {@link #UNKNOWN} when only legacy compressed batches (magic 0/1)
 *                    were present, whose count is not in any header
 * @param firstOffset {@link #UNKNOWN} when there were no records; likewise the other offsets and timestamps
 */
public record PartitionDetail(String topic, int partition, short errorCode, long recordCount, long bytes,
                              long firstOffset, long lastOffset, long firstTimestamp, long lastTimestamp) {

    /** Marks a count, offset or timestamp that the batches did not tell. */
    public static final long UNKNOWN = -1L;

    /**
     * Reads counts, sizes, offsets and timestamps from the batch headers of {@code records}: base and last offset,
     * record count, size, the first batch's base timestamp and the last batch's max timestamp. Control batches
     * (transaction markers) count towards bytes only, and so does a partial batch at the end of a fetch: its header
     * may be cut, and the consumer fetches it again. {@code bytes} is all the records' bytes.
     */
    public static PartitionDetail fromRecords(String topic, int partition, Records records) {
        return fromRecords(topic, partition, (short) 0, records);
    }

    /** As {@link #fromRecords(String, int, Records)}, with the partition's outcome error code. */
    public static PartitionDetail fromRecords(String topic, int partition, short errorCode, Records records) {
        return read(topic, partition, errorCode, records, true);
    }

    /**
     * As {@link #fromRecords(String, int, Records)} without offsets: what a Produce request carries (the client's
     * batches count from 0), before a broker has assigned any.
     */
    public static PartitionDetail requested(String topic, int partition, Records records) {
        return read(topic, partition, (short) 0, records, false);
    }

    private static PartitionDetail read(String topic, int partition, short errorCode, Records records, boolean withOffsets) {
        long count = 0;
        boolean countKnown = true;
        long bytes = records == null ? 0 : records.sizeInBytes(); // with a partial last batch, which batches() leaves out
        long first = UNKNOWN;
        long last = UNKNOWN;
        long firstTs = UNKNOWN;
        long lastTs = UNKNOWN;
        boolean any = false;
        if (records != null) {
            for (RecordBatch batch : records.batches()) {
                if (batch.isControlBatch()) {
                    continue;
                }
                long batchLast = batch.lastOffset();
                long batchFirst;
                if (batch.magic() >= RecordBatch.MAGIC_VALUE_V2) {
                    batchFirst = batch.baseOffset();
                    Integer n = batch.countOrNull();
                    count += n == null ? batchLast - batchFirst + 1 : n;
                } else if (!batch.isCompressed()) {
                    batchFirst = batchLast; // a legacy uncompressed batch is one record
                    count += 1;
                } else {
                    batchFirst = UNKNOWN; // its base offset is only known by decompressing
                    countKnown = false;
                }
                if (!any) {
                    any = true;
                    first = batchFirst;
                    firstTs = firstTimestamp(batch);
                }
                last = batchLast;
                lastTs = batch.maxTimestamp();
            }
        }
        return new PartitionDetail(topic, partition, errorCode, countKnown ? count : UNKNOWN, bytes,
                withOffsets ? first : UNKNOWN, withOffsets ? last : UNKNOWN, firstTs, lastTs);
    }

    private static long firstTimestamp(RecordBatch batch) {
        if (batch instanceof DefaultRecordBatch b && b.timestampType() != TimestampType.LOG_APPEND_TIME) {
            return b.baseTimestamp();
        }
        return batch.maxTimestamp();
    }

    /**
     * A partition whose record batch headers cannot be read (a corrupt batch): only its size is known. A broker refuses
     * such a Produce with CORRUPT_MESSAGE, so nothing of it is stored.
     */
    public static PartitionDetail unreadable(String topic, int partition, long bytes) {
        return new PartitionDetail(topic, partition, (short) 0, UNKNOWN, bytes, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN);
    }

    /** This partition with the outcome {@code error}, and no offsets: nothing of it was stored. */
    public PartitionDetail refused(short error) {
        return new PartitionDetail(topic, partition, error, recordCount, bytes, UNKNOWN, UNKNOWN, firstTimestamp, lastTimestamp);
    }

    /** A partition with an outcome but no records, as for a refused or empty partition. */
    public static PartitionDetail empty(String topic, int partition, short errorCode) {
        return new PartitionDetail(topic, partition, errorCode, 0, 0, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN);
    }
}
