package net.allocator.inmemory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import net.allocator.core.store.Condition;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.Operation;
import net.allocator.core.store.ScanPage;
import net.allocator.core.testkit.ChangeRecorder;
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
            } else if (step < 60_000) {
                continue; // no scans at first: sorts are forced by the volume of writes alone
            } else if (what < 998) {
                assertScan(store, model, key.substring(0, 3 + random.nextInt(3)), step);
            } else {
                String prefix = key.substring(0, 5);
                store.commit(List.of(), List.of(Operation.deletePrefix(prefix)));
                model.subMap(prefix, prefix + Character.MAX_VALUE).clear();
                versions.keySet().removeIf(k -> k.startsWith(prefix));
            }
            String probe = random.nextBoolean() ? key : key(random.nextInt(keys));
            assertThat(store.get(probe).map(KeyValue::value)).as("step %d %s", step, probe)
                    .isEqualTo(Optional.ofNullable(model.get(probe)));
            if (step % 2_000 == 0) {
                assertThat(store.size()).isEqualTo(model.size());
                assertThat(store.dump()).isEqualTo(model);
            }
        }
        assertThat(store.size()).isEqualTo(model.size());
        assertThat(store.dump()).isEqualTo(model);
        assertScan(store, model, "k/", -1);
    }

    @Test
    @DisplayName("a watch replays the kept changes after its revision in order, across the history's wrap, and resets when they are forgotten")
    void replays() throws Exception {
        InMemoryKeyValueStore store = new InMemoryKeyValueStore();
        int history = 65_536;
        long start = store.scan("k/", null, 1).revision();
        for (int i = 0; i < history + 1000; i++) { // past the ring's end
            store.commit(List.of(), List.of(i % 3 == 2 ? Operation.delete(key(i - 1)) : Operation.put(key(i), "v" + i)));
        }
        long now = store.scan("k/", null, 1).revision();

        ChangeRecorder whole = new ChangeRecorder("");
        try (AutoCloseable watch = store.watch("k/", now - history, whole).orElseThrow()) { // the oldest kept is the next
            assertThat(whole.awaitTexts(history)).containsExactlyElementsOf(changes(start, history + 1000 - history, history + 1000));
        }
        ChangeRecorder oneTooMany = new ChangeRecorder("");
        store.watch("k/", now - history - 1, oneTooMany).orElseThrow();
        assertThat(oneTooMany.awaitTexts(1)).containsExactly("reset");

        ChangeRecorder recent = new ChangeRecorder("");
        try (AutoCloseable watch = store.watch("k/", now - 5, recent).orElseThrow()) {
            assertThat(recent.awaitTexts(5)).containsExactlyElementsOf(changes(start, history + 995, history + 1000));
            store.commit(List.of(), List.of(Operation.put("k/live", "x"), Operation.put("elsewhere", "y")));
            assertThat(recent.awaitTexts(6)).last().isEqualTo("put k/live=x @" + (now + 1));
        }

        ChangeRecorder forgotten = new ChangeRecorder("");
        store.watch("k/", start + 10, forgotten).orElseThrow();
        assertThat(forgotten.awaitTexts(1)).containsExactly("reset");
    }

    @Test
    @DisplayName("commits of several operations, repeating keys, agree with a sorted map, and a watch follows them to the same contents")
    void multiOperationCommits() throws Exception {
        for (long seed = 1; seed <= 3; seed++) {
            Random random = new Random(seed);
            InMemoryKeyValueStore store = new InMemoryKeyValueStore();
            TreeMap<String, String> model = new TreeMap<>();
            Map<String, Long> versions = new TreeMap<>();
            ChangeRecorder followed = new ChangeRecorder("k/");
            AutoCloseable watch = store.watch("k/", 0, followed).orElseThrow();
            int keys = 40_000;
            for (int step = 0; step < 120_000; step++) {
                long revision = step + 1; // every commit here applies, and each takes one revision
                List<Operation> operations = new ArrayList<>();
                for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
                    String key = key(random.nextInt(keys));
                    int what = random.nextInt(100_000);
                    if (what < 50_000) {
                        operations.add(Operation.put(key, "v" + step + "." + i));
                    } else if (what < 99_995) {
                        operations.add(Operation.delete(key));
                    } else {
                        operations.add(Operation.deletePrefix(key.substring(0, 4 + random.nextInt(3))));
                    }
                }
                if (random.nextInt(10) == 0 && operations.get(0) instanceof Operation.Put first) {
                    // the same key again in the same commit, deleted or written
                    operations.add(random.nextBoolean() ? Operation.delete(first.key()) : Operation.put(first.key(), "again" + step));
                }
                // conditions on the operations' own key objects, as the allocator passes them,
                // which hold (the store reuses what they looked up), or now and then one that fails
                List<Condition> conditions = new ArrayList<>();
                for (Operation operation : operations) {
                    String key = operation instanceof Operation.Put put ? put.key()
                            : operation instanceof Operation.Delete delete ? delete.key() : null;
                    if (key != null && random.nextInt(3) > 0) {
                        Long version = versions.get(key);
                        conditions.add(version == null ? Condition.absent(key) : Condition.atVersion(key, version));
                    }
                }
                if (!conditions.isEmpty() && random.nextInt(50) == 0) {
                    Condition first = conditions.get(0);
                    conditions.set(0, first instanceof Condition.Absent
                            ? Condition.atVersion(first.key(), 1) : Condition.absent(first.key()));
                    assertThat(store.commit(conditions, operations)).isFalse();
                    step--; // nothing changed: the next commit takes this revision
                    continue;
                }
                for (Operation operation : operations) {
                    if (operation instanceof Operation.Put put) {
                        model.put(put.key(), put.value());
                        versions.put(put.key(), revision);
                    } else if (operation instanceof Operation.Delete delete) {
                        model.remove(delete.key());
                        versions.remove(delete.key());
                    } else if (operation instanceof Operation.DeletePrefix prefix) {
                        model.subMap(prefix.prefix(), prefix.prefix() + Character.MAX_VALUE).clear();
                        versions.keySet().removeIf(k -> k.startsWith(prefix.prefix()));
                    }
                }
                assertThat(store.commit(conditions, operations)).isTrue();
                String probe = random.nextBoolean() && operations.get(0) instanceof Operation.Put put ? put.key() : key(random.nextInt(keys));
                Optional<KeyValue> read = store.get(probe);
                assertThat(read.map(KeyValue::value)).as("seed %d step %d %s", seed, step, probe)
                        .isEqualTo(Optional.ofNullable(model.get(probe)));
                assertThat(read.map(KeyValue::version)).isEqualTo(Optional.ofNullable(versions.get(probe)));
                if (step > 30_000 && random.nextInt(20_000) == 0) {
                    assertScan(store, model, probe.substring(0, 4 + random.nextInt(3)), step);
                }
                if (step % 5_000 == 0) {
                    assertThat(store.size()).isEqualTo(model.size());
                    assertThat(store.dump()).isEqualTo(model);
                    followed.awaitState(model);
                }
            }
            assertThat(store.dump()).isEqualTo(model);
            followed.awaitState(model);
            assertThat(followed.resets()).isEmpty();
            watch.close();
        }
    }

    @Test
    @DisplayName("a sort forced in the middle of a commit keeps every key the commit leaves")
    void sortForcedMidCommit() {
        InMemoryKeyValueStore store = new InMemoryKeyValueStore();
        store.commit(List.of(), List.of(Operation.put("k/a", "1"), Operation.put("k/b", "1"), Operation.put("k/c", "1")));
        fillUnsorted(store, "1"); // the delete forces the sort, then the key is written again
        store.commit(List.of(), List.of(Operation.delete("k/a"), Operation.put("k/a", "2")));
        fillUnsorted(store, "2"); // a new key forces it, and is deleted and written again
        store.commit(List.of(), List.of(Operation.put("k/d", "1"), Operation.delete("k/d"), Operation.put("k/d", "3")));
        fillUnsorted(store, "3");
        store.commit(List.of(), List.of(Operation.deletePrefix("k/c"), Operation.put("k/c", "4")));
        fillUnsorted(store, "4");
        store.commit(List.of(), List.of(Operation.put("k/e", "5"), Operation.deletePrefix("k/e")));
        fillUnsorted(store, "5");
        store.commit(List.of(), List.of(Operation.delete("k/b"), Operation.deletePrefix("k/"), Operation.put("k/b", "6")));
        fillUnsorted(store, "6"); // checked, then deleted (forcing the sort that drops its slot) and written again
        String f = "k/f";
        store.commit(List.of(), List.of(Operation.put(f, "1")));
        long version = store.get(f).orElseThrow().version();
        fillUnsorted(store, "7");
        assertThat(store.commit(List.of(Condition.atVersion(f, version)), List.of(Operation.delete(f), Operation.put(f, "7")))).isTrue();
        assertThat(store.dump()).containsEntry(f, "7");
        fillUnsorted(store, "8"); // checked, then dropped by a prefix deletion, and written again
        String fg = "k/fg";
        store.commit(List.of(), List.of(Operation.put(fg, "1")));
        long fgVersion = store.get(fg).orElseThrow().version();
        assertThat(store.commit(List.of(Condition.atVersion(fg, fgVersion)),
                List.of(Operation.deletePrefix(f), Operation.put(fg, "8")))).isTrue();

        assertThat(store.scan("k/", null, 100).entries()).extracting(kv -> kv.key() + "=" + kv.value())
                .containsExactly("k/b=6", "k/fg=8");
        assertThat(store.size()).isEqualTo(8 * UNSORTED_LIMIT + 2);
        assertThat(store.dump()).hasSize(8 * UNSORTED_LIMIT + 2).containsEntry("k/b", "6").containsEntry("k/fg", "8");
    }

    @Test
    @DisplayName("a watch after a revision whose first changes are forgotten resets instead of replaying the rest")
    void partlyForgottenRevision() throws Exception {
        InMemoryKeyValueStore store = new InMemoryKeyValueStore();
        store.commit(List.of(), List.of(Operation.put("k/a", "1"), Operation.put("k/b", "1"))); // revision 1: two changes
        for (int i = 0; i < 65_536 / 2 - 1; i++) {
            store.commit(List.of(), List.of(Operation.put("k/x", "v" + i), Operation.put("k/y", "v" + i)));
        }
        store.commit(List.of(), List.of(Operation.put("k/z", "z"))); // the history drops "put k/a" of revision 1
        ChangeRecorder followed = new ChangeRecorder("k/");
        store.watch("k/", 0, followed).orElseThrow();
        followed.awaitReset();
        assertThat(followed.texts()).as("a reset, and nothing replayed").containsExactly("reset");
    }

    @Test
    @DisplayName("a listener that falls a million changes behind gets a reset, and the commits never wait for it")
    void slowListenerIsReset() throws Exception {
        InMemoryKeyValueStore store = new InMemoryKeyValueStore();
        CountDownLatch stuck = new CountDownLatch(1);
        ChangeRecorder slow = new ChangeRecorder("o/").whenPut(key -> {
            try {
                stuck.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try (AutoCloseable feed = store.watch("o/", store.scan("o/", null, 1).revision(), slow).orElseThrow()) {
            List<Operation> puts = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                puts.add(Operation.put("o/" + i, "x"));
            }
            for (int commit = 0; commit < InMemoryChangeFeeds.MAX_QUEUED / 1000 + 10; commit++) {
                assertThat(store.commit(List.of(), puts)).isTrue();
            }
            stuck.countDown();
            assertThat(slow.awaitReset()).hasMessageContaining("fell behind");
            assertThat(slow.resets()).hasSize(1);
        }
    }

    private static final int UNSORTED_LIMIT = 16_384;

    /** Writes exactly as many new keys as the store lets wait unsorted, so the next new or deleted key forces a sort. */
    private static void fillUnsorted(InMemoryKeyValueStore store, String tag) {
        store.scan("f/", null, 1); // sorts: nothing waits
        for (int i = 0; i < UNSORTED_LIMIT; i++) {
            store.commit(List.of(), List.of(Operation.put("f/" + tag + "/" + i, "x")));
        }
    }

    /** The changes the replay test's commits {@code from} (inclusive) to {@code to} made, as its recorder writes them. */
    private static List<String> changes(long start, int from, int to) {
        List<String> expected = new ArrayList<>();
        for (int i = from; i < to; i++) {
            long revision = start + i + 1;
            expected.add(i % 3 == 2 ? "delete " + key(i - 1) + " @" + revision : "put " + key(i) + "=v" + i + " @" + revision);
        }
        return expected;
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
