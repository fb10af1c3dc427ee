package net.allocator.sqlite;

import static java.util.Objects.requireNonNull;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import net.allocator.core.InvalidInputException;
import net.allocator.core.store.Settings;

/**
 * The settings of the SQLite store, as data: typed getters with defaults over any {@link
 * Settings} source (flags, environment, a map). Each getter reads and checks its setting when
 * called and throws {@link InvalidInputException} naming the setting when its text is malformed.
 *
 * <pre>{@code
 * SqliteConfig config = SqliteConfig.of(Settings.of(Map.of("sqlite-path", "/var/lib/allocator/allocator.db")));
 * }</pre>
 */
@FunctionalInterface
public interface SqliteConfig extends Settings {

    /** The database file; its directory is created when missing. */
    String PATH = "sqlite-path";
    /** How long a write waits for another process that holds the database's write lock. */
    String BUSY_TIMEOUT = "sqlite-busy-timeout";
    /** The most commits group commit puts in one transaction. */
    String BATCH_COMMITS = "sqlite-batch-commits";
    /** The most conditions and operations group commit puts in one transaction. */
    String BATCH_OPERATIONS = "sqlite-batch-operations";

    /** The file used when {@value #PATH} is not set, relative to the working directory. */
    Path DEFAULT_PATH = Path.of("allocator-data", "allocator.db");
    /** The busy timeout used when {@value #BUSY_TIMEOUT} is not set. */
    Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(5);
    /**
     * The commit bound used when {@value #BATCH_COMMITS} is not set. A batch's callers all wait
     * for its whole transaction, so the bound caps what one batch costs each of them: a batch of
     * 256 allocations took 6.9 ms to apply and fsync on the 2-core benchmark VM (best of 40,
     * 2026-12-06), against 0.12 ms for one fsync'd row, while 64 callers make batches of at most
     * 64.
     */
    int DEFAULT_BATCH_COMMITS = 256;
    /** The operation bound used when {@value #BATCH_OPERATIONS} is not set: 256 allocations of five each, with room. */
    int DEFAULT_BATCH_OPERATIONS = 2048;

    /** Nothing set: {@link #DEFAULT_PATH} under the working directory. */
    SqliteConfig DEFAULT = name -> Optional.empty();

    /** The SQLite settings among {@code settings}. */
    static SqliteConfig of(Settings settings) {
        requireNonNull(settings, "settings");
        return settings::get;
    }

    /**
     * The database file, absolute.
     *
     * @throws InvalidInputException when the text is not a path
     */
    default Path path() {
        String text = string(PATH, DEFAULT_PATH.toString());
        try {
            return Path.of(text).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new InvalidInputException("setting " + PATH + " is not a file path: '" + text + "'", e);
        }
    }

    /**
     * The busy timeout (default 5s), also the longest a store call waits for the write lock.
     *
     * @throws InvalidInputException when it is not a positive duration of at most a day
     */
    default Duration busyTimeout() {
        Duration timeout = duration(BUSY_TIMEOUT, DEFAULT_BUSY_TIMEOUT);
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofDays(1)) > 0) {
            throw new InvalidInputException("setting " + BUSY_TIMEOUT + " must be positive and at most a day: " + timeout);
        }
        return timeout;
    }

    /**
     * The most commits in one group-commit batch (default {@value #DEFAULT_BATCH_COMMITS}).
     *
     * @throws InvalidInputException when it is not a positive integer
     */
    default int batchCommits() {
        return positive(BATCH_COMMITS, integer(BATCH_COMMITS, DEFAULT_BATCH_COMMITS));
    }

    /**
     * The most conditions and operations in one group-commit batch (default {@value
     * #DEFAULT_BATCH_OPERATIONS}).
     *
     * @throws InvalidInputException when it is not a positive integer
     */
    default int batchOperations() {
        return positive(BATCH_OPERATIONS, integer(BATCH_OPERATIONS, DEFAULT_BATCH_OPERATIONS));
    }

    private static int positive(String name, int value) {
        if (value < 1) {
            throw new InvalidInputException("setting " + name + " must be positive: " + value);
        }
        return value;
    }
}
