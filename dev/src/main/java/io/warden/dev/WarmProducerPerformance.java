package io.warden.dev;

import org.apache.kafka.tools.ProducerPerformance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs Kafka's {@link ProducerPerformance} twice in one JVM: a short warm-up, then the measured run. Without the
 * warm-up, class loading and JIT compilation in a fresh JVM land in the latency tail and swamp what the benchmark
 * compares. Arguments: the warm-up record count, then ProducerPerformance's own arguments.
 */
public final class WarmProducerPerformance {

    private WarmProducerPerformance() {
    }

    public static void main(String[] args) throws Exception {
        String warmupRecords = args[0];
        List<String> measured = Arrays.asList(args).subList(1, args.length);
        List<String> warmup = new ArrayList<>(measured);
        int i = warmup.indexOf("--num-records");
        warmup.set(i + 1, warmupRecords);
        ProducerPerformance.main(warmup.toArray(String[]::new));
        System.out.println("--- measured run ---");
        ProducerPerformance.main(measured.toArray(String[]::new));
    }
}
