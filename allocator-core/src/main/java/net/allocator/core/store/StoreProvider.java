package net.allocator.core.store;

import java.util.List;

/**
 * Makes a backend's {@link KeyValueStore} from {@link Settings}. Backends register one with
 * {@link java.util.ServiceLoader} (in {@code META-INF/services/net.allocator.core.store.StoreProvider})
 * so that a launcher can choose a store by name.
 */
public interface StoreProvider {

    /** The name users choose the store by: {@code inmemory}, {@code etcd}, {@code consul}. */
    String name();

    /** The settings this store reads, for help output. */
    List<SettingInfo> settings();

    /**
     * Opens the store. Does not require the store to be reachable yet: an unreachable store
     * shows as {@link net.allocator.core.StoreUnavailableException} on use and recovers by
     * itself.
     *
     * @throws net.allocator.core.InvalidInputException for a malformed setting
     */
    KeyValueStore open(Settings settings);

    /**
     * One setting a store reads.
     *
     * @param name the setting's name, as a flag without its {@code --}: {@code etcd-endpoints}
     * @param defaultValue the value used when unset, as text
     * @param description one line of help
     */
    record SettingInfo(String name, String defaultValue, String description) {}
}
