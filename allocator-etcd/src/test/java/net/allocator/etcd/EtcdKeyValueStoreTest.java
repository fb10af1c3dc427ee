package net.allocator.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.allocator.core.store.Condition;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.Operation;
import net.allocator.core.store.ScanPage;
import net.allocator.core.testkit.StoreFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reads and commits against a real etcd, beyond the shared contract kit: etcd's revisions, its
 * range ends for prefixes and byte order, and operations repeated within one transaction.
 */
class EtcdKeyValueStoreTest {
    @RegisterExtension
    final StoreFixture<EtcdKeyValueStore> fixture = new StoreFixture<>("etcd-test", EtcdTestServer::open);

    private EtcdKeyValueStore store;
    private String prefix;

    @BeforeEach
    void open() {
        store = fixture.store();
        prefix = fixture.prefix();
    }

    private String key(String name) {
        return fixture.key(name);
    }

    private boolean put(String... keyValue) {
        List<Operation> puts = new ArrayList<>();
        for (int i = 0; i + 1 < keyValue.length; i += 2) {
            puts.add(Operation.put(key(keyValue[i]), keyValue[i + 1]));
        }
        return store.commit(List.of(), puts);
    }

    private List<String> keysUnder(String name) {
        return store.scan(key(name), null, 1000).entries().stream().map(kv -> kv.key().substring(prefix.length())).toList();
    }

    @Test
    @DisplayName("a deleted key is absent again, so it can be created again")
    void absentAfterDelete() {
        put("a", "1");
        store.commit(List.of(), List.of(Operation.delete(key("a"))));
        assertThat(store.commit(List.of(Condition.absent(key("a"))), List.of(Operation.put(key("a"), "2")))).isTrue();
    }

    @Test
    @DisplayName("the version is etcd's mod revision: it grows with every change, and compare-and-set uses it")
    void versions() {
        put("a", "1");
        KeyValue first = store.get(key("a")).orElseThrow();
        ScanPage page = store.scan(key("a"), null, 1);
        assertThat(first.version()).isPositive().isLessThanOrEqualTo(page.revision());
        put("a", "2");
        KeyValue second = store.get(key("a")).orElseThrow();
        assertThat(second.version()).isGreaterThan(first.version());

        assertThat(store.commit(List.of(Condition.atVersion(key("a"), first.version())), List.of(Operation.put(key("a"), "stale")))).isFalse();
        assertThat(store.commit(List.of(Condition.atVersion(key("a"), second.version())), List.of(Operation.delete(key("a"))))).isTrue();
        assertThat(store.get(key("a"))).isEmpty();
    }

    @Test
    @DisplayName("deleting a prefix takes exactly the keys that start with it")
    void deletePrefix() {
        put("n/1", "1", "n/2/deep", "2", "n", "the prefix itself without slash", "n0", "sibling", "m/1", "other");
        assertThat(store.commit(List.of(), List.of(Operation.deletePrefix(key("n/"))))).isTrue();
        assertThat(keysUnder("")).containsExactly("m/1", "n", "n0");
    }

    @Test
    @DisplayName("operations apply in list order: later writes of a key win, and a put after a prefix delete survives it")
    void operationsInOrder() {
        put("p/1", "old", "p/2", "old", "p/3", "old", "q", "old");
        assertThat(store.commit(List.of(), List.of(
                Operation.put(key("a"), "first"),
                Operation.put(key("a"), "second"),
                Operation.put(key("q"), "doomed"),
                Operation.delete(key("q")),
                Operation.delete(key("r")),
                Operation.put(key("r"), "reborn"),
                Operation.put(key("p/0"), "deleted by what follows"),
                Operation.deletePrefix(key("p/")),
                Operation.put(key("p/2"), "new"),
                Operation.put(key("p/4"), "new")))).isTrue();
        Map<String, String> stored = new java.util.TreeMap<>();
        store.scan(prefix, null, 100).entries().forEach(kv -> stored.put(kv.key().substring(prefix.length()), kv.value()));
        assertThat(stored).containsExactly(
                Map.entry("a", "second"), Map.entry("p/2", "new"), Map.entry("p/4", "new"), Map.entry("r", "reborn"));
    }

    @Test
    @DisplayName("a scan returns the prefix's keys in ascending byte order, in pages that follow on from startAfter")
    void scanOrderAndPaging() {
        put("s/b", "2", "s/a", "1", "s/a/x", "1x", "s/é", "4", "s/c", "3", "s", "outside", "s0", "outside", "r", "outside");
        List<String> all = new ArrayList<>();
        String after = null;
        ScanPage page;
        int pages = 0;
        do {
            page = store.scan(key("s/"), after, 2);
            assertThat(page.entries()).hasSizeLessThanOrEqualTo(2);
            assertThat(page.revision()).isPositive();
            for (KeyValue kv : page.entries()) {
                all.add(kv.key().substring(prefix.length()));
                after = kv.key();
            }
            pages++;
        } while (page.more());
        assertThat(all).containsExactly("s/a", "s/a/x", "s/b", "s/c", "s/é"); // é is two bytes above ASCII
        assertThat(pages).isEqualTo(3);
    }

    @Test
    @DisplayName("startAfter may lie before the prefix, between keys, or past them all")
    void startAfterAnywhere() {
        put("s/a", "1", "s/b", "2");
        assertThat(store.scan(key("s/"), key("a"), 10).entries()).extracting(KeyValue::value).containsExactly("1", "2");
        assertThat(store.scan(key("s/"), key("s/aa"), 10).entries()).extracting(KeyValue::value).containsExactly("2");
        ScanPage past = store.scan(key("s/"), key("t"), 10);
        assertThat(past.entries()).isEmpty();
        assertThat(past.more()).isFalse();
        assertThat(past.revision()).isPositive();
    }

    @Test
    @DisplayName("a page's revision is the store's revision when it was read, a valid start for a watch")
    void scanRevision() {
        long before = store.scan(key("x/"), null, 1).revision();
        put("x/1", "1");
        long after = store.scan(key("x/"), null, 1).revision();
        assertThat(after).isGreaterThan(before);
        assertThat(store.get(key("x/1")).orElseThrow().version()).isLessThanOrEqualTo(after);
    }

    @Test
    @DisplayName("ping answers while etcd has a leader, and describe names the endpoints")
    void pingAndDescribe() {
        store.ping();
        assertThat(store.describe()).isEqualTo("etcd " + EtcdTestServer.config().endpoints().get(0));
    }

    @Test
    @DisplayName("a closed store refuses calls")
    void closed() {
        EtcdKeyValueStore closed = EtcdTestServer.open();
        closed.close();
        closed.close();
        assertThatThrownBy(() -> closed.get("x")).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
