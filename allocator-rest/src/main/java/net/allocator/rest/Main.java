package net.allocator.rest;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import net.allocator.core.Allocator;
import net.allocator.core.AllocatorOptions;
import net.allocator.core.InvalidInputException;
import net.allocator.core.StoreUnavailableException;
import net.allocator.core.store.KeyValueStore;
import net.allocator.rest.ServiceCommand.Config;
import net.allocator.rest.ServiceCommand.Print;
import net.allocator.rest.ServiceCommand.Run;
import net.allocator.rest.ServiceCommand.UsageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Starts the REST service from flags and environment variables ({@link ServiceCommand}): {@code
 * java -jar allocator-rest.jar --store etcd --etcd-endpoints http://10.0.0.5:2379}.
 *
 * <p>{@code java -jar allocator-rest.jar backup ...} runs {@link BackupCommand} instead.
 *
 * <p>Exit codes: 0 after a clean stop (SIGTERM, Ctrl-C), {@code --help} or {@code --version}; 1
 * when the service cannot start (port in use); 2 for a usage error (unknown flag or store,
 * malformed value, a flag of a store that is not selected), with one line on stderr.
 */
public final class Main {
    static final int EXIT_STARTUP = 1;
    static final int EXIT_USAGE = 2;

    private Main() {}

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals(BackupCommand.NAME)) {
            System.exit(BackupCommand.run(Arrays.copyOfRange(args, 1, args.length), System.getenv()));
        }
        AtomicReference<Launched> running = new AtomicReference<>();
        try {
            ServiceCommand.Invocation invocation = ServiceCommand.parse(args, System.getenv());
            if (invocation instanceof Print print) {
                System.out.print(print.text());
                System.out.flush();
                return;
            }
            Run run = (Run) invocation;
            run.warnings().forEach(warning -> System.err.println("allocator-rest: warning: " + warning));
            stopOnSignals(running);
            launch(run.config(), running::set);
        } catch (UsageException e) {
            exit(EXIT_USAGE, e.getMessage() + " (--help lists every flag)");
        } catch (StartupException e) {
            exit(EXIT_STARTUP, e.getMessage());
        }
    }

    private static void exit(int code, String message) {
        ServiceLogging.flush();
        System.err.println("allocator-rest: " + message);
        System.exit(code);
    }

    /**
     * Stops the service on SIGTERM and Ctrl-C, then exits 0. Left to the JVM, SIGTERM would run
     * the shutdown hook and exit with 143 (128 + 15), which systemd and other supervisors count
     * as a failure of a stop that went as asked. Installed before the service starts, so a signal
     * right after the start-up line finds the service to close.
     */
    private static void stopOnSignals(AtomicReference<Launched> running) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Launched launched = running.get();
            if (launched != null) {
                launched.close();
            }
            ServiceLogging.flush();
        }, "allocator-shutdown"));
        for (String name : List.of("TERM", "INT")) {
            try {
                Signal.handle(new Signal(name), signal -> System.exit(0));
            } catch (IllegalArgumentException e) {
                // ignored by the parent (a background job of a script ignores INT): the JVM's own handling stays
            }
        }
    }

    /** {@link #launch(Config, Consumer)} for a caller that closes what it launched itself. */
    static Launched launch(Config config) throws UsageException, StartupException {
        return launch(config, launched -> {});
    }

    /**
     * Starts the service as {@code config} says, hands it to {@code started}, then logs the
     * start-up line (so whoever stops the service knows it before anyone can see it running).
     *
     * @throws UsageException for a setting the store or the allocator refuses
     * @throws StartupException when the server cannot listen
     */
    static Launched launch(Config config, Consumer<Launched> started) throws UsageException, StartupException {
        ServiceLogging.apply(config.logLevel());
        Logger log = LoggerFactory.getLogger(Main.class);

        KeyValueStore store;
        try {
            store = config.provider().open(config.storeSettings());
        } catch (InvalidInputException e) {
            throw new UsageException(config.blame(e.getMessage()));
        }
        Allocator allocator;
        try {
            allocator = Allocator.create(store, AllocatorOptions.defaults().withKeyPrefix(config.keyPrefix()));
        } catch (InvalidInputException e) {
            closeQuietly(store, log);
            throw new UsageException("--key-prefix: " + e.getMessage());
        }
        String storeName = config.provider().name();
        RestServer server;
        try {
            server = RestServer.start(AllocatorService.of(allocator, allocator::checkStore, storeName), config.server());
        } catch (IOException e) {
            closeQuietly(allocator, log);
            closeQuietly(store, log);
            throw new StartupException("cannot listen on " + config.server().bind().getHostAddress() + ":"
                    + config.server().port() + ": " + e.getMessage());
        }
        Launched launched = new Launched(server, allocator, store, log);
        started.accept(launched);
        log.info("allocator-rest {} listening on {} with store {} ({}), key prefix '{}', {} threads",
                RestServer.version(), server.uri(), storeName, store.describe(), config.keyPrefix(), config.server().threads());
        if (storeName.equals("inmemory")) {
            log.warn("the in-memory store keeps nothing across restarts: every network and allocation is lost when "
                    + "the service stops; leave out --store (the default, sqlite, keeps them in a file) or use --store etcd or consul");
        }
        if (!config.server().bind().isLoopbackAddress() && config.server().token().isEmpty()) {
            log.warn("listening on {} without a token: anyone who can reach this port can register networks and "
                    + "change allocations; set ALLOCATOR_TOKEN to require a bearer token for changes",
                    config.server().bind().getHostAddress());
        }
        try {
            allocator.checkStore();
        } catch (StoreUnavailableException e) {
            log.warn("the store does not answer yet ({}); requests get 503 until it does", e.getMessage());
        }
        return launched;
    }

    /** The running service, as {@link #launch} leaves it. */
    static final class Launched implements AutoCloseable {
        private final RestServer server;
        private final Allocator allocator;
        private final KeyValueStore store;
        private final Logger log;
        private boolean closed;

        Launched(RestServer server, Allocator allocator, KeyValueStore store, Logger log) {
            this.server = server;
            this.allocator = allocator;
            this.store = store;
            this.log = log;
        }

        RestServer server() {
            return server;
        }

        /** Stops accepting, lets requests in flight finish within the grace, closes the allocator and the store. */
        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            log.info("stopping: no new connections, waiting for requests in flight");
            server.stop();
            closeQuietly(allocator, log);
            closeQuietly(store, log);
            log.info("stopped");
        }
    }

    private static void closeQuietly(AutoCloseable closeable, Logger log) {
        try {
            closeable.close();
        } catch (Exception e) {
            log.warn("while closing {}: {}", closeable.getClass().getSimpleName(), e.toString());
        }
    }

    /** The service could not start (port in use): exit code 1. */
    static final class StartupException extends Exception {
        private static final long serialVersionUID = 1L;

        StartupException(String message) {
            super(message, null, false, false);
        }
    }
}
