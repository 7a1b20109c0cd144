package io.warden.dev;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code -Dwarden.bench.gatewayCpus}: a gateway's command under taskset, and a bad CPU list refused by name. */
class GatewayCpusTest {

    private static final List<String> COMMAND = List.of("java", "-cp", "x", "io.warden.gateway.Warden", "run");

    @Test
    void aCpuListPutsTheGatewayUnderTaskset() {
        assertThat(PerfTools.onCpus(COMMAND, " 1 ")).containsExactly("taskset", "-c", "1", "java", "-cp", "x",
                "io.warden.gateway.Warden", "run");
        assertThat(PerfTools.onCpus(COMMAND, "0,2-3")).startsWith("taskset", "-c", "0,2-3");
    }

    @Test
    void noListLeavesTheCommandAsItIs() {
        assertThat(PerfTools.onCpus(COMMAND, "")).isEqualTo(COMMAND);
        assertThat(PerfTools.onCpus(COMMAND, null)).isEqualTo(COMMAND);
    }

    @Test
    void aBadListIsRefusedNamingTheProperty() {
        for (String bad : List.of("one", "1;reboot", "1-", ",1", "1 2")) {
            assertThatThrownBy(() -> PerfTools.onCpus(COMMAND, bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("warden.bench.gatewayCpus: expected a CPU list such as 1, 2-3 or 0,2, got '" + bad.trim() + "'");
        }
    }
}
