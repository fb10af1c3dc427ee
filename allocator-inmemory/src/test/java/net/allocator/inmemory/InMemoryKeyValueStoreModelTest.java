package net.allocator.inmemory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import net.allocator.core.store.Condition;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.Operation;
import net.allocator.core.store.ScanPage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The store's index is brought into key order lazily (on scans, and every so many writes): a
 * long random run of writes, deletes, prefix deletes and conditional commits must read back,
 * after every step, exactly as a plain sorted map that applies the same steps.
 */
class InMemoryKeyValueStoreModelTest {

    @Test
    @DisplayName("reads, scans and sizes agree with a sorted map through creates, deletes, re-creates and prefix deletes")
    void agreesWithSortedMap() {
        Random random = new Random(42);
        InMemoryKeyValueStore store = new InMemoryKeyValueStore();
        TreeMap<String, String> model = new TreeMap<>();
        Map<String, Long> versions = new TreeMap<>();
        // enough distinct keys written between scans to force sorts by volume, not only by scans
        int keys = 40_000;
        for (int step = 0; step < 200_000; step++) {
            String key = key(random.nextInt(keys));
            int what = random.nextInt(1000);
            if (what < 500) {
                String value = "v" + step;
                store.commit(List.of(), List.of(Operation.put(key, value)));
                model.put(key, value);
                versions.put(key, store.get(key).orElseThrow().version());
            } else if (what < 900) {
                store.commit(List.of(), List.of(Operation.delete(key)));
                model.remove(key);
                versions.remove(key);
            } else if (what < 990) {
                boolean create = random.nextBoolean();
                long version = versions.getOrDefault(key, 1L) + random.nextInt(2);
                Condition condition = create ? Condition.absent(key) : Condition.atVersion(key, version);
                boolean holds = create ? !model.containsKey(key) : versions.containsKey(key) && versions.get(key) == version;
                boolean applied = store.commit(List.of(condition), List.of(Operation.put(key, "c" + step)));
                assertThat(applied).as("step %d %s", step, condition).isEqualTo(holds);
                if (holds) {
                    model.put(key, "c" + step);
                    versions.put(key, store.get(key).orElseThrow().version());
                }
            } else if (what < 998) {
                assertScan(store, model, key.substring(0, 3 + random.nextInt(3)), step);
            } else {
                String prefix = key.substring(0, 5);
                store.commit(List.of(), List.of(Operation.deletePrefix(prefix)));
                model.subMap(prefix, prefix + Character.MAX_VALUE).clear();
                versions.keySet().removeIf(k -> k.startsWith(prefix));
            }
            String probe = key(random.nextInt(keys));
            assertThat(store.get(probe).map(KeyValue::value)).as("step %d %s", step, probe)
                    .isEqualTo(Optional.ofNullable(model.get(probe)));
            if (step % 10_000 == 0) {
                assertThat(store.size()).isEqualTo(model.size());
                assertThat(store.dump()).isEqualTo(model);
            }
        }
        assertThat(store.size()).isEqualTo(model.size());
        assertThat(store.dump()).isEqualTo(model);
        assertScan(store, model, "k/", -1);
    }

    private static void assertScan(InMemoryKeyValueStore store, TreeMap<String, String> model, String prefix, int step) {
        List<String> scanned = new ArrayList<>();
        String after = null;
        ScanPage page;
        do {
            page = store.scan(prefix, after, 997);
            for (KeyValue kv : page.entries()) {
                assertThat(kv.value()).isEqualTo(model.get(kv.key()));
                scanned.add(kv.key());
                after = kv.key();
            }
        } while (page.more());
        assertThat(scanned).as("scan of %s at step %d", prefix, step)
                .containsExactlyElementsOf(model.subMap(prefix, prefix + Character.MAX_VALUE).keySet());
    }

    private static String key(int n) {
        return String.format("k/%05d", n);
    }
}
