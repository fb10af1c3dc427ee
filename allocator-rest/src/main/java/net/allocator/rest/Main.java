package net.allocator.rest;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import net.allocator.core.AddressQuery;
import net.allocator.core.Allocator;
import net.allocator.core.AllocatorOptions;
import net.allocator.core.InvalidInputException;
import net.allocator.core.StoreUnavailableException;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Settings;
import net.allocator.core.store.StoreProvider;
import net.allocator.core.store.StoreProviders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the REST service from flags and environment variables: {@code java -jar
 * allocator-rest.jar --store etcd --etcd-endpoints http://10.0.0.5:2379}. Every flag {@code
 * --some-name} has an environment twin {@code ALLOCATOR_SOME_NAME}; a flag wins over its
 * variable. The store's own settings come from its {@link StoreProvider#settings()}.
 *
 * <p>Exit codes: 0 after a clean stop (SIGTERM, Ctrl-C) or {@code --help}; 1 when the service
 * cannot start (port in use); 2 for a usage error (unknown flag or store, malformed value).
 */
public final class Main {
    /** gRPC (under the etcd client) logs through java.util.logging; held so the level sticks. */
    private static final java.util.logging.Logger GRPC_LOG = java.util.logging.Logger.getLogger("io.grpc");

    static final int EXIT_USAGE = 2;
    static final int EXIT_STARTUP = 1;

    /** The service's own flags; the stores' settings follow them. */
    static final List<Flag> FLAGS = List.of(
            new Flag("port", Integer.toString(ServerOptions.DEFAULT_PORT), "TCP port to listen on (0: any free port)"),
            new Flag("bind", "127.0.0.1", "address to listen on; 0.0.0.0 or :: to accept connections from other hosts"),
            new Flag("store", "inmemory", "the store, by name: inmemory, etcd or consul"),
            new Flag("key-prefix", "allocator", "prefix of every key the service writes in the store"),
            new Flag("threads", Integer.toString(ServerOptions.DEFAULT_THREADS), "requests handled at once"),
            new Flag("max-body", "1MiB", "largest request body accepted (bytes, or with KiB/MiB); larger gets 413"),
            new Flag("page-limit", Integer.toString(ServerOptions.DEFAULT_PAGE_LIMIT),
                    "addresses per listing when the request gives no ?limit= (1 to " + AddressQuery.MAX_LIMIT + ")"),
            new Flag("token", "", "when set, every POST, PUT and DELETE needs Authorization: Bearer <token> "
                    + "(prefer the environment variable: flags show in ps)"),
            new Flag("shutdown-grace", "10s", "how long a stop waits for requests in flight"),
            new Flag("log-level", "info", "trace, debug, info, warn, error or off; info logs one line per request"));

    private Main() {}

    public static void main(String[] args) {
        Launched launched;
        try {
            launched = launch(args, System.getenv(), System.out);
        } catch (UsageException e) {
            System.err.println("allocator-rest: " + e.getMessage());
            System.err.println("Run with --help to see every flag.");
            System.exit(EXIT_USAGE);
            return;
        } catch (StartupException e) {
            System.err.println("allocator-rest: " + e.getMessage());
            System.exit(EXIT_STARTUP);
            return;
        }
        if (launched != null) {
            Runtime.getRuntime().addShutdownHook(new Thread(launched::close, "allocator-shutdown"));
        }
    }

