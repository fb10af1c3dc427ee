package net.allocator.core.store;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import net.allocator.core.InvalidInputException;

/** Finds a {@link StoreProvider} by name among those on the class path. */
public final class StoreProviders {
    private StoreProviders() {}

    /** Every provider on the class path, by name. */
    public static Map<String, StoreProvider> available() {
        Map<String, StoreProvider> byName = new TreeMap<>();
        for (StoreProvider provider : ServiceLoader.load(StoreProvider.class)) {
            byName.put(provider.name(), provider);
        }
        return byName;
    }

    /**
     * The provider of that name.
     *
     * @throws InvalidInputException naming the known stores when there is none of that name
     */
    public static StoreProvider named(String name) {
        Map<String, StoreProvider> byName = available();
        StoreProvider provider = byName.get(name);
        if (provider == null) {
            throw new InvalidInputException("unknown store '" + name + "'; known stores: " + String.join(", ", byName.keySet()));
        }
        return provider;
    }
}
