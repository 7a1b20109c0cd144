package io.warden.dev;

import java.util.List;

final class Benchmark {
    private Benchmark() {
    }

    static int run(List<String> args) {
        System.err.println("bench: not built yet");
        return 1;
    }
}
