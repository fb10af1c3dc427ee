package net.allocator.rest;

import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import net.allocator.core.AddressQuery;
import net.allocator.core.InvalidInputException;
import net.allocator.core.store.Settings;
import net.allocator.core.store.StoreProvider;
import net.allocator.core.store.StoreProviders;
import net.allocator.rest.SettingSources.Given;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The service's command line on picocli: every flag {@code --some-name} has an environment twin
 * {@code ALLOCATOR_SOME_NAME}, and a flag wins over its variable ({@link SettingSources} reads
 * both). The stores' own flags come from each {@link StoreProvider#settings()}, so a new store
 * brings its flags with it. Each problem is a {@link UsageException} whose message names where
 * the bad value came from (the flag or the variable); a variable that names no setting is a
 * warning, with the closest name ({@link Suggestions}).
 */
final class ServiceCommand {
    /** The store when none is chosen. */
    static final String DEFAULT_STORE = "sqlite";

    /** The service's own flags; the stores' settings follow them. */
    static final List<Flag> FLAGS = List.of(
            new Flag("port", Integer.toString(ServerOptions.DEFAULT_PORT), "TCP port to listen on (0: any free port)"),
            new Flag("bind", "127.0.0.1", "address to listen on; 0.0.0.0 or :: to accept connections from other hosts"),
            new Flag("store", DEFAULT_STORE, "the store, by name: " + String.join(", ", StoreProviders.available().keySet())),
            new Flag("key-prefix", "allocator", "prefix of every key the service writes in the store"),
            new Flag("threads", Integer.toString(ServerOptions.DEFAULT_THREADS), "requests handled at once"),
            new Flag("max-body", "1MiB", "largest request body accepted (bytes, or with KiB/MiB); larger gets 413"),
            new Flag("page-limit", Integer.toString(ServerOptions.DEFAULT_PAGE_LIMIT),
                    "addresses per listing when the request gives no ?limit= (1 to " + AddressQuery.MAX_LIMIT + ")"),
            new Flag("token", "", "when set, every POST, PUT and DELETE needs Authorization: Bearer <token> "
                    + "(prefer the environment variable: flags show in ps)"),
            new Flag("shutdown-grace", "10s", "how long a stop waits for requests in flight"),
            new Flag("log-level", "info", "trace, debug, info, warn, error or off; info logs one line per request"));

    private static final List<String> LOG_LEVELS = List.of("trace", "debug", "info", "warn", "error", "off");

    private ServiceCommand() {}

    /**
     * One flag: {@code --name} on the command line, {@code ALLOCATOR_NAME} in the environment.
     *
     * @param stores the stores the setting belongs to, empty for the service's own flags
     */
    record Flag(String name, String defaultValue, String description, Set<String> stores) {
        Flag(String name, String defaultValue, String description) {
            this(name, defaultValue, description, Set.of());
        }

        String env() {
            return SettingSources.envName(name);
        }
    }

    /**
     * Everything the command line and the environment said, checked.
     *
     * @param given each setting's text and source, for the store's settings
     */
    record Config(ServerOptions server, StoreProvider provider, Function<String, Optional<Given>> given, String keyPrefix,
            String logLevel) {

        /** The store's settings, as flags and variables gave them. */
        Settings storeSettings() {
            return name -> given.apply(name).map(Given::text);
        }

        /**
         * A store's refusal to open, naming the variable a setting came from (a store names a
         * setting by its name, which is also its flag's), so the operator knows where to look.
         */
        String blame(String storeMessage) {
            StringBuilder out = new StringBuilder(storeMessage);
            for (StoreProvider.SettingInfo setting : provider.settings()) {
                given.apply(setting.name())
                        .filter(value -> value.fromEnvironment() && storeMessage.contains(setting.name()))
                        .ifPresent(value -> out.append(" (from ").append(value.source()).append(')'));
            }
            return out.toString();
        }
    }

    /** What to do: print a text (help, version) and exit 0, or run the service. */
    sealed interface Invocation permits Print, Run {}

    /** Print {@code text} on stdout and exit 0. */
    record Print(String text) implements Invocation {}

    /** Run with {@code config}, after printing each warning on stderr. */
    record Run(Config config, List<String> warnings) implements Invocation {}

    /** Every flag: the service's, then each store's settings (a name two stores share is one flag). */
    static List<Flag> allFlags() {
        Map<String, Flag> byName = new LinkedHashMap<>();
        FLAGS.forEach(flag -> byName.put(flag.name(), flag));
        for (StoreProvider provider : StoreProviders.available().values()) {
            for (StoreProvider.SettingInfo setting : provider.settings()) {
                byName.merge(setting.name(),
                        new Flag(setting.name(), setting.defaultValue() == null ? "" : setting.defaultValue(),
                                setting.description(), Set.of(provider.name())),
                        (first, again) -> {
                            Set<String> stores = new TreeSet<>(first.stores());
                            stores.addAll(again.stores());
                            return new Flag(first.name(), first.defaultValue(), first.description(), Set.copyOf(stores));
                        });
            }
        }
        return List.copyOf(byName.values());
    }

