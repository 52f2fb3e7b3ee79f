package dev.vane.server;

import org.junit.jupiter.api.Test;

import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.assertj.core.api.Assertions.assertThat;

class LogLineFormatterTest {

    private final LogLineFormatter f = new LogLineFormatter();

    private static LogRecord record(Level level, String logger, String message) {
        LogRecord r = new LogRecord(level, message);
        r.setLoggerName(logger);
        return r;
    }

    @Test
    void oneLineWithTimeLevelShortLoggerNameAndMessage() {
        String line = f.format(record(Level.INFO, "io.helidon.webserver.AccessLog", "GET /metrics 200"));
        assertThat(line).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO    AccessLog: GET /metrics 200\\R");
        // Helidon's per-socket loggers end in .@socket
        assertThat(f.format(record(Level.INFO, "vane.http-access.@default", "GET /"))).contains(" http-access: GET /");
        assertThat(f.format(record(Level.WARNING, "vane.admin", "x"))).contains(" WARNING admin: x");
        assertThat(f.format(record(Level.INFO, "", "x"))).contains(" root: x");
    }

    @Test
    void parametersAreFilledInAndAStackTraceFollowsTheLine() {
        LogRecord r = record(Level.SEVERE, "dev.vane.server.Responses", "request {0} failed");
        r.setParameters(new Object[] {"42"});
        r.setThrown(new IllegalStateException("boom"));
        String out = f.format(r);
        assertThat(out.lines().findFirst()).hasValueSatisfying(l -> assertThat(l).endsWith("SEVERE  Responses: request 42 failed"));
        assertThat(out).contains("java.lang.IllegalStateException: boom").contains("\tat ");
    }
}
