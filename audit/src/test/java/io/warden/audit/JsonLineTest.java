package io.warden.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class JsonLineTest {

    private static final JsonFactory JACKSON = new JsonFactory();

    /**
     * The same calls through a Jackson generator writing text, then that text in UTF-8: how the encoder wrote
     * events before, the reference for the bytes.
     */
    private static byte[] viaJackson(String text, long number) throws Exception {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JACKSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("n", number);
            g.writeStringField("s", text);
            g.writeObjectFieldStart("o");
            g.writeStringField("s", text);
            g.writeStringField("none", null);
            g.writeEndObject();
            g.writeArrayFieldStart("a");
            g.writeStartObject();
            g.writeStringField("s", text);
            g.writeEndObject();
            g.writeStartObject();
            g.writeNumberField("n", -number);
            g.writeEndObject();
            g.writeEndArray();
            g.writeArrayFieldStart("empty");
            g.writeEndArray();
            g.writeNumberField("last", 0);
            g.writeEndObject();
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] viaJsonLine(String text, long number) {
        return new JsonLine(8)
                .startObject()
                .field("n", number)
                .field("s", text)
                .startObject("o").field("s", text).field("none", (String) null).endObject()
                .startArray("a")
                .startObject().field("s", text).endObject()
                .startObject().field("n", -number).endObject()
                .endArray()
                .startArray("empty").endArray()
                .field("last", 0)
                .endObject()
                .toByteArray();
    }

    @Property(tries = 500)
    void writesTheBytesJacksonsGeneratorWrites(@ForAll @CharRange(from = '\u0000', to = '\uffff') String text,
                                                @ForAll long number) throws Exception {
        assertThat(viaJsonLine(text, number)).isEqualTo(viaJackson(text, number));
    }

    /** ASCII text, mostly copied as it is, and the characters next to it that must be escaped. */
    @Property(tries = 500)
    void writesTheBytesJacksonsGeneratorWritesForAsciiText(@ForAll @CharRange(from = '\u0000', to = '\u0080') String text,
                                                          @ForAll long number) throws Exception {
        assertThat(viaJsonLine(text, number)).isEqualTo(viaJackson(text, number));
    }

    @Test
    void aValueWrittenInPartsEqualsTheWholeValueAndEncodedFieldsAreSeparated() {
        String principal = "User:\"zoë\"\n";
        byte[] whole = new JsonLine(8).startObject()
                .field("m", "produce by " + principal + " failed with error -7")
                .field("code", "-7")
                .field("a", 1).field("b", "x")
                .field("z", 0)
                .endObject().toByteArray();
        byte[] encodedFields = new JsonLine(8).field("a", 1).field("b", "x").toByteArray();

        byte[] parts = new JsonLine(8).startObject()
                .startString("m").part("produce by ").part(principal).part(" failed with error ").part(-7L).endString()
                .fieldAsString("code", -7)
                .fields(encodedFields)
                .field("z", 0)
                .endObject().toByteArray();

        assertThat(new String(parts, StandardCharsets.UTF_8)).isEqualTo(new String(whole, StandardCharsets.UTF_8));
    }

    @Test
    void escapesWhatJsonRequiresAndKeepsUnicode() throws Exception {
        String nasty = "quote\" backslash\\ newline\n tab\t nul\u0000 bell\u0007 zoë \u2603 \uD83D\uDE00 </script>";

        byte[] line = viaJsonLine(nasty, Long.MIN_VALUE + 1);

        assertThat(line).isEqualTo(viaJackson(nasty, Long.MIN_VALUE + 1));
        String text = new String(line, StandardCharsets.UTF_8);
        assertThat(text).doesNotContain("\n").contains("\\\"").contains("\\\\").contains("\\u0000").contains("zoë");
        JsonNode parsed = new ObjectMapper().readTree(line);
        assertThat(parsed.get("s").asText()).isEqualTo(nasty);
        assertThat(parsed.at("/a/0/s").asText()).isEqualTo(nasty);
        assertThat(parsed.at("/o/none").isNull()).isTrue();
    }

    @Test
    void aLoneSurrogateBecomesAQuestionMarkInsteadOfFailingTheEvent() throws Exception {
        String broken = "user\uD800name";

        byte[] line = viaJsonLine(broken, 1);

        assertThat(line).isEqualTo(viaJackson(broken, 1));
        assertThat(new ObjectMapper().readTree(line).get("s").asText()).isEqualTo("user?name");
    }
}
