package net.allocator.sqlite;

import java.time.Duration;
import java.util.List;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Settings;
import net.allocator.core.store.StoreProvider;

/**
 * The {@code sqlite} store, for {@link java.util.ServiceLoader}: opens a {@link
 * SqliteKeyValueStore} from the {@code sqlite-*} settings of {@link SqliteConfig}.
 */
public final class SqliteStoreProvider implements StoreProvider {

    /** Called by {@link java.util.ServiceLoader}. */
    public SqliteStoreProvider() {}

    /** {@code sqlite}. */
    @Override
    public String name() {
        return "sqlite";
    }

    @Override
    public List<SettingInfo> settings() {
        return List.of(
                new SettingInfo(SqliteConfig.PATH, SqliteConfig.DEFAULT_PATH.toString(),
                        "the database file, created with its directory when missing (relative to the working directory)"),
                new SettingInfo(SqliteConfig.BUSY_TIMEOUT, text(SqliteConfig.DEFAULT_BUSY_TIMEOUT),
                        "longest a write waits for another process holding the database's write lock"),
                new SettingInfo(SqliteConfig.BATCH_COMMITS, Integer.toString(SqliteConfig.DEFAULT_BATCH_COMMITS),
                        "most concurrent commits group commit puts in one fsync'd transaction"),
                new SettingInfo(SqliteConfig.BATCH_OPERATIONS, Integer.toString(SqliteConfig.DEFAULT_BATCH_OPERATIONS),
                        "most conditions and operations group commit puts in one transaction"));
    }

    /**
     * Opens the database, creating it when missing.
     *
     * @throws net.allocator.core.InvalidInputException for a malformed setting
     * @throws UnusableDatabaseException when the file cannot be created or written, is not a
     *     SQLite database, or holds a schema this version does not know
     */
    @Override
    public KeyValueStore open(Settings settings) {
        return SqliteKeyValueStore.open(SqliteConfig.of(settings));
    }

    /** A duration as the settings parser reads it back: {@code 5s}, {@code 250ms}. */
    private static String text(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }
}
