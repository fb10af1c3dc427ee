package net.allocator.sqlite;

import java.nio.file.Path;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.KeyValueStoreContractKit;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store contract on one database file. The kit's feed tests expect a client's feed to carry
 * every client's commits; an instance's feed carries its own commits and ends with a reset on
 * another instance's (as another process's), so the test's store is one instance on the file and
 * every further client is a {@link SqliteKeyValueStore#client()} of it. Independent instances on
 * one file are what {@link SqliteAllocationContractTest} and {@link SqliteSeveralProcessesTest} run.
 */
class SqliteKeyValueStoreContractTest extends KeyValueStoreContractKit {
    @TempDir
    Path directory;
    private SqliteKeyValueStore instance;

    @Override
    protected KeyValueStore openStore() {
        if (instance == null) {
            instance = SqliteKeyValueStore.open(directory.resolve("kv.db"));
            return instance; // the kit closes it after the test, with the clients
        }
        return instance.client();
    }
}
