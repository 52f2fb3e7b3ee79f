package dev.vane.server;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One line per log record: local time, level, the last part of the logger's name, the message
 * (then the stack trace, if any), e.g. {@code 14:03:07.512 INFO    admin: admin change by ...}.
 * The JDK's {@code SimpleFormatter} can only print a logger's full name, which makes lines from
 * {@code vane.http-access.@default} or {@code ai.djl.pytorch.jni.LibUtils} hard to scan.
 * Named in {@code logging.properties}; the JDK instantiates it by its class name.
 */
public final class LogLineFormatter extends Formatter {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    @Override
    public String format(LogRecord r) {
        StringBuilder b = new StringBuilder(128)
                .append(TIME.format(LocalTime.ofInstant(r.getInstant(), ZoneId.systemDefault()))).append(' ')
                .append(String.format("%-7s", r.getLevel().getName())).append(' ')
                .append(shortName(r.getLoggerName())).append(": ")
                .append(formatMessage(r)).append(System.lineSeparator());
        if (r.getThrown() != null) {
            StringWriter w = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(w));
            b.append(w);
        }
        return b.toString();
    }

    /** The last part of a logger's name; Helidon's per-socket suffix ({@code .@default}) does not count. */
    static String shortName(String logger) {
        if (logger == null || logger.isEmpty()) return "root";
        String name = logger.replaceFirst("\\.@[^.]*$", "");
        return name.substring(name.lastIndexOf('.') + 1);
    }
}
