package net.allocator.etcd;

import java.util.List;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Settings;
import net.allocator.core.store.StoreProvider;

/**
 * The {@code etcd} store, for {@link java.util.ServiceLoader}: opens an {@link EtcdKeyValueStore}
 * from the {@code etcd-*} settings of {@link EtcdConfig}.
 */
public final class EtcdStoreProvider implements StoreProvider {

    /** Called by {@link java.util.ServiceLoader}. */
    public EtcdStoreProvider() {}

    /** {@code etcd}. */
    @Override
    public String name() {
        return "etcd";
    }

    @Override
    public List<SettingInfo> settings() {
        return List.of(
                new SettingInfo(EtcdConfig.ENDPOINTS, EtcdConfig.DEFAULT_ENDPOINTS,
                        "comma-separated etcd client URLs, all http:// or all https:// (TLS)"),
                new SettingInfo(EtcdConfig.TIMEOUT, Settings.text(EtcdConfig.DEFAULT_TIMEOUT), "longest time one etcd request may take, such as 500ms, 5s or PT5S"),
                new SettingInfo(EtcdConfig.CONNECT_TIMEOUT, Settings.text(EtcdConfig.DEFAULT_CONNECT_TIMEOUT), "longest time opening a connection to one endpoint may take"),
                new SettingInfo(EtcdConfig.MAX_TXN_OPS, Integer.toString(EtcdConfig.DEFAULT_MAX_TXN_OPS),
                        "the etcd servers' --max-txn-ops: most compares or operations in one transaction"),
                new SettingInfo(EtcdConfig.USER, "", "etcd user, when authentication is enabled"),
                new SettingInfo(EtcdConfig.PASSWORD, "", "password of " + EtcdConfig.USER),
                new SettingInfo(EtcdConfig.TLS_CA, "", "PEM file of the CAs to trust for https endpoints (default: the JVM's)"),
                new SettingInfo(EtcdConfig.TLS_CERT, "", "PEM file of the client certificate, when etcd requires one"),
                new SettingInfo(EtcdConfig.TLS_KEY, "", "PEM file of the client certificate's PKCS#8 private key"),
                new SettingInfo(EtcdConfig.AUTHORITY, "", "host name to expect in etcd's certificate, if not the endpoints' host"));
    }

    /**
     * Opens the store; does not connect yet.
     *
     * @throws net.allocator.core.InvalidInputException for a malformed or inconsistent setting
     */
    @Override
    public KeyValueStore open(Settings settings) {
        return new EtcdKeyValueStore(EtcdConfig.from(settings));
    }
}