    /**
     * Parses the flags and starts the service; returns {@code null} after printing the help.
     *
     * @throws UsageException for a wrong flag, value or store name
     * @throws StartupException when the server cannot listen
     */
    static Launched launch(String[] args, Map<String, String> env, PrintStream out) throws UsageException, StartupException {
        Config config = parse(args, env);
        if (config.help()) {
            out.print(help());
            out.flush();
            return null;
        }
        configureLogging(config.logLevel());
        Logger log = LoggerFactory.getLogger(Main.class);

        KeyValueStore store;
        try {
            store = config.provider().open(config.storeSettings());
        } catch (InvalidInputException e) {
            throw new UsageException(e.getMessage());
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
        log.info("allocator-rest {} listening on {} with store {} ({}), key prefix '{}', {} threads",
                RestServer.version(), server.uri(), storeName, store.describe(), config.keyPrefix(), config.server().threads());
        if (storeName.equals("inmemory")) {
            log.warn("the in-memory store keeps nothing across restarts: every network and allocation is lost when "
                    + "the service stops; use --store etcd or --store consul to keep them");
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
        return new Launched(server, allocator, store, log);
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

    /** Sets slf4j-simple's level and format before the first logger is made; -D settings win except the level. */
    private static void configureLogging(String level) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        setIfAbsent("org.slf4j.simpleLogger.showShortLogName", "true");
        setIfAbsent("sun.net.httpserver.nodelay", "true");
        if (!level.equals("debug") && !level.equals("trace")) {
            GRPC_LOG.setLevel(java.util.logging.Level.WARNING);
        }
    }

    private static void setIfAbsent(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }

    /**
     * One flag: {@code --name} on the command line, {@code ALLOCATOR_NAME} in the environment.
     *
     * @param store the store the setting belongs to, empty for the service's own flags
     */
    record Flag(String name, String defaultValue, String description, Optional<String> store) {
        Flag(String name, String defaultValue, String description) {
            this(name, defaultValue, description, Optional.empty());
        }

        String env() {
            return envName(name);
        }
    }

    static String envName(String setting) {
        return "ALLOCATOR_" + setting.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
    }

    /** Everything the command line and the environment said. */
    record Config(
            boolean help,
            ServerOptions server,
            StoreProvider provider,
            Settings storeSettings,
            String keyPrefix,
            String logLevel) {}

    /** Every flag: the service's, then each store's settings. */
    static List<Flag> allFlags() {
        List<Flag> flags = new ArrayList<>(FLAGS);
        for (StoreProvider provider : StoreProviders.available().values()) {
            for (StoreProvider.SettingInfo setting : provider.settings()) {
                boolean taken = flags.stream().anyMatch(flag -> flag.name().equals(setting.name()));
                if (!taken) {
                    flags.add(new Flag(setting.name(), setting.defaultValue() == null ? "" : setting.defaultValue(),
                            setting.description(), Optional.of(provider.name())));
                }
            }
        }
        return flags;
    }

    /**
     * Reads flags ({@code --name value} or {@code --name=value}) over environment variables over
     * defaults, and checks every value.
     *
     * @throws UsageException naming the first problem
     */
    static Config parse(String[] args, Map<String, String> env) throws UsageException {
        List<Flag> flags = allFlags();
        Map<String, String> given = new LinkedHashMap<>();
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new UsageException("unexpected argument " + Messages.quote(arg) + "; flags look like --port 5000");
            }
            int equals = arg.indexOf('=');
            String name = equals >= 0 ? arg.substring(2, equals) : arg.substring(2);
            if (flags.stream().noneMatch(flag -> flag.name().equals(name))) {
                throw new UsageException("unknown flag --" + Messages.forLog(name, 64));
            }
            String value;
            if (equals >= 0) {
                value = arg.substring(equals + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new UsageException("flag --" + name + " needs a value");
            }
            given.put(name, value);
        }
        if (help) {
            return new Config(true, ServerOptions.defaults(), null, Settings.DEFAULT, "", "info");
        }
        Settings settings = name -> {
            String flag = given.get(name);
            if (flag != null) {
                return Optional.of(flag);
            }
            return Optional.ofNullable(env.get(envName(name))).filter(value -> !value.isBlank());
        };

        String storeName = value(settings, "store", "inmemory");
        StoreProvider provider;
        try {
            provider = StoreProviders.named(storeName);
        } catch (InvalidInputException e) {
            throw new UsageException("--store: " + e.getMessage());
        }
        int port = integer(settings, "port", ServerOptions.DEFAULT_PORT, 0, 65_535);
        InetAddress bind = bindAddress(value(settings, "bind", "127.0.0.1"));
        int threads = integer(settings, "threads", ServerOptions.DEFAULT_THREADS, 1, 4096);
        long maxBody = size(value(settings, "max-body", "1MiB"));
        int pageLimit = integer(settings, "page-limit", ServerOptions.DEFAULT_PAGE_LIMIT, 1, AddressQuery.MAX_LIMIT);
        Optional<String> token = settings.get("token").filter(value -> !value.isEmpty());
        if (token.isPresent() && (token.get().isBlank() || token.get().chars().anyMatch(c -> c < 0x21 || c > 0x7e))) {
            throw new UsageException("--token must be printable ASCII without spaces");
        }
        Duration grace;
        try {
            grace = settings.duration("shutdown-grace", ServerOptions.DEFAULT_SHUTDOWN_GRACE);
        } catch (InvalidInputException e) {
            throw new UsageException("--shutdown-grace must be a duration such as 10s, 500ms or PT10S");
        }
        if (grace.isNegative()) {
            throw new UsageException("--shutdown-grace must not be negative");
        }
        String logLevel = value(settings, "log-level", "info").strip().toLowerCase(Locale.ROOT);
        if (!List.of("trace", "debug", "info", "warn", "error", "off").contains(logLevel)) {
            throw new UsageException("--log-level must be trace, debug, info, warn, error or off, not " + Messages.quote(logLevel));
        }
        String keyPrefix = value(settings, "key-prefix", "allocator");

        ServerOptions server = new ServerOptions(bind, port, threads, maxBody, pageLimit, token, grace);
        return new Config(false, server, provider, settings, keyPrefix, logLevel);
    }

    private static String value(Settings settings, String name, String fallback) {
        return settings.get(name).orElse(fallback);
    }

    private static int integer(Settings settings, String name, int fallback, int min, int max) throws UsageException {
        Optional<String> text = settings.get(name).map(String::strip);
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.get());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("--" + name + " must be a whole number from " + min + " to " + max + ", not "
                + Messages.quote(text.get()));
    }

