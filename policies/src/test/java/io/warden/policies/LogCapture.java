package io.warden.policies;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Captures everything the given loggers write at DEBUG and above, stack traces included, so a test can check what an
 * operator would see in the log (and that no password is among it).
 */
public final class LogCapture extends AbstractAppender implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<String> loggerNames;
    private final List<LoggerConfig> replaced = new java.util.ArrayList<>();

    private LogCapture(List<String> loggerNames) {
        super("capture-" + System.identityHashCode(loggerNames), null, null, true, Property.EMPTY_ARRAY);
        this.loggerNames = loggerNames;
    }

    public static LogCapture attach(String... loggerNames) {
        LogCapture capture = new LogCapture(List.of(loggerNames));
        capture.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        config.addAppender(capture);
        for (String name : loggerNames) {
            LoggerConfig configured = config.getLoggers().get(name);
            if (configured != null) {
                // addLogger keeps an existing logger of that name: take it out, and put it back on close.
                capture.replaced.add(configured);
                config.removeLogger(name);
            }
            LoggerConfig logger = LoggerConfig.newBuilder().withLoggerName(name).withLevel(Level.DEBUG)
                    .withAdditivity(false).withConfig(config).build();
            logger.addAppender(capture, Level.DEBUG, null);
            config.addLogger(name, logger);
        }
        context.updateLoggers();
        return capture;
    }

    @Override
    public void append(LogEvent event) {
        lines.add(event.getLevel() + " " + event.getLoggerName() + " " + messageAndTrace(event));
    }

    /** What an operator would read of {@code event}: its message, and the stack trace of its exception if any. */
    public static String messageAndTrace(LogEvent event) {
        String message = event.getMessage().getFormattedMessage();
        if (event.getThrown() == null) {
            return message;
        }
        StringWriter trace = new StringWriter();
        event.getThrown().printStackTrace(new PrintWriter(trace));
        return message + "\n" + trace;
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    public List<String> linesContaining(String text) {
        return lines.stream().filter(l -> l.contains(text)).toList();
    }

    public String text() {
        return String.join("\n", lines);
    }

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        loggerNames.forEach(config::removeLogger);
        replaced.forEach(original -> config.addLogger(original.getName(), original));
        config.getAppenders().remove(getName());
        context.updateLoggers();
        stop();
    }
}
