package io.warden.dev;

import io.warden.dev.VariantBenchmark.Variant;

import java.util.List;

/**
 * {@code warden bench transport}: the gateway's event loops on Java's NIO selectors ({@code transport: nio}, the
 * baseline) against Netty's native epoll transport ({@code transport: epoll}), as a {@link VariantBenchmark}. A
 * gateway asked for epoll where it does not load refuses to start, so the benchmark measures what it names. The last
 * line is {@code epoll/nio produce=<ratio> consume=<ratio>}; each run also prints the gateway's CPU per MB.
 */
final class TransportBenchmark {

    private TransportBenchmark() {
    }

    static int run(List<String> args) throws Exception {
        return VariantBenchmark.run("transport", List.of(
                new Variant("nio", "transport: nio\n"),
                new Variant("epoll", "transport: epoll\n")), args);
    }
}
