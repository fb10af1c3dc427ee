package net.allocator.core.store;

import java.util.List;

/**
 * A page of a {@link KeyValueStore#scan}.
 *
 * @param entries the keys found, in ascending key order
 * @param more whether more keys under the prefix may follow the last entry
 * @param revision the store's revision at which the page was read (etcd: header revision;
 *     Consul: X-Consul-Index), a valid starting point for {@link KeyValueStore#watch}
 */
public record ScanPage(List<KeyValue> entries, boolean more, long revision) {
    public ScanPage {
        entries = List.copyOf(entries);
    }
}
