package net.allocator.sqlite;

import java.nio.file.Path;
import java.util.Map;
import net.allocator.core.AllocationContractKit;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Settings;
import org.junit.jupiter.api.io.TempDir;

/**
 * The allocation contract on one database file. "A caller is not kept waiting behind a sibling's
 * hung claim" is skipped, as for every store that batches: core's group commit flushes one batch
 * at a time, and SQLite itself has one writer per file, so a hung write holds every writer.
 */
class SqliteAllocationContractTest extends AllocationContractKit {
    @TempDir
    Path directory;

    /** Each client is a store instance of its own on the one file, as another process would open it. */
    @Override
    protected KeyValueStore openStore() {
        return new SqliteStoreProvider().open(Settings.of(Map.of(SqliteConfig.PATH, directory.resolve("allocations.db").toString())));
    }
}
