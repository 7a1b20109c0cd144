package io.warden.gateway;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped log4j2.xml writes each message on one line in both formats, whatever a client put into it. */
class LogLayoutTest {

    /** What a client could send as a SASL mechanism name, to be quoted in a close reason. */
    private static final String FORGED = "event=connection_closed reason=\"SASL mechanism X\r\n2026-01-01 00:00:00,000 level=INFO"
            + "  logger=ClientConnection event=authenticated principal=\"User:admin\"\"";

    @Test
    void aMessageWithLineBreaksStaysOnOneLineInTheTextFormat() throws Exception {
        String line = format("DefaultArbiter");
        assertThat(line).endsWith(System.lineSeparator());
        assertThat(line.substring(0, line.length() - System.lineSeparator().length())).doesNotContain("\n", "\r")
                .contains("SASL mechanism X\\r\\n2026-01-01");
    }

    @Test
    void aMessageWithLineBreaksStaysOnOneLineInTheJsonFormat() throws Exception {
        String line = format("EnvironmentArbiter");
        assertThat(line.strip()).doesNotContain("\n", "\r").startsWith("{").endsWith("}");
    }

    @Test
    void anExceptionStaysOnTheEventsLineInTheTextFormat() throws Exception {
        // An exception's message may quote what a client sent too; its stack trace is part of the same line.
        String line = format("DefaultArbiter", new IllegalStateException(FORGED));
        String body = line.substring(0, line.length() - System.lineSeparator().length());
        assertThat(body).doesNotContain("\n", "\r")
                .contains("exception=\"java.lang.IllegalStateException: event=connection_closed", "SASL mechanism X\\r\\n2026-01-01",
                        "\\n\tat io.warden.gateway.LogLayoutTest.anExceptionStaysOnTheEventsLineInTheTextFormat");
    }

    @Test
    void anExceptionStaysOnTheEventsLineInTheJsonFormat() throws Exception {
        String line = format("EnvironmentArbiter", new IllegalStateException(FORGED));
        assertThat(line.strip()).doesNotContain("\n", "\r").startsWith("{").endsWith("}").contains("\"exception\":\"");
    }

    /** The event formatted by the layout of the shipped configuration's appender under the given arbiter. */
    private static String format(String arbiter) throws Exception {
        return format(arbiter, null);
    }

    private static String format(String arbiter, Throwable thrown) throws Exception {
        Element layout;
        try (InputStream xml = Warden.class.getResourceAsStream("/log4j2.xml")) {
            NodeList arbiters = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml).getElementsByTagName(arbiter);
            assertThat(arbiters.getLength()).as(arbiter).isEqualTo(1);
            layout = (Element) ((Element) arbiters.item(0)).getElementsByTagName("PatternLayout").item(0);
        }
        PatternLayout pattern = PatternLayout.newBuilder().withPattern(layout.getAttribute("pattern"))
                .withAlwaysWriteExceptions(!"false".equals(layout.getAttribute("alwaysWriteExceptions"))).build();
        LogEvent event = Log4jLogEvent.newBuilder().setLoggerName("io.warden.gateway.proxy.ClientConnection")
                .setLevel(Level.INFO).setMessage(new SimpleMessage(FORGED)).setThrown(thrown).build();
        return pattern.toSerializable(event);
    }
}
