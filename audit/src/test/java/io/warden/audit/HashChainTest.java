package io.warden.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HashChainTest {

    private static final String PREV = "ab".repeat(32);

    @Test
    void chainLinePutsSeqAndPrevFirstAndKeepsTheEventsUtf8Bytes() throws Exception {
        byte[] event = "{\"actor\":{\"user\":{\"name\":\"User:zoë\"}},\"n\":1}".getBytes(StandardCharsets.UTF_8);

        byte[] line = HashChain.chainLine(42, PREV, event);

        assertThat(new String(line, StandardCharsets.UTF_8))
                .isEqualTo("{\"seq\":42,\"prev\":\"" + PREV + "\",\"actor\":{\"user\":{\"name\":\"User:zoë\"}},\"n\":1}");
        JsonNode parsed = new ObjectMapper().readTree(line);
        assertThat(parsed.get("seq").asLong()).isEqualTo(42);
        assertThat(parsed.at("/actor/user/name").asText()).isEqualTo("User:zoë");
    }

    @Test
    void chainLineOfAnEmptyObjectHasOnlyTheChainFields() {
        byte[] line = HashChain.chainLine(1, HashChain.GENESIS, "{}".getBytes(StandardCharsets.UTF_8));

        assertThat(new String(line, StandardCharsets.US_ASCII))
                .isEqualTo("{\"seq\":1,\"prev\":\"" + HashChain.GENESIS + "\"}");
    }

    @Test
    void chainLineRefusesWhatIsNotAJsonObject() {
        assertThatThrownBy(() -> HashChain.chainLine(1, PREV, "[1]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a JSON object: [1]");
    }

    @Test
    void aReusedDigestHashesEachLineOnItsOwn() throws Exception {
        MessageDigest reused = HashChain.sha256();
        byte[] first = "{\"seq\":1}".getBytes(StandardCharsets.UTF_8);
        byte[] padded = "xx{\"seq\":2}yy".getBytes(StandardCharsets.UTF_8);
        byte[] second = "{\"seq\":2}".getBytes(StandardCharsets.UTF_8);

        assertThat(HashChain.hash(reused, first, 0, first.length)).isEqualTo(sha256Hex(first));
        assertThat(HashChain.hash(reused, padded, 2, second.length)).isEqualTo(sha256Hex(second));
        assertThat(HashChain.hash(second)).isEqualTo(sha256Hex(second));
    }

    private static String sha256Hex(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
