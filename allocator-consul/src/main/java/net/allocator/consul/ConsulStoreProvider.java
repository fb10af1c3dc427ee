package net.allocator.consul;

import java.util.List;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Settings;
import net.allocator.core.store.StoreProvider;

/**
 * The {@code consul} store for {@link net.allocator.core.store.StoreProviders}: opens a {@link
 * ConsulKeyValueStore} from the {@code consul-*} settings of {@link ConsulConfig}.
 */
public final class ConsulStoreProvider implements StoreProvider {

    /** The name users choose this store by. */
    public static final String NAME = "consul";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<SettingInfo> settings() {
        return List.of(
                new SettingInfo(ConsulConfig.URL, ConsulConfig.DEFAULT_URL,
                        "Consul agent's HTTP API, http:// or https://, with optional path prefix"),
                new SettingInfo(ConsulConfig.TOKEN, "", "ACL token sent as X-Consul-Token; needs key read/write on the allocator's prefix"),
                new SettingInfo(ConsulConfig.TIMEOUT, Settings.text(ConsulConfig.DEFAULT_TIMEOUT), "longest wait for an answer to one request"),
                new SettingInfo(ConsulConfig.CONNECT_TIMEOUT, Settings.text(ConsulConfig.DEFAULT_CONNECT_TIMEOUT), "longest wait to open a connection"),
                new SettingInfo(ConsulConfig.DATACENTER, "", "datacenter to use; the agent's own when empty"),
                new SettingInfo(ConsulConfig.WATCH_INTERVAL, Settings.text(ConsulConfig.DEFAULT_WATCH_INTERVAL), "minimum time between two reads of a watched prefix"),
                new SettingInfo(ConsulConfig.WATCH_WAIT, Settings.text(ConsulConfig.DEFAULT_WATCH_WAIT), "how long a watch's blocking query waits for a change (1s to 10m)"),
                new SettingInfo(ConsulConfig.TLS_CA, "", "PEM file of CA certificates to trust for https; the JVM's when empty"));
    }

    @Override
    public KeyValueStore open(Settings settings) {
        return new ConsulKeyValueStore(ConsulConfig.from(settings));
    }
}
