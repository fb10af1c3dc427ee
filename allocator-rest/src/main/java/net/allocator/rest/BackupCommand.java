package net.allocator.rest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import net.allocator.core.InvalidInputException;
import net.allocator.core.StoreUnavailableException;
import net.allocator.sqlite.SqliteConfig;
import net.allocator.sqlite.SqliteKeyValueStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar allocator-rest.jar backup --to FILE [--sqlite-path FILE]}: copies the sqlite
 * store's database while a service may be serving from it, with {@link
 * SqliteKeyValueStore#backupTo}. The copy holds every allocation acknowledged before the backup
 * began; restoring is starting a service with {@code --sqlite-path} on the copy (or moving the copy
 * into place while the service is stopped).
 *
 * <p>Exit codes: 0 after a backup, with one line on stdout naming both files; 2 for a usage error,
 * a missing or unusable database, or a target that exists (a backup never overwrites); 1 when the
 * copy cannot be written. Each failure is one line on stderr.
 */
@Command(name = BackupCommand.NAME, mixinStandardHelpOptions = true, sortOptions = false,
        description = "Copies the sqlite store's database while the service may be serving from it.")
final class BackupCommand implements Callable<Integer> {
    static final String NAME = "backup";

    @Option(names = "--sqlite-path", paramLabel = "<file>",
            description = "the database to copy; env ALLOCATOR_SQLITE_PATH, default allocator-data/allocator.db")
    private String source;

    @Option(names = "--to", paramLabel = "<file>", required = true, description = "the new file to write the copy to")
    private Path target;

    private Map<String, String> env = Map.of();

    /** Runs the command with {@code args} (after the word {@code backup}); the exit code. */
    static int run(String[] args, Map<String, String> env) {
        BackupCommand command = new BackupCommand();
        command.env = env;
        CommandLine commandLine = new CommandLine(command).setExpandAtFiles(false);
        commandLine.setParameterExceptionHandler((problem, arguments) -> {
            System.err.println("allocator-rest backup: " + problem.getMessage() + " (--help lists every flag)");
            return Main.EXIT_USAGE;
        });
        return commandLine.execute(args);
    }

    @Override
    public Integer call() {
        String path = Optional.ofNullable(source).or(() -> Optional.ofNullable(env.get(SettingSources.envName(SqliteConfig.PATH))))
                .filter(text -> !text.isBlank()).orElse(SqliteConfig.DEFAULT_PATH.toString());
        Path file = Path.of(path).toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            return fail(Main.EXIT_USAGE, "no database at " + file); // opening would create an empty one
        }
        try (SqliteKeyValueStore store = SqliteKeyValueStore.open(file)) {
            Path copy = target.toAbsolutePath().normalize();
            store.backupTo(copy);
            System.out.println("backed up " + file + " to " + copy);
            return 0;
        } catch (InvalidInputException | IllegalArgumentException e) {
            return fail(Main.EXIT_USAGE, e.getMessage());
        } catch (StoreUnavailableException e) {
            return fail(Main.EXIT_STARTUP, e.getMessage());
        }
    }

    private static int fail(int code, String message) {
        System.err.println("allocator-rest backup: " + message);
        return code;
    }
}
