package net.allocator.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.allocator.core.ConcurrentHarness;
import net.allocator.core.testkit.ChangeRecorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The semantics every {@link KeyValueStore} must have for the allocator to be correct. A backend
 * runs it with a subclass that only says how to open a fresh client of its store; each call of
 * {@link #openStore()} must return an independent client of the same store.
 */
public abstract class KeyValueStoreContractKit {

    /** A new, independent client of the store under test. */
    protected abstract KeyValueStore openStore();

    /** Whether the store's {@link KeyValueStore#commitVersioned} tells versions, or keeps the default. */
    protected boolean tellsCommitVersions() {
        return true;
    }

    /**
     * Whether the store calls listeners on its network thread, which the answers to commits also
     * need, as {@link KeyValueStore#watch} allows: a listener that waits there stalls commits, so
     * the kit does not make one wait.
     */
    protected boolean callsListenersOnNetworkThread() {
        return false;
    }

    private final List<KeyValueStore> opened = new CopyOnWriteArrayList<>();
    protected KeyValueStore store;
    protected String prefix;

    @BeforeEach
    void openFreshStore() {
        prefix = "kvkit-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "/";
        store = open();
    }

    @AfterEach
    void cleanUp() {
        try {
            if (store != null) {
                store.commit(List.of(), List.of(Operation.deletePrefix(prefix)));
            }
        } finally {
            opened.forEach(KeyValueStore::close);
        }
    }

    protected KeyValueStore open() {
        KeyValueStore fresh = openStore();
        opened.add(fresh);
        return fresh;
    }

    private String key(String name) {
        return prefix + name;
    }

    @Nested
    @DisplayName("reads")
    class Reads {
        @Test
        @DisplayName("a missing key reads as empty")
        void missingKey() {
            assertThat(store.get(key("nothing"))).isEmpty();
        }

        @Test
        @DisplayName("a put key reads back with its value and a positive version")
        void putThenGet() {
            assertThat(store.commit(List.of(), List.of(Operation.put(key("a"), "value ü")))).isTrue();
            KeyValue kv = store.get(key("a")).orElseThrow();
            assertThat(kv.key()).isEqualTo(key("a"));
            assertThat(kv.value()).isEqualTo("value ü");
            assertThat(kv.version()).isPositive();
        }

        @Test
        @DisplayName("a change gives the key a new version")
        void versionChanges() {
            store.commit(List.of(), List.of(Operation.put(key("a"), "1")));
            long first = store.get(key("a")).orElseThrow().version();
            store.commit(List.of(), List.of(Operation.put(key("a"), "2")));
            assertThat(store.get(key("a")).orElseThrow().version()).isNotEqualTo(first);
        }

        @Test
        @DisplayName("a scan returns the prefix's keys in key order, in pages")
        void scanPages() {
            List<Operation> puts = new ArrayList<>();
            for (String name : List.of("0000000a", "00000002", "00000010", "0000000b", "00000001")) {
                puts.add(Operation.put(key("s/" + name), name));
            }
            store.commit(List.of(), puts);
            store.commit(List.of(), List.of(Operation.put(key("s0"), "not under s/"), Operation.put(key("r/x"), "before")));

            ScanPage first = store.scan(key("s/"), null, 2);
            assertThat(first.entries()).extracting(KeyValue::value).containsExactly("00000001", "00000002");
            assertThat(first.more()).isTrue();
            assertThat(first.revision()).isPositive();
            ScanPage second = store.scan(key("s/"), first.entries().get(1).key(), 2);
            assertThat(second.entries()).extracting(KeyValue::value).containsExactly("0000000a", "0000000b");
            ScanPage last = store.scan(key("s/"), second.entries().get(1).key(), 2);
            assertThat(last.entries()).extracting(KeyValue::value).containsExactly("00000010");
            assertThat(last.more()).isFalse();
        }

        @Test
        @DisplayName("a scan of an empty prefix is empty")
        void emptyScan() {
            ScanPage page = store.scan(key("none/"), null, 10);
            assertThat(page.entries()).isEmpty();
            assertThat(page.more()).isFalse();
        }

        @Test
        @DisplayName("a write by one client is read at once by another")
        void linearizableAcrossClients() {
            KeyValueStore other = open();
            for (int i = 0; i < 20; i++) {
                store.commit(List.of(), List.of(Operation.put(key("x"), Integer.toString(i))));
                assertThat(other.get(key("x")).orElseThrow().value()).isEqualTo(Integer.toString(i));
            }
        }
    }

    @Nested
    @DisplayName("conditional commits")
    class Commits {
        @Test
        @DisplayName("create-if-absent succeeds once, then fails and writes nothing")
        void absent() {
            assertThat(store.commit(List.of(Condition.absent(key("a"))), List.of(Operation.put(key("a"), "first")))).isTrue();
            assertThat(store.commit(List.of(Condition.absent(key("a"))), List.of(Operation.put(key("a"), "second")))).isFalse();
            assertThat(store.get(key("a")).orElseThrow().value()).isEqualTo("first");
        }

        @Test
        @DisplayName("compare-and-set applies only at the current version")
        void atVersion() {
            store.commit(List.of(), List.of(Operation.put(key("a"), "1")));
            long version = store.get(key("a")).orElseThrow().version();
            assertThat(store.commit(List.of(Condition.atVersion(key("a"), version)), List.of(Operation.put(key("a"), "2")))).isTrue();
            assertThat(store.commit(List.of(Condition.atVersion(key("a"), version)), List.of(Operation.put(key("a"), "3")))).isFalse();
            assertThat(store.get(key("a")).orElseThrow().value()).isEqualTo("2");
        }

        @Test
        @DisplayName("a versioned commit tells the version its written keys now have, or that it did not apply")
        void commitVersioned() {
            store.commit(List.of(), List.of(Operation.put(key("other"), "x")));
            long version = store.commitVersioned(List.of(Condition.absent(key("a")), Condition.absent(key("b"))),
                    List.of(Operation.put(key("a"), "1"), Operation.put(key("b"), "2")));
            assertThat(store.get(key("a")).orElseThrow().value()).isEqualTo("1");
            if (!tellsCommitVersions()) {
                assertThat(version).isEqualTo(KeyValueStore.VERSION_UNKNOWN);
                return;
            }
            assertThat(version).isPositive();
            assertThat(store.get(key("a")).orElseThrow().version()).isEqualTo(version);
            assertThat(store.get(key("b")).orElseThrow().version()).isEqualTo(version);
            assertThat(store.commitVersioned(List.of(Condition.absent(key("a"))), List.of(Operation.put(key("a"), "again"))))
                    .isEqualTo(KeyValueStore.NOT_APPLIED);
            assertThat(store.commitVersioned(List.of(Condition.atVersion(key("a"), version)),
                    List.of(Operation.delete(key("a")), Operation.delete(key("b"))))).isPositive();
            assertThat(store.get(key("a"))).isEmpty();
            assertThat(store.get(key("other"))).isPresent();
        }

        @Test
        @DisplayName("compare-and-set on a missing key fails")
        void atVersionOfMissing() {
            assertThat(store.commit(List.of(Condition.atVersion(key("gone"), 1)), List.of(Operation.put(key("gone"), "x")))).isFalse();
            assertThat(store.get(key("gone"))).isEmpty();
        }

        @Test
        @DisplayName("all operations apply together, or none when one condition fails")
        void allOrNothing() {
            store.commit(List.of(), List.of(Operation.put(key("taken"), "x")));
            boolean applied = store.commit(
                    List.of(Condition.absent(key("a")), Condition.absent(key("taken"))),
                    List.of(Operation.put(key("a"), "1"), Operation.put(key("b"), "2"), Operation.delete(key("taken"))));
            assertThat(applied).isFalse();
            assertThat(store.get(key("a"))).isEmpty();
            assertThat(store.get(key("b"))).isEmpty();
            assertThat(store.get(key("taken"))).isPresent();

            applied = store.commit(
                    List.of(Condition.absent(key("a")), Condition.absent(key("b"))),
                    List.of(Operation.put(key("a"), "1"), Operation.put(key("b"), "2"), Operation.delete(key("taken"))));
            assertThat(applied).isTrue();
            assertThat(store.get(key("a"))).isPresent();
            assertThat(store.get(key("b"))).isPresent();
            assertThat(store.get(key("taken"))).isEmpty();
        }

        @Test
        @DisplayName("deleting a prefix removes its keys and nothing else")
        void deletePrefix() {
            store.commit(List.of(), List.of(Operation.put(key("n/1"), "1"), Operation.put(key("n/2"), "2"),
                    Operation.put(key("n2"), "sibling"), Operation.put(key("m/1"), "other")));
            assertThat(store.commit(List.of(), List.of(Operation.deletePrefix(key("n/"))))).isTrue();
            assertThat(store.scan(key("n/"), null, 10).entries()).isEmpty();
            assertThat(store.get(key("n2"))).isPresent();
            assertThat(store.get(key("m/1"))).isPresent();
        }

        @Test
        @DisplayName("deleting a missing key is not an error")
        void deleteMissing() {
            assertThat(store.commit(List.of(), List.of(Operation.delete(key("never"))))).isTrue();
        }

        @Test
        @DisplayName("of many clients racing to create the same keys, exactly one wins each")
        void oneWinnerPerKey() throws Exception {
            int clients = 4;
            int threadsPerClient = 4;
            int keys = 50;
            List<KeyValueStore> stores = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                stores.add(open());
            }
            Map<String, String> winners = new ConcurrentHashMap<>();
            AtomicInteger doubleWins = new AtomicInteger();
            List<Throwable> failures = ConcurrentHarness.run(clients * threadsPerClient, thread -> {
                KeyValueStore client = stores.get(thread % clients);
                String me = "thread " + thread;
                for (int k = 0; k < keys; k++) {
                    String name = key("race/" + k);
                    if (client.commit(List.of(Condition.absent(name)), List.of(Operation.put(name, me)))
                            && winners.putIfAbsent(name, me) != null) {
                        doubleWins.incrementAndGet();
                    }
                }
            });
            assertThat(failures).isEmpty();
            assertThat(doubleWins).hasValue(0);
            assertThat(winners).hasSize(keys);
            for (Map.Entry<String, String> win : winners.entrySet()) {
                assertThat(store.get(win.getKey()).orElseThrow().value()).isEqualTo(win.getValue());
            }
        }
    }

    /** How a test ends a feed. */
    @FunctionalInterface
    private interface FeedEnding {
        void end(AutoCloseable feed) throws Exception;
    }

    /** How long a feed that should stay silent is watched. */
    private static final Duration QUIET = Duration.ofMillis(300);

    /** The store's revision now, as a scan of {@code name}'s keys tells it: a start for a watch. */
    private long revisionNow(String name) {
        return store.scan(key(name), null, 1).revision();
    }

    @Nested
    @DisplayName("change feed")
    class Feed {
        @Test
        @DisplayName("a watch, when offered, brings its follower to the prefix's latest state, and nothing from elsewhere")
        void watchConverges() throws Exception {
            converges(true);
        }

        @Test
        @DisplayName("a watch for a follower of key names only brings it to the prefix's latest keys")
        void watchConvergesOnKeys() throws Exception {
            converges(false);
        }

        private void converges(boolean wantsValues) throws Exception {
            store.commit(List.of(), List.of(Operation.put(key("w/before"), "old")));
            long revision = store.scan(key("w/"), null, 10).revision();
            ChangeRecorder recorder = (wantsValues ? new ChangeRecorder(key("w/")) : ChangeRecorder.keysOnly(key("w/")))
                    .startingFrom(Map.of(key("w/before"), "old"));
            var watch = store.watch(key("w/"), revision, recorder);
            if (watch.isEmpty()) {
                return; // the store offers no feed; the allocator then relies on its own reads
            }
            try (AutoCloseable feed = watch.get()) {
                KeyValueStore other = open();
                other.commit(List.of(), List.of(Operation.put(key("w/a"), "1")));
                other.commit(List.of(), List.of(Operation.put(key("elsewhere"), "x")));
                other.commit(List.of(), List.of(Operation.put(key("w/b"), "2")));
                other.commit(List.of(), List.of(Operation.delete(key("w/a")), Operation.delete(key("w/before"))));
                other.commit(List.of(), List.of(Operation.put(key("w/c"), "3")));
                other.commit(List.of(), List.of(Operation.delete(key("w/c"))));
                if (wantsValues) {
                    recorder.awaitState(Map.of(key("w/b"), "2"));
                } else {
                    recorder.awaitKeys(Set.of(key("w/b")));
                }
                assertThat(recorder.texts()).noneMatch(change -> change.contains("FOREIGN") || change.equals("reset"));
            }
        }

        @Test
        @DisplayName("a watch delivers a versioned commit's writes and deletions at the version it told, and later changes after it")
        void watchAtCommitVersion() throws Exception {
            long start = store.scan(key("v/"), null, 1).revision();
            Map<String, List<Long>> revisions = new ConcurrentHashMap<>();
            ChangeListener listener = new ChangeListener() {
                @Override
                public void onPut(String k, String v, long r) {
                    revisions.computeIfAbsent(k, x -> new CopyOnWriteArrayList<>()).add(r);
                }

                @Override
                public void onDelete(String k, long r) {
                    revisions.computeIfAbsent(k, x -> new CopyOnWriteArrayList<>()).add(r);
                }

                @Override
                public void onReset(Throwable cause) {
                    revisions.put("reset", List.of());
                }

                @Override
                public boolean wantsValues() {
                    return false;
                }
            };
            var watch = store.watch(key("v/"), start, listener);
            if (watch.isEmpty() || !tellsCommitVersions()) {
                watch.ifPresent(w -> { try { w.close(); } catch (Exception e) { throw new IllegalStateException(e); } });
                return;
            }
            try {
                long version = store.commitVersioned(List.of(Condition.absent(key("v/a"))),
                        List.of(Operation.put(key("v/a"), "1"), Operation.put(key("v/b"), "1")));
                long deletion = open().commitVersioned(List.of(), List.of(Operation.delete(key("v/a"))));
                await().atMost(ChangeRecorder.PATIENCE).until(() -> revisions.getOrDefault(key("v/a"), List.of()).size() >= 2);
                assertThat(revisions).doesNotContainKey("reset");
                assertThat(revisions.get(key("v/b"))).containsExactly(version);
                assertThat(deletion).isGreaterThan(version);
                assertThat(revisions.get(key("v/a"))).containsExactly(version, deletion);
            } finally {
                watch.get().close();
            }
        }

        @Test
        @DisplayName("a listener that throws ends its feed with exactly one reset; the commit that made the change applies whole and returns, and other feeds go on")
        void throwingListenerEndsItsFeed() throws Exception {
            long revision = revisionNow("t/");
            ChangeRecorder failing = new ChangeRecorder(key("t/")).failingOnPut();
            ChangeRecorder healthy = new ChangeRecorder(key("t/"));
            Optional<AutoCloseable> failingFeed = store.watch(key("t/"), revision, failing);
            if (failingFeed.isEmpty()) {
                return;
            }
            try (AutoCloseable first = failingFeed.get(); AutoCloseable second = store.watch(key("t/"), revision, healthy).orElseThrow()) {
                assertThat(store.commit(List.of(Condition.absent(key("t/a"))),
                        List.of(Operation.put(key("t/a"), "1"), Operation.put(key("t/b"), "2")))).isTrue();
                assertThat(store.get(key("t/a")).map(KeyValue::value)).contains("1");
                assertThat(store.get(key("t/b")).map(KeyValue::value)).contains("2");
                assertThat(failing.awaitReset()).hasMessageContaining("listener failure");

                assertThat(store.commit(List.of(), List.of(Operation.put(key("t/c"), "3")))).isTrue();
                healthy.awaitState(Map.of(key("t/a"), "1", key("t/b"), "2", key("t/c"), "3"));
                failing.toldWithin(QUIET);
                assertThat(failing.changes()).extracting(ChangeRecorder.Change::kind)
                        .containsExactly(ChangeRecorder.Kind.PUT, ChangeRecorder.Kind.RESET);
                assertThat(healthy.resets()).isEmpty();
            }
        }

        @Test
        @DisplayName("a closed feed delivers nothing more, and does not reset")
        void closedFeedIsSilent() throws Exception {
            endsSilently(store, "c/", feed -> {
                feed.close();
                feed.close(); // a second close is harmless
            });
        }

        @Test
        @DisplayName("closing the store ends its feeds, without resetting them")
        void closedStoreEndsItsFeeds() throws Exception {
            KeyValueStore closing = open();
            endsSilently(closing, "s/", feed -> closing.close());
        }

        /**
         * Watches {@code name}'s keys through {@code client} and through the test's store, lets a
         * change arrive, runs {@code ending}, and checks that the first feed then tells nothing,
         * not even a reset, while the second still brings the next change.
         */
        private void endsSilently(KeyValueStore client, String name, FeedEnding ending) throws Exception {
            long revision = revisionNow(name);
            ChangeRecorder ended = new ChangeRecorder(key(name));
            ChangeRecorder staying = new ChangeRecorder(key(name));
            Optional<AutoCloseable> feed = client.watch(key(name), revision, ended);
            if (feed.isEmpty()) {
                return;
            }
            try (AutoCloseable other = store.watch(key(name), revision, staying).orElseThrow()) {
                store.commit(List.of(), List.of(Operation.put(key(name + "1"), "x")));
                ended.awaitTexts(1);
                ending.end(feed.get());
                store.commit(List.of(), List.of(Operation.put(key(name + "2"), "y")));
                staying.awaitState(Map.of(key(name + "1"), "x", key(name + "2"), "y"));
                ended.toldWithin(QUIET);
                assertThat(ended.changes()).extracting(ChangeRecorder.Change::key).containsExactly(key(name + "1"));
            }
        }

        @Test
        @DisplayName("a listener is called neither on the committer's thread nor while the store holds a lock another client's commit needs")
        void listenerRunsOutsideCommits() throws Exception {
            CountDownLatch listenerWaits = new CountDownLatch(1);
            CountDownLatch otherCommitReturned = new CountDownLatch(1);
            List<Boolean> sawOtherCommit = new CopyOnWriteArrayList<>();
            // Waits for another client's commit: a store that calls listeners under a lock that
            // commit needs stalls here until the wait gives up.
            boolean mayWait = !callsListenersOnNetworkThread();
            ChangeRecorder recorder = new ChangeRecorder(key("l/")).whenPut(k -> {
                if (k.equals(key("l/first")) && mayWait) {
                    listenerWaits.countDown();
                    try {
                        sawOtherCommit.add(otherCommitReturned.await(10, TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            Optional<AutoCloseable> feed = store.watch(key("l/"), revisionNow("l/"), recorder);
            if (feed.isEmpty()) {
                return;
            }
            KeyValueStore other = open();
            ExecutorService otherThread = Executors.newSingleThreadExecutor();
            try (AutoCloseable watching = feed.get()) {
                Future<Thread> otherCommit = otherThread.submit(() -> {
                    if (mayWait) {
                        listenerWaits.await(ChangeRecorder.PATIENCE.toSeconds(), TimeUnit.SECONDS);
                    }
                    other.commit(List.of(), List.of(Operation.put(key("l/second"), "2")));
                    otherCommitReturned.countDown();
                    return Thread.currentThread();
                });
                assertThat(store.commit(List.of(), List.of(Operation.put(key("l/first"), "1")))).isTrue();
                Thread otherCommitter = otherCommit.get(ChangeRecorder.PATIENCE.toSeconds(), TimeUnit.SECONDS);
                recorder.awaitState(Map.of(key("l/first"), "1", key("l/second"), "2"));
                assertThat(sawOtherCommit).as("the listener saw the other client's commit return while it waited")
                        .containsExactlyElementsOf(mayWait ? List.of(true) : List.of());
                assertThat(recorder.threads()).doesNotContain(Thread.currentThread(), otherCommitter);
            } finally {
                otherThread.shutdownNow();
            }
        }
    }

    @Nested
    @DisplayName("health")
    class Health {
        @Test
        @DisplayName("a reachable store answers a ping and describes itself")
        void ping() {
            store.ping();
            assertThat(store.describe()).isNotBlank();
        }

        @Test
        @DisplayName("a key with unusual but allowed characters round-trips")
        void unusualKey() {
            String odd = key("owners/net/gluster-3.7.11-8/node~2f0_x");
            store.commit(List.of(Condition.absent(odd)), List.of(Operation.put(odd, "{\"a\":\"ü ✓\"}")));
            assertThat(store.get(odd).orElseThrow().value()).isEqualTo("{\"a\":\"ü ✓\"}");
            assertThatThrownBy(() -> store.scan(key("x/"), null, 0)).isInstanceOf(RuntimeException.class);
        }
    }

    @Nested
    @DisplayName("batched commits")
    class BatchedCommits {
        @BeforeEach
        void onlyWhenTheStoreBatches() {
            org.junit.jupiter.api.Assumptions.assumeTrue(store.batchLimits().batches(), "the store commits one at a time");
        }

        private Commit create(String name, String value) {
            return new Commit(List.of(Condition.absent(key(name))), List.of(Operation.put(key(name), value)));
        }

        @Test
        @DisplayName("in one batch, a refused commit leaves the others applied")
        void refusedLeavesOthers() {
            store.commit(List.of(), List.of(Operation.put(key("taken"), "x")));
            long[] outcomes = store.commitBatch(List.of(create("a", "1"), create("taken", "2"), create("c", "3")));
            assertThat(outcomes[0]).isPositive();
            assertThat(outcomes[1]).isEqualTo(KeyValueStore.NOT_APPLIED);
            assertThat(outcomes[2]).isPositive();
            assertThat(store.get(key("a")).orElseThrow().value()).isEqualTo("1");
            assertThat(store.get(key("taken")).orElseThrow().value()).isEqualTo("x");
            assertThat(store.get(key("c")).orElseThrow().value()).isEqualTo("3");
        }

        @Test
        @DisplayName("in one batch, an applied commit does not make a refused one apply")
        void appliedDoesNotRescueRefused() {
            store.commit(List.of(), List.of(Operation.put(key("taken"), "x")));
            Commit refused = new Commit(List.of(Condition.absent(key("taken"))),
                    List.of(Operation.put(key("taken"), "mine"), Operation.put(key("b"), "mine")));
            Commit applied = create("a", "1");
            long[] outcomes = store.commitBatch(List.of(refused, applied));
            assertThat(outcomes[0]).isEqualTo(KeyValueStore.NOT_APPLIED);
            assertThat(outcomes[1]).isPositive();
            assertThat(store.get(key("taken")).orElseThrow().value()).isEqualTo("x");
            assertThat(store.get(key("b"))).isEmpty();
            assertThat(store.get(key("a")).orElseThrow().value()).isEqualTo("1");
        }

        @Test
        @DisplayName("each commit of a batch sees the writes of those before it, as if committed alone in list order")
        void listOrder() {
            org.junit.jupiter.api.Assumptions.assumeTrue(store.batchLimits().keysMayRepeat(), "the store keeps keys apart");
            store.commit(List.of(), List.of(Operation.put(key("taken"), "x")));
            Commit refusedBeforeTheDelete = create("taken", "early");
            Commit delete = new Commit(List.of(), List.of(Operation.delete(key("taken"))));
            Commit appliedAfterTheDelete = create("taken", "late");
            long[] outcomes = store.commitBatch(List.of(refusedBeforeTheDelete, delete, appliedAfterTheDelete));
            assertThat(outcomes[0]).isEqualTo(KeyValueStore.NOT_APPLIED);
            assertThat(outcomes[1]).isPositive();
            assertThat(outcomes[2]).isPositive();
            assertThat(store.get(key("taken")).orElseThrow().value()).isEqualTo("late");
        }

        @Test
        @DisplayName("each applied commit's outcome is the version its own keys now have, as commitVersioned tells")
        void versionsOfTheirOwn() {
            org.junit.jupiter.api.Assumptions.assumeTrue(tellsCommitVersions(), "the store does not tell versions");
            long[] outcomes = store.commitBatch(List.of(create("a", "1"), create("b", "2"), create("c", "3")));
            assertThat(store.get(key("a")).orElseThrow().version()).isEqualTo(outcomes[0]);
            assertThat(store.get(key("b")).orElseThrow().version()).isEqualTo(outcomes[1]);
            assertThat(store.get(key("c")).orElseThrow().version()).isEqualTo(outcomes[2]);
            assertThat(outcomes[0]).isLessThan(outcomes[1]);
            assertThat(outcomes[1]).isLessThan(outcomes[2]);
            assertThat(store.commitVersioned(List.of(Condition.atVersion(key("b"), outcomes[1])),
                    List.of(Operation.put(key("b"), "again")))).isGreaterThan(outcomes[2]);
        }

        @Test
        @DisplayName("threads committing through group committers on several clients each get their own, correct outcome")
        void concurrentOutcomes() throws Exception {
            int threads = 16;
            int rounds = 25;
            List<GroupCommitter> committers = List.of(new GroupCommitter(store), new GroupCommitter(open()));
            Map<String, Long> ownVersions = new ConcurrentHashMap<>();
            Map<String, String> raceWinners = new ConcurrentHashMap<>();
            AtomicInteger doubleWins = new AtomicInteger();
            AtomicInteger ownRefused = new AtomicInteger();
            List<Throwable> failures = net.allocator.core.ConcurrentHarness.run(threads, thread -> {
                GroupCommitter committer = committers.get(thread % committers.size());
                for (int round = 0; round < rounds; round++) {
                    String own = "own/" + thread + "/" + round;
                    long version = committer.commit(create(own, "v"));
                    if (version == KeyValueStore.NOT_APPLIED) {
                        ownRefused.incrementAndGet();
                    } else {
                        ownVersions.put(key(own), version);
                    }
                    String race = "race/" + round;
                    if (committer.commit(create(race, "thread " + thread)) != KeyValueStore.NOT_APPLIED
                            && raceWinners.putIfAbsent(key(race), "thread " + thread) != null) {
                        doubleWins.incrementAndGet();
                    }
                }
            });
            assertThat(failures).isEmpty();
            assertThat(ownRefused).as("commits nobody else touched, refused").hasValue(0);
            assertThat(doubleWins).as("keys created twice").hasValue(0);
            assertThat(raceWinners).hasSize(rounds);
            for (Map.Entry<String, String> win : raceWinners.entrySet()) {
                assertThat(store.get(win.getKey()).orElseThrow().value()).isEqualTo(win.getValue());
            }
            assertThat(ownVersions).hasSize(threads * rounds);
            if (tellsCommitVersions()) {
                for (Map.Entry<String, Long> own : ownVersions.entrySet()) {
                    assertThat(store.get(own.getKey()).orElseThrow().version()).as(own.getKey()).isEqualTo(own.getValue());
                }
            }
        }
    }

    @Nested
    @DisplayName("counts and commit limits")
    class CountsAndCommitLimits {
        @Test
        @DisplayName("a count of a prefix counts exactly its keys, not those of a longer sibling prefix, and deleted keys no more")
        void count() {
            List<Operation> puts = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                puts.add(Operation.put(key("a/" + i), "v"));
            }
            puts.add(Operation.put(key("ab/0"), "v"));
            store.commit(List.of(), puts);
            store.commit(List.of(), List.of(Operation.delete(key("a/3")), Operation.delete(key("a/4"))));
            assertThat(store.count(key("a/"))).isEqualTo(23);
            assertThat(open().count(key("a/"))).isEqualTo(23);
            assertThat(store.count(key("none/"))).isZero();
        }

        @Test
        @DisplayName("a commit as large as the store's declared limit is applied")
        void commitAtTheLimit() {
            CommitSizeLimit limit = store.commitSizeLimit();
            int pairs = (int) Math.min(200, Math.min(Math.min(limit.conditions(), limit.operations()), limit.combined() / 2));
            List<Condition> conditions = new ArrayList<>();
            List<Operation> operations = new ArrayList<>();
            for (int i = 0; i < pairs; i++) {
                conditions.add(Condition.absent(key("big/" + i)));
                operations.add(Operation.put(key("big/" + i), "v"));
            }
            assertThat(store.commit(conditions, operations)).isTrue();
            assertThat(store.count(key("big/"))).isEqualTo(pairs);
        }
    }
}
