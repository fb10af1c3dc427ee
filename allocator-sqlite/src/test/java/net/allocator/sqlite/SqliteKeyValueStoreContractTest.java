package net.allocator.sqlite;

import java.nio.file.Path;
import java.util.Map;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.KeyValueStoreContractKit;
import net.allocator.core.store.Settings;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store contract on one database file. The kit's feed tests expect a client's feed to carry
 * every client's commits, and an instance's feed carries its own (others' end it with a reset), so
 * the clients here are one instance, closed once; independent instances on one file are what
 * {@link SqliteAllocationContractTest} and {@link SqliteSeveralProcessesTest} run.
 */
class SqliteKeyValueStoreContractTest extends KeyValueStoreContractKit {
    @TempDir
    Path directory;
    private KeyValueStore shared;

    @Override
    protected KeyValueStore openStore() {
        if (shared == null) {
            shared = new SqliteStoreProvider().open(Settings.of(Map.of(SqliteConfig.PATH, directory.resolve("kv.db").toString())));
        }
        return shared;
    }
}
