package net.allocator.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import net.allocator.core.StoreUnavailableException;
import net.allocator.core.store.Condition;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.Operation;
import net.allocator.core.store.ScanPage;
import net.allocator.core.testkit.StoreFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Consul store's own behaviour against a real Consul server, beyond the shared contract kit:
 * its two write paths ({@code PUT ?cas=} and {@code /v1/txn}), its transaction limit and errors,
 * and scans that page on the client.
 */
class ConsulKeyValueStoreTest {
    @RegisterExtension
    final StoreFixture<ConsulKeyValueStore> fixture = new StoreFixture<>("consul-test", ConsulTestServer::open);

    private ConsulKeyValueStore store;
    private String prefix;

    @BeforeEach
    void open() {
        store = fixture.store();
        prefix = fixture.prefix();
    }

    private String key(String name) {
        return fixture.key(name);
    }

    private void put(String name, String value) {
        assertThat(store.commit(List.of(), List.of(Operation.put(key(name), value)))).isTrue();
    }

    @Nested
    @DisplayName("conditional commits")
    class Commits {
        @Test
        @DisplayName("create-if-absent through PUT ?cas=0 and through a transaction's check-not-exists see each other's keys")
        void absentAcrossWritePaths() {
            List<Condition> absentA = List.of(Condition.absent(key("a")));
            assertThat(store.commit(absentA, List.of(Operation.put(key("a"), "1"), Operation.put(key("owner"), "x")))).isTrue();
            assertThat(store.commit(absentA, List.of(Operation.put(key("a"), "2")))).isFalse();
            List<Condition> absentB = List.of(Condition.absent(key("b")));
            assertThat(store.commit(absentB, List.of(Operation.put(key("b"), "1")))).isTrue();
            assertThat(store.commit(absentB, List.of(Operation.put(key("b"), "2"), Operation.put(key("other"), "y")))).isFalse();
            assertThat(store.get(key("a")).orElseThrow().value()).isEqualTo("1");
            assertThat(store.get(key("b")).orElseThrow().value()).isEqualTo("1");
            assertThat(store.get(key("other"))).isEmpty();
        }

        @Test
        @DisplayName("an AtVersion delete (check-index) deletes only at the current version, and fails on a missing key")
        void atVersionDelete() {
            put("a", "1");
            long version = store.get(key("a")).orElseThrow().version();
            assertThat(store.commit(List.of(Condition.atVersion(key("a"), version + 1000)), List.of(Operation.delete(key("a"))))).isFalse();
            assertThat(store.get(key("a"))).isPresent();
            assertThat(store.commit(List.of(Condition.atVersion(key("a"), version)), List.of(Operation.delete(key("a"))))).isTrue();
            assertThat(store.get(key("a"))).isEmpty();
            // Consul's DELETE ?cas=N answers true for a missing key; the transaction must not.
            assertThat(store.commit(List.of(Condition.atVersion(key("a"), version)), List.of(Operation.delete(key("a"))))).isFalse();
        }

        @Test
        @DisplayName("conditions alone are checked: true when all hold, false when one does not")
        void conditionsOnly() {
            put("a", "1");
            long version = store.get(key("a")).orElseThrow().version();
            assertThat(store.commit(List.of(Condition.atVersion(key("a"), version), Condition.absent(key("b"))), List.of())).isTrue();
            assertThat(store.commit(List.of(Condition.absent(key("a"))), List.of())).isFalse();
            assertThat(store.commit(List.of(), List.of())).isTrue();
        }

        @Test
        @DisplayName("64 conditions and operations go in one transaction; 65 are refused before anything is sent")
        void transactionLimit() {
            List<Operation> puts = new ArrayList<>();
            for (int i = 0; i < 63; i++) {
                puts.add(Operation.put(key("bulk/" + i), Integer.toString(i)));
            }
            assertThat(store.commit(List.of(Condition.absent(key("bulk-lock"))), puts)).isTrue();
            assertThat(store.scan(key("bulk/"), null, 100).entries()).hasSize(63);
            puts.add(Operation.put(key("bulk/63"), "63"));
            puts.add(Operation.put(key("bulk/64"), "64"));
            assertThatThrownBy(() -> store.commit(List.of(), puts)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64");
            assertThat(store.get(key("bulk/63"))).isEmpty();
        }

        @Test
        @DisplayName("a transaction Consul rejects for another reason than a failed check is an error, not false, even next to a failed check")
        void rejectedTransactionIsAnError() {
            put("a", "1");
            // Consul refuses an empty key with "Must provide key"; the check on "a" fails too.
            assertThatThrownBy(() -> store.commit(List.of(Condition.absent(key("a"))), List.of(Operation.put(key("b"), "x"), Operation.put("", "x"))))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("Must provide key")
                    .hasMessageContaining("Consul at http");
            assertThat(store.get(key("b"))).isEmpty();
        }
    }

