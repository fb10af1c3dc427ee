package net.allocator.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.allocator.core.StoreUnavailableException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class GroupCommitterTest {
    private final ExecutorService callers = Executors.newCachedThreadPool();

    @AfterEach
    void stopCallers() {
        callers.shutdownNow();
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a committer waiting for company never returns
    @DisplayName("a lone caller flushes at once, on its own thread, in a batch of one")
    void loneCallerFlushesAtOnce() {
        BatchStore store = new BatchStore(new BatchLimits(8, 100, true));
        GroupCommitter committer = new GroupCommitter(store);

        long outcome = committer.commit(put("a"));

        assertThat(outcome).isEqualTo(1);
        assertThat(store.batches).containsExactly(List.of("a"));
        assertThat(store.flushThreads).containsExactly(Thread.currentThread().getName());
    }

    @Test
    @DisplayName("callers queued behind a flush go in the next batches, at most the store's commits per batch, in order")
    void commitBoundRespected() throws Exception {
        assertThat(batchesOfEightQueued(new BatchLimits(3, 100, true)))
                .containsExactly(List.of("first"), List.of("k0", "k1", "k2"), List.of("k3", "k4", "k5"), List.of("k6", "k7"));
    }

    @Test
    @DisplayName("a batch holds at most the store's operations, conditions included")
    void operationBoundRespected() throws Exception {
        // two operations each: seven operations hold three commits
        assertThat(batchesOfEightQueued(new BatchLimits(8, 7, true)))
                .containsExactly(List.of("first"), List.of("k0", "k1", "k2"), List.of("k3", "k4", "k5"), List.of("k6", "k7"));
    }

    /** Queues eight commits of two operations behind a held flush, checks each gets its own outcome, and returns the batches. */
    private List<List<String>> batchesOfEightQueued(BatchLimits limits) throws Exception {
        BatchStore store = new BatchStore(limits);
        GroupCommitter committer = new GroupCommitter(store);
        Future<Long> first = blockFirstFlush(store, committer);
        List<Future<Long>> queued = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            queued.add(queueAndWait(committer, putTwo("k" + i), i + 1));
        }
        store.release.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        List<Long> outcomes = new ArrayList<>();
        for (Future<Long> f : queued) {
            outcomes.add(f.get(10, TimeUnit.SECONDS));
        }
        assertThat(outcomes).as("each caller gets its own commit's outcome").containsExactly(2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        return store.batches;
    }

    @Test
    @DisplayName("a store that cannot write a key twice in one batch never gets two commits naming one key together")
    void keysKeptApart() throws Exception {
        BatchStore store = new BatchStore(new BatchLimits(8, 100, false));
        GroupCommitter committer = new GroupCommitter(store);
        Future<Long> first = blockFirstFlush(store, committer);

        List<Future<Long>> queued = List.of(
                queueAndWait(committer, put("x"), 1),
                queueAndWait(committer, put("y"), 2),
                queueAndWait(committer, put("x"), 3),
                queueAndWait(committer, put("z"), 4));
        store.release.countDown();

        first.get(10, TimeUnit.SECONDS);
        for (Future<Long> f : queued) {
            f.get(10, TimeUnit.SECONDS);
        }
        assertThat(store.batches).containsExactly(List.of("first"), List.of("x", "y"), List.of("x", "z"));
    }

    @Test
    @DisplayName("an exception reaches every member of its batch and no other caller")
    void failureStaysInItsBatch() throws Exception {
        BatchStore store = new BatchStore(new BatchLimits(2, 100, true));
        store.failWhenNamed = "doomed";
        GroupCommitter committer = new GroupCommitter(store);
        Future<Long> first = blockFirstFlush(store, committer);

        Future<Long> doomed = queueAndWait(committer, put("doomed"), 1);
        Future<Long> sameBatch = queueAndWait(committer, put("neighbour"), 2);
        Future<Long> nextBatch = queueAndWait(committer, put("later"), 3);
        store.release.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        for (Future<Long> failed : List.of(doomed, sameBatch)) {
            assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(StoreOutcomeUnknownException.class)
                    .hasRootCauseMessage("lost the answer of a batch naming doomed");
        }
        assertThat(nextBatch.get(10, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(store.batches).containsExactly(List.of("first"), List.of("doomed", "neighbour"), List.of("later"));
    }

    @Test
    @DisplayName("a store that cannot batch is left as it is")
    void unbatchedStoreUnwrapped() {
        BatchStore store = new BatchStore(BatchLimits.UNBATCHED);
        assertThat(GroupCommitter.around(store)).isSameAs(store);
        assertThatThrownBy(() -> new GroupCommitter(store)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Starts a caller whose flush blocks until {@code store.release}, so that others queue behind it. */
    private Future<Long> blockFirstFlush(BatchStore store, GroupCommitter committer) throws InterruptedException {
        store.blockNext = true;
        Future<Long> first = callers.submit(() -> committer.commit(put("first")));
        assertThat(store.blocked.await(10, TimeUnit.SECONDS)).as("the first flush started").isTrue();
        return first;
    }

    /** Starts a caller and waits until {@code position} commits are queued, so the order is known. */
    private Future<Long> queueAndWait(GroupCommitter committer, Commit commit, int position) throws InterruptedException {
        Future<Long> future = callers.submit(() -> committer.commit(commit));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (committer.queued() < position && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(committer.queued()).as("commits queued").isEqualTo(position);
        return future;
    }

    private static Commit put(String key) {
        return new Commit(List.of(Condition.absent(key)), List.of(Operation.put(key, "v")));
    }

    private static Commit putTwo(String key) {
        return new Commit(List.of(), List.of(Operation.put(key, "v"), Operation.put(key + "/owner", "v")));
    }

    /**
     * Records each batch by its commits' first keys and answers each commit with the next
     * revision; the first batch can be held to line callers up behind it.
     */
    private static final class BatchStore implements KeyValueStore {
        final BatchLimits limits;
        final List<List<String>> batches = new CopyOnWriteArrayList<>();
        final List<String> flushThreads = new CopyOnWriteArrayList<>();
        final CountDownLatch blocked = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean blockNext;
        volatile String failWhenNamed;
        long revision;

        BatchStore(BatchLimits limits) {
            this.limits = limits;
        }

        @Override
        public BatchLimits batchLimits() {
            return limits;
        }

        @Override
        public long[] commitBatch(List<Commit> commits) {
            List<String> names = commits.stream().map(c -> firstKey(c)).toList();
            batches.add(names);
            flushThreads.add(Thread.currentThread().getName());
            if (blockNext) {
                blockNext = false;
                blocked.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StoreUnavailableException("interrupted");
                }
            }
            if (names.contains(failWhenNamed)) {
                throw new StoreOutcomeUnknownException("lost the answer of a batch naming " + failWhenNamed);
            }
            long[] outcomes = new long[commits.size()];
            for (int i = 0; i < outcomes.length; i++) {
                outcomes[i] = ++revision;
            }
            return outcomes;
        }

        private static String firstKey(Commit commit) {
            Operation first = commit.operations().get(0);
            return first instanceof Operation.Put put ? put.key() : first.toString();
        }

        @Override
        public boolean commit(List<Condition> conditions, List<Operation> operations) {
            throw new AssertionError("the group committer commits in batches only");
        }

        @Override
        public Optional<KeyValue> get(String key) {
            throw new AssertionError("not read in these tests");
        }

        @Override
        public ScanPage scan(String prefix, String startAfter, int limit) {
            throw new AssertionError("not read in these tests");
        }

        @Override
        public void ping() {}

        @Override
        public String describe() {
            return "batch recorder";
        }

        @Override
        public void close() {}
    }
}
