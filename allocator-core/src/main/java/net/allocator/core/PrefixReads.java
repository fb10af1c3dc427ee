package net.allocator.core;

import java.util.ArrayList;
import java.util.List;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.ScanPage;

/** Every key under a prefix, read a page at a time of the size the store prefers. */
final class PrefixReads {
    private PrefixReads() {}

    /** The keys under {@code prefix}, in key order. */
    static List<KeyValue> all(KeyValueStore store, String prefix) {
        List<KeyValue> out = new ArrayList<>();
        String after = null;
        ScanPage page;
        do {
            page = store.scan(prefix, after, store.preferredScanLimit());
            out.addAll(page.entries());
            if (!page.entries().isEmpty()) {
                after = page.entries().get(page.entries().size() - 1).key();
            }
        } while (page.more() && !page.entries().isEmpty());
        return out;
    }
}