    private static InetAddress bindAddress(String text) throws UsageException {
        String host = text.strip();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException | SecurityException e) {
            throw new UsageException("--bind: cannot resolve " + Messages.quote(text));
        }
    }

    /** A size in bytes: {@code 1048576}, {@code 512KiB}, {@code 1MiB}, {@code 1k}, {@code 2m}. */
    static long size(String text) throws UsageException {
        String value = text.strip().toLowerCase(Locale.ROOT);
        long unit = 1;
        for (Map.Entry<String, Long> suffix : List.of(
                Map.entry("kib", 1L << 10), Map.entry("mib", 1L << 20), Map.entry("gib", 1L << 30),
                Map.entry("kb", 1L << 10), Map.entry("mb", 1L << 20), Map.entry("gb", 1L << 30),
                Map.entry("k", 1L << 10), Map.entry("m", 1L << 20), Map.entry("g", 1L << 30),
                Map.entry("b", 1L))) {
            if (value.endsWith(suffix.getKey())) {
                unit = suffix.getValue();
                value = value.substring(0, value.length() - suffix.getKey().length()).strip();
                break;
            }
        }
        try {
            long number = Long.parseLong(value);
            if (number >= 1 && number <= (1L << 30) / unit) {
                return number * unit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("--max-body must be a size from 1 byte to 1GiB, such as 1048576, 512KiB or 1MiB, not "
                + Messages.quote(text));
    }

    /** The help text: every flag with its variable, default and meaning. */
    static String help() {
        StringBuilder out = new StringBuilder();
        out.append("allocator-rest ").append(RestServer.version())
                .append(": hands out IP addresses of registered networks over HTTP.\n\n")
                .append("Usage: java -jar allocator-rest.jar [--flag value | --flag=value]...\n")
                .append("Every flag has an environment variable twin; a flag wins over its variable.\n");
        String section = null;
        for (Flag flag : allFlags()) {
            String heading = flag.store().map(store -> "Store " + store + " (with --store " + store + ")").orElse("Service");
            if (!heading.equals(section)) {
                out.append('\n').append(heading).append(":\n");
                section = heading;
            }
            out.append("  --").append(flag.name()).append(" <value>")
                    .append("    env ").append(flag.env())
                    .append(flag.defaultValue().isEmpty() ? "" : ", default " + flag.defaultValue()).append('\n')
                    .append("      ").append(flag.description()).append('\n');
        }
        out.append("\n  --help\n      print this help and exit\n");
        return out.toString();
    }

    /** A wrong flag, value or store name: exit code 2. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message, null, false, false);
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
