package io.warden.dev;

import io.warden.gateway.Warden;

import java.util.Arrays;
import java.util.List;

/**
 * Entry point of the {@code ./warden} launcher: the development commands ({@code demo}, {@code bench}) live here,
 * everything else is the production {@link Warden} command line.
 */
public final class DevMain {

    private DevMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> rest = args.length == 0 ? List.of() : Arrays.asList(args).subList(1, args.length);
        String command = args.length == 0 ? "" : args[0];
        int code = switch (command) {
            case "demo" -> Demo.run(rest);
            case "bench" -> {
                try {
                    // a bad -Dwarden.bench.gatewayCpus is refused before anything starts
                    PerfTools.checkCpuList(System.getProperty("warden.bench.gatewayCpus", ""));
                } catch (IllegalArgumentException e) {
                    System.err.println(e.getMessage());
                    yield 2;
                }
                yield Benchmark.run(rest);
            }
            default -> {
                Warden.main(args);
                yield 0;
            }
        };
        System.exit(code);
    }
}
