package net.allocator.rest;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's log levels over Logback (configured by {@code logback.xml}): {@code --log-level}
 * sets the root level; the launcher's own few lines (the start-up line naming address, store and
 * version; stopping; stopped) always log, so an operator who chose {@code warn} or {@code error}
 * still sees what is running and when it stopped.
 */
final class ServiceLogging {
    /** The launcher's logger; kept at INFO whatever {@code --log-level} says. */
    static final String LAUNCHER = Main.class.getName();
    /** The logger of the request log: a line per request at INFO, refused ones at WARN. */
    static final String REQUESTS = "net.allocator.rest.requests";

    /** gRPC (under the etcd client) logs through java.util.logging; held so the level sticks. */
    private static final java.util.logging.Logger GRPC_LOG = java.util.logging.Logger.getLogger("io.grpc");

    private ServiceLogging() {}

    /** Sets the levels for {@code level}: trace, debug, info, warn, error or off. */
    static void apply(String level) {
        if (!level.equals("debug") && !level.equals("trace")) {
            GRPC_LOG.setLevel(java.util.logging.Level.WARNING);
        }
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
            logback.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level, Level.INFO));
            logback.getLogger(LAUNCHER).setLevel(Level.INFO);
        }
        // any other binding (an embedding application's) keeps its own configuration
    }

    /** Writes every queued line and stops the appenders; the last thing the process logs. */
    static void flush() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (factory instanceof LoggerContext logback) {
            logback.stop();
        }
    }
}