    @Nested
    @DisplayName("reads")
    class Reads {
        @Test
        @DisplayName("a scan pages in key order: startAfter excludes, limit bounds, more tells the truth")
        void scanPaging() {
            for (String name : List.of("c", "a", "e", "b", "d")) {
                put("s/" + name, name);
            }
            put("s", "the prefix itself is not under s/");
            put("t/a", "elsewhere");
            ScanPage first = store.scan(key("s/"), null, 2);
            assertThat(first.entries()).extracting(KeyValue::value).containsExactly("a", "b");
            assertThat(first.more()).isTrue();
            ScanPage rest = store.scan(key("s/"), key("s/b"), 3);
            assertThat(rest.entries()).extracting(KeyValue::value).containsExactly("c", "d", "e");
            assertThat(rest.more()).isFalse();
            assertThat(store.scan(key("s/"), key("s/bb"), 10).entries()).extracting(KeyValue::value).containsExactly("c", "d", "e");
            assertThat(store.scan(key("s/"), key("s/e"), 10).entries()).isEmpty();
            assertThat(store.scan(key("s/"), null, 5).more()).isFalse();
        }

        @Test
        @DisplayName("a scan's revision is at least every version it read, and grows with the next change under the prefix")
        void scanRevision() {
            put("r/a", "1");
            put("r/b", "2");
            ScanPage page = store.scan(key("r/"), null, 10);
            assertThat(page.revision()).isGreaterThanOrEqualTo(page.entries().stream().mapToLong(KeyValue::version).max().orElseThrow());
            put("r/a", "3");
            assertThat(store.scan(key("r/"), null, 1).revision()).isGreaterThan(page.revision());
            store.commit(List.of(), List.of(Operation.delete(key("r/b"))));
            long afterDelete = store.scan(key("r/"), null, 1).revision();
            assertThat(afterDelete).isGreaterThan(page.revision());
        }

        @Test
        @DisplayName("keys sort by their UTF-8 bytes, so a character beyond U+FFFF sorts after U+FFxx")
        void utf8Order() {
            put("o/\uFF21", "fullwidth A");
            put("o/\uD83D\uDE00", "emoji");
            put("o/z", "z");
            assertThat(store.scan(key("o/"), null, 10).entries()).extracting(KeyValue::value).containsExactly("z", "fullwidth A", "emoji");
            assertThat(store.scan(key("o/"), key("o/\uFF21"), 10).entries()).extracting(KeyValue::value).containsExactly("emoji");
        }

        @Test
        @DisplayName("keys with characters that mean something in URLs round-trip through get, scan and delete")
        void urlCharacters() {
            List<String> names = List.of("v6/2001:db8::1", "space here", "per%25cent", "q?x=1&y", "hash#frag", "plus+sign", "üñí", "semi;colon");
            for (String name : names) {
                assertThat(store.commit(List.of(Condition.absent(key(name))), List.of(Operation.put(key(name), name)))).as(name).isTrue();
                assertThat(store.get(key(name)).orElseThrow().value()).as(name).isEqualTo(name);
            }
            assertThat(store.scan(prefix, null, 100).entries()).extracting(KeyValue::value).containsExactlyInAnyOrderElementsOf(names);
            for (String name : names) {
                store.commit(List.of(), List.of(Operation.delete(key(name))));
                assertThat(store.get(key(name))).as(name).isEmpty();
            }
        }

        @Test
        @DisplayName("empty, multi-line and non-ASCII values round-trip, through both write paths")
        void values() {
            for (String value : List.of("", "line 1\nline 2", "{\"a\":\"ü ✓ \uD83D\uDE00\"}", " ")) {
                String name = "v" + value.hashCode();
                assertThat(store.commit(List.of(), List.of(Operation.put(key(name + "t"), value)))).isTrue();
                assertThat(store.commit(List.of(Condition.absent(key(name + "c"))), List.of(Operation.put(key(name + "c"), value)))).isTrue();
                assertThat(store.get(key(name + "t")).orElseThrow().value()).isEqualTo(value);
                assertThat(store.get(key(name + "c")).orElseThrow().value()).isEqualTo(value);
            }
        }

        @Test
        @DisplayName("get reads the key itself, not keys that merely start with it")
        void getIsExact() {
            put("k/child", "child");
            assertThat(store.get(key("k"))).isEmpty();
            assertThat(store.get(key("k/"))).isEmpty();
        }
    }

    @Nested
    @DisplayName("health and lifecycle")
    class Health {
        @Test
        @DisplayName("ping succeeds against a server with a leader; describe names the URL and never a token")
        void pingAndDescribe() {
            store.ping();
            ConsulKeyValueStore withToken = fixture.closedAfterTest(
                    ConsulTestServer.open(ConsulConfig.TOKEN, "s3cr3t-token", ConsulConfig.DATACENTER, "dc1"));
            assertThat(withToken.describe()).startsWith("consul http").contains("dc1").contains("ACL token").doesNotContain("s3cr3t");
        }

        @Test
        @DisplayName("a closed store refuses calls with IllegalStateException")
        void closed() {
            ConsulKeyValueStore closing = fixture.open();
            closing.close();
            closing.close();
            assertThatThrownBy(() -> closing.get(key("a"))).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        }
    }
}
