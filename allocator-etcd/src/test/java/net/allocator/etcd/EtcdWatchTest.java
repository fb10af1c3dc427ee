package net.allocator.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.allocator.core.StoreUnavailableException;
import net.allocator.core.store.ChangeListener;
import net.allocator.core.store.Operation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The change feed over etcd's watch, against a real etcd. */
class EtcdWatchTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final Duration QUIET = Duration.ofMillis(500);

    private EtcdKeyValueStore store;
    private String prefix;

    @BeforeEach
    void open(TestInfo test) {
        prefix = EtcdTestServer.uniquePrefix(test.getTestMethod().orElseThrow().getName());
        store = EtcdTestServer.open();
    }

    @AfterEach
    void cleanUp() {
        try {
            EtcdTestServer.cleanUp(prefix);
        } finally {
            store.close();
        }
    }

    private String key(String name) {
        return prefix + name;
    }

    private long put(String name, String value) {
        store.commit(List.of(), List.of(Operation.put(key(name), value)));
        return store.get(key(name)).orElseThrow().version();
    }

    private long revisionNow() {
        return store.scan(key("w/"), null, 1).revision();
    }

    @Test
    @DisplayName("puts and deletes after the start revision arrive in order, each with the revision that made it")
    void putsAndDeletesInOrder() throws Exception {
        put("w/old", "old");
        long start = revisionNow();
        Recorder recorder = new Recorder(prefix);
        try (AutoCloseable feed = store.watch(key("w/"), start, recorder).orElseThrow()) {
            long b = put("w/b", "1");
            long a = put("w/a", "1");
            long a2 = put("w/a", "2");
            store.commit(List.of(), List.of(Operation.delete(key("w/a"))));
            long deleted = revisionNow();
            store.commit(List.of(), List.of(Operation.put(key("w/c"), "1"), Operation.deletePrefix(key("w/b"))));
            long together = revisionNow();
            put("elsewhere", "not watched");

            assertThat(recorder.next(6, PATIENCE)).containsExactly(
                    "put w/b=1 @" + b,
                    "put w/a=1 @" + a,
                    "put w/a=2 @" + a2,
                    "delete w/a @" + deleted,
                    "put w/c=1 @" + together,
                    "delete w/b @" + together);
            assertThat(recorder.rest(QUIET)).isEmpty();
        }
    }

    @Test
    @DisplayName("a watch from an earlier revision replays what happened since")
    void replaysFromRevision() throws Exception {
        long start = revisionNow();
        long one = put("w/1", "x");
        long two = put("w/2", "y");
        Recorder recorder = new Recorder(prefix);
        try (AutoCloseable feed = store.watch(key("w/"), start, recorder).orElseThrow()) {
            assertThat(recorder.next(2, PATIENCE)).containsExactly("put w/1=x @" + one, "put w/2=y @" + two);
            // and from one of those revisions on, only what came after it
            Recorder later = new Recorder(prefix);
            try (AutoCloseable second = store.watch(key("w/"), one, later).orElseThrow()) {
                assertThat(later.next(1, PATIENCE)).containsExactly("put w/2=y @" + two);
                assertThat(later.rest(QUIET)).isEmpty();
            }
        }
    }

    @Test
    @DisplayName("a closed feed delivers nothing more and does not reset")
    void closeStops() throws Exception {
        Recorder recorder = new Recorder(prefix);
        AutoCloseable feed = store.watch(key("w/"), revisionNow(), recorder).orElseThrow();
        put("w/1", "x");
        assertThat(recorder.next(1, PATIENCE)).hasSize(1);
        feed.close();
        feed.close();
        put("w/2", "y");
        assertThat(recorder.rest(QUIET)).isEmpty();
    }

    @Test
    @DisplayName("closing the store ends its feeds without resetting them")
    void storeCloseStops() throws Exception {
        EtcdKeyValueStore own = EtcdTestServer.open();
        Recorder recorder = new Recorder(prefix);
        own.watch(key("w/"), revisionNow(), recorder).orElseThrow();
        put("w/1", "x");
        assertThat(recorder.next(1, PATIENCE)).hasSize(1);
        own.close();
        put("w/2", "y");
        assertThat(recorder.rest(QUIET)).isEmpty();
    }

    @Test
    @DisplayName("a start revision that etcd has compacted away resets the feed once, saying so, and it stays over")
    void compactedHistoryResets() throws Exception {
        long start = revisionNow();
        put("w/1", "x");
        long latest = put("w/1", "y");
        try (Client admin = Client.builder().endpoints(EtcdTestServer.config().endpoints().toArray(java.net.URI[]::new)).build()) {
            admin.getKVClient().compact(latest).get(10, TimeUnit.SECONDS);
        }
        Recorder recorder = new Recorder(prefix);
        try (AutoCloseable feed = store.watch(key("w/"), start, recorder).orElseThrow()) {
            assertThat(recorder.next(1, PATIENCE)).containsExactly("reset");
            assertThat(recorder.resets().get(0)).isInstanceOf(StoreUnavailableException.class).hasMessageContaining("compacted");
            put("w/2", "z");
            assertThat(recorder.rest(QUIET)).isEmpty();
        }
    }

    @Test
    @DisplayName("a listener that throws ends its feed with a reset, rather than silently missing an event")
    void failingListener() throws Exception {
        Recorder recorder = new Recorder(prefix) {
            @Override
            public void onPut(String key, String value, long revision) {
                super.onPut(key, value, revision);
                throw new IllegalStateException("listener bug");
            }
        };
        try (AutoCloseable feed = store.watch(key("w/"), revisionNow(), recorder).orElseThrow()) {
            put("w/1", "x");
            assertThat(recorder.next(2, PATIENCE)).containsExactly("put w/1=x @" + store.get(key("w/1")).orElseThrow().version(), "reset");
            assertThat(recorder.resets().get(0)).hasMessageContaining("listener bug");
            put("w/2", "y");
            assertThat(recorder.rest(QUIET)).isEmpty();
        }
    }

    @Test
    @DisplayName("the feed runs on the store's thread, not the committer's")
    void ownThread() throws Exception {
        Thread caller = Thread.currentThread();
        java.util.concurrent.CompletableFuture<Thread> deliveredOn = new java.util.concurrent.CompletableFuture<>();
        ChangeListener listener = new ChangeListener() {
            @Override
            public void onPut(String key, String value, long revision) {
                deliveredOn.complete(Thread.currentThread());
            }

            @Override
            public void onDelete(String key, long revision) {}

            @Override
            public void onReset(Throwable cause) {
                deliveredOn.completeExceptionally(cause);
            }
        };
        try (AutoCloseable feed = store.watch(key("w/"), revisionNow(), listener).orElseThrow()) {
            put("w/1", "x");
            assertThat(deliveredOn.get(10, TimeUnit.SECONDS)).isNotSameAs(caller);
        }
    }
}
