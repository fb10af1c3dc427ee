package net.allocator.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.allocator.core.StoreUnavailableException;
import net.allocator.core.store.Operation;
import net.allocator.core.testkit.ChangeRecorder;
import net.allocator.core.testkit.StoreFixture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The change feed over etcd's watch, against a real etcd: what etcd adds to the contract kit's
 * change-feed group (revisions, replay, compaction).
 */
class EtcdWatchTest {
    private static final Duration QUIET = Duration.ofMillis(500);

    @RegisterExtension
    final StoreFixture<EtcdKeyValueStore> fixture = new StoreFixture<>("etcd-watch", EtcdTestServer::open);

    private String key(String name) {
        return fixture.key(name);
    }

    private long put(String name, String value) {
        fixture.store().commit(List.of(), List.of(Operation.put(key(name), value)));
        return fixture.store().get(key(name)).orElseThrow().version();
    }

    private long revisionNow() {
        return fixture.store().scan(key("w/"), null, 1).revision();
    }

    @Test
    @DisplayName("puts and deletes after the start revision arrive in order, each with the revision that made it")
    void putsAndDeletesInOrder() throws Exception {
        EtcdKeyValueStore store = fixture.store();
        put("w/old", "old");
        long start = revisionNow();
        ChangeRecorder recorder = new ChangeRecorder(fixture.prefix());
        try (AutoCloseable feed = store.watch(key("w/"), start, recorder).orElseThrow()) {
            long b = put("w/b", "1");
            long a = put("w/a", "1");
            long a2 = put("w/a", "2");
            store.commit(List.of(), List.of(Operation.delete(key("w/a"))));
            long deleted = revisionNow();
            store.commit(List.of(), List.of(Operation.put(key("w/c"), "1"), Operation.deletePrefix(key("w/b"))));
            long together = revisionNow();
            put("elsewhere", "not watched");

            assertThat(recorder.awaitTexts(6)).containsExactly(
                    "put w/b=1 @" + b,
                    "put w/a=1 @" + a,
                    "put w/a=2 @" + a2,
                    "delete w/a @" + deleted,
                    "put w/c=1 @" + together,
                    "delete w/b @" + together);
            assertThat(recorder.toldWithin(QUIET)).isEmpty();
        }
    }

    @Test
    @DisplayName("a watch from an earlier revision replays what happened since")
    void replaysFromRevision() throws Exception {
        EtcdKeyValueStore store = fixture.store();
        long start = revisionNow();
        long one = put("w/1", "x");
        long two = put("w/2", "y");
        ChangeRecorder recorder = new ChangeRecorder(fixture.prefix());
        try (AutoCloseable feed = store.watch(key("w/"), start, recorder).orElseThrow()) {
            assertThat(recorder.awaitTexts(2)).containsExactly("put w/1=x @" + one, "put w/2=y @" + two);
            // and from one of those revisions on, only what came after it
            ChangeRecorder later = new ChangeRecorder(fixture.prefix());
            try (AutoCloseable second = store.watch(key("w/"), one, later).orElseThrow()) {
                assertThat(later.awaitTexts(1)).containsExactly("put w/2=y @" + two);
                assertThat(later.toldWithin(QUIET)).isEmpty();
            }
        }
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
        ChangeRecorder recorder = new ChangeRecorder(fixture.prefix());
        try (AutoCloseable feed = fixture.store().watch(key("w/"), start, recorder).orElseThrow()) {
            assertThat(recorder.awaitTexts(1)).containsExactly("reset");
            assertThat(recorder.resets().get(0)).isInstanceOf(StoreUnavailableException.class).hasMessageContaining("compacted");
            put("w/2", "z");
            assertThat(recorder.toldWithin(QUIET)).isEmpty();
        }
    }
}