    /**
     * Reads flags ({@code --name value} or {@code --name=value}) over environment variables over
     * defaults, and checks every value.
     *
     * @throws UsageException naming the first problem and where it came from
     */
    static Invocation parse(String[] args, Map<String, String> env) throws UsageException {
        List<Flag> flags = allFlags();
        CommandLine commandLine = commandLine(flags);
        ParseResult parsed;
        try {
            parsed = commandLine.parseArgs(args);
        } catch (UnmatchedArgumentException e) {
            String first = e.getUnmatched().isEmpty() ? "" : e.getUnmatched().get(0);
            if (!first.startsWith("-")) {
                throw new UsageException("unexpected argument " + Messages.quote(first) + "; flags look like --port 5000");
            }
            String name = first.replaceFirst("^-+", "").split("=", 2)[0];
            throw new UsageException("unknown flag --" + Messages.forLog(name, 64)
                    + Suggestions.closest(name, flags.stream().map(Flag::name).toList()).map(known -> "; did you mean --" + known + "?").orElse(""));
        } catch (ParameterException e) {
            throw new UsageException(e.getMessage());
        }
        if (parsed.isUsageHelpRequested()) {
            return new Print(commandLine.getUsageMessage());
        }
        if (parsed.isVersionHelpRequested()) {
            return new Print("allocator-rest " + RestServer.version() + "\n");
        }
        SettingSources sources = new SettingSources(name -> parsed.matchedOptionValue("--" + name, (String) null), env);

        Given storeName = sources.get("store").orElse(new Given(DEFAULT_STORE, "--store"));
        StoreProvider provider;
        try {
            provider = StoreProviders.named(storeName.text().strip());
        } catch (InvalidInputException e) {
            throw sources.problem(storeName, ": " + e.getMessage());
        }
        for (Flag flag : flags) {
            if (!flag.stores().isEmpty() && !flag.stores().contains(provider.name()) && parsed.hasMatchedOption("--" + flag.name())) {
                throw new UsageException("--" + flag.name() + " is a setting of the store " + String.join(" or ", flag.stores())
                        + ", but the selected store is " + provider.name());
            }
        }
        int port = sources.integer("port", ServerOptions.DEFAULT_PORT, 0, 65_535);
        InetAddress bind = sources.bindAddress();
        int threads = sources.integer("threads", ServerOptions.DEFAULT_THREADS, 1, 4096);
        long maxBody = sources.bytes("max-body", ServerOptions.DEFAULT_MAX_BODY_BYTES);
        int pageLimit = sources.integer("page-limit", ServerOptions.DEFAULT_PAGE_LIMIT, 1, AddressQuery.MAX_LIMIT);
        Optional<Given> token = sources.get("token").filter(given -> !given.text().isEmpty());
        if (token.isPresent() && (token.get().text().isBlank() || token.get().text().chars().anyMatch(c -> c < 0x21 || c > 0x7e))) {
            throw sources.problem(token.get(), " must be printable ASCII without spaces");
        }
        Duration grace = sources.duration("shutdown-grace", ServerOptions.DEFAULT_SHUTDOWN_GRACE);
        Optional<Given> level = sources.get("log-level");
        String logLevel = level.map(given -> given.text().strip().toLowerCase(Locale.ROOT)).orElse("info");
        if (!LOG_LEVELS.contains(logLevel)) {
            throw sources.problem(level.get(), " must be trace, debug, info, warn, error or off, not " + Messages.quote(logLevel));
        }
        String keyPrefix = sources.get("key-prefix").map(Given::text).orElse("allocator");

        ServerOptions server = new ServerOptions(bind, port, threads, maxBody, pageLimit, token.map(Given::text), grace);
        return new Run(new Config(server, provider, sources::get, keyPrefix, logLevel), SettingSources.unknownVariables(env, flags.stream().map(Flag::env).toList()));
    }

    private static CommandLine commandLine(List<Flag> flags) {
        CommandSpec spec = CommandSpec.create().name("allocator-rest");
        spec.mixinStandardHelpOptions(true);
        spec.usageMessage()
                .customSynopsis("java -jar allocator-rest.jar [--flag value | --flag=value]...")
                .description("allocator-rest " + RestServer.version() + ": hands out IP addresses of registered networks over HTTP.",
                        "Every flag has an environment variable twin; a flag wins over its variable.", "")
                .sortOptions(false)
                .width(100)
                .longOptionsMaxWidth(32);
        Map<String, ArgGroupSpec.Builder> storeSections = new LinkedHashMap<>();
        for (Flag flag : flags) {
            OptionSpec option = OptionSpec.builder("--" + flag.name())
                    .paramLabel("<value>")
                    .type(String.class)
                    .description(escape(flag.description()),
                            "env " + flag.env() + (flag.defaultValue().isEmpty() ? "" : ", default " + escape(flag.defaultValue())))
                    .build();
            if (flag.stores().isEmpty()) {
                spec.addOption(option);
            } else {
                String stores = String.join(", ", new LinkedHashSet<>(flag.stores()));
                storeSections.computeIfAbsent(stores, name -> ArgGroupSpec.builder()
                                .heading("%nStore " + name + " (with --store " + name + "):%n")
                                .exclusive(false).multiplicity("0..1").validate(false))
                        .addArg(option);
            }
        }
        storeSections.values().forEach(section -> spec.addArgGroup(section.build()));
        CommandLine commandLine = new CommandLine(spec);
        commandLine.setOverwrittenOptionsAllowed(true); // the last of a repeated flag wins
        commandLine.setExpandAtFiles(false); // arguments are what they say, never a file to read
        return commandLine;
    }

    /** picocli reads descriptions as format strings. */
    private static String escape(String text) {
        return text.replace("%", "%%");
    }

    /** A wrong flag, value or store name: exit code 2. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message, null, false, false);
        }
    }
}
