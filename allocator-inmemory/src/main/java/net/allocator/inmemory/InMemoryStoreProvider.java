package net.allocator.inmemory;

import java.util.List;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Settings;
import net.allocator.core.store.StoreProvider;

/** Provides the {@code inmemory} store; it has no settings. */
public final class InMemoryStoreProvider implements StoreProvider {
    @Override
    public String name() {
        return "inmemory";
    }

    @Override
    public List<SettingInfo> settings() {
        return List.of();
    }

    @Override
    public KeyValueStore open(Settings settings) {
        return new InMemoryKeyValueStore();
    }
}
