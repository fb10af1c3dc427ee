package net.allocator.sqlite;

import java.nio.file.Path;
import java.util.Map;
import net.allocator.core.AllocationContractKit;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Settings;
import org.junit.jupiter.api.io.TempDir;

class SqliteAllocationContractTest extends AllocationContractKit {
    @TempDir
    Path directory;

    /** Each client is a store instance of its own on the one file, as another process would open it. */
    @Override
    protected KeyValueStore openStore() {
        return new SqliteStoreProvider().open(Settings.of(Map.of(SqliteConfig.PATH, directory.resolve("allocations.db").toString())));
    }
}
