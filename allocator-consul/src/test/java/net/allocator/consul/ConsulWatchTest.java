package net.allocator.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.allocator.core.store.Operation;
import net.allocator.core.store.ScanPage;
import net.allocator.core.testkit.ChangeRecorder;
import net.allocator.core.testkit.StoreFixture;
import net.allocator.core.testkit.TcpProxy;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Consul store's change feed, against a real Consul server (and a scripted one for an index
 * going back): what Consul adds to the contract kit's change-feed group (snapshots compared,
 * no history, rate limits, outages, its index going back).
 */
class ConsulWatchTest {
    private static final Duration PATIENCE = ChangeRecorder.PATIENCE;

    @RegisterExtension
    final StoreFixture<ConsulKeyValueStore> fixture =
            new StoreFixture<>("consul-watch", () -> ConsulTestServer.open(ConsulConfig.WATCH_INTERVAL, "50ms"));

    private ConsulKeyValueStore store;
    private ConsulKeyValueStore writer;

    @BeforeEach
    void open() {
        store = fixture.store();
        writer = fixture.open();
    }

    private String key(String name) {
        return fixture.key(name);
    }

    private void put(String name, String value) {
        writer.commit(List.of(), List.of(Operation.put(key(name), value)));
    }

    private ConsulWatch watch(ConsulKeyValueStore on, String watched, long revision, ChangeRecorder recorder) {
        return (ConsulWatch) on.watch(watched, revision, recorder).orElseThrow();
    }

    @Test
    @DisplayName("puts and deletes after the revision arrive on the store's thread, with ModifyIndex as a put's revision, and nothing from outside the prefix")
    void deliversChanges() throws Exception {
        put("w/before", "old");
        ScanPage page = store.scan(key("w/"), null, 10);
        ChangeRecorder recorder = new ChangeRecorder(key("")).startingFrom(Map.of(key("w/before"), "old"));
        try (ConsulWatch watch = watch(store, key("w/"), page.revision(), recorder)) {
            put("w/a", "1");
            put("w-sibling", "not under w/");
            put("w/b", "2");
            writer.commit(List.of(), List.of(Operation.delete(key("w/before"))));
            put("w/a", "1b");
            recorder.awaitState(Map.of(key("w/a"), "1b", key("w/b"), "2"));
            long versionOfA = writer.get(key("w/a")).orElseThrow().version();
            assertThat(recorder.keyChanges()).filteredOn(e -> e.key().equals(key("w/a")) && e.value().equals("1b"))
                    .singleElement().extracting(ChangeRecorder.Change::revision).isEqualTo(versionOfA);
            assertThat(recorder.keyChanges()).extracting(ChangeRecorder.Change::key).allMatch(k -> k.startsWith(key("w/")));
            assertThat(recorder.threads()).extracting(Thread::getName).allMatch(name -> name.startsWith("consul-watch"));
            assertThat(recorder.resets()).isEmpty();
            assertThat(watch.running()).isTrue();
        }
    }

    @Test
    @DisplayName("changes made between a scan and a watch from its revision are all reported, deletions too, without a reset")
    void startsFromTheScan() throws Exception {
        put("w/a", "1");
        put("w/gone", "x");
        long revision = store.scan(key("w/"), null, 10).revision();
        put("w/b", "2");
        writer.commit(List.of(), List.of(Operation.delete(key("w/gone"))));
        ChangeRecorder recorder = new ChangeRecorder(key("")).startingFrom(Map.of(key("w/a"), "1", key("w/gone"), "x"));
        try (ConsulWatch watch = watch(store, key("w/"), revision, recorder)) {
            recorder.awaitState(Map.of(key("w/a"), "1", key("w/b"), "2"));
            assertThat(recorder.resets()).isEmpty();
            assertThat(watch.running()).isTrue();
        }
    }

    @Test
    @DisplayName("a watch from a revision this store no longer holds the state of reports the changed keys, then a reset, since Consul cannot replay deletions")
    void startsLate() throws Exception {
        put("w/a", "1");
        put("w/gone", "x");
        long revision = store.scan(key("w/"), null, 10).revision();
        put("w/b", "2");
        writer.commit(List.of(), List.of(Operation.delete(key("w/gone"))));
        store.scan(key("w/"), null, 10); // a later scan: the state at the first one's revision is gone
        ChangeRecorder recorder = new ChangeRecorder(key(""));
        try (ConsulWatch watch = watch(store, key("w/"), revision, recorder)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !recorder.resets().isEmpty());
            assertThat(recorder.keyChanges()).extracting(ChangeRecorder.Change::key).containsExactly(key("w/b"));
            assertThat(recorder.resets().get(0)).hasMessageContaining("changed after revision " + revision);
            await().alias("a reset ends the feed").atMost(Duration.ofSeconds(5)).until(() -> !watch.running());
        }
    }

    @Test
    @DisplayName("a busy prefix is read at most about once per consul-watch-interval, and still converges")
    void rateLimited() throws Exception {
        try (ConsulKeyValueStore slow = ConsulTestServer.open(ConsulConfig.WATCH_INTERVAL, "500ms")) {
            long revision = slow.scan(key("busy/"), null, 1).revision();
            ChangeRecorder recorder = new ChangeRecorder(key(""));
            try (ConsulWatch watch = watch(slow, key("busy/"), revision, recorder)) {
                long started = System.nanoTime();
                for (int i = 0; i < 40; i++) {
                    put("busy/" + (i % 10), Integer.toString(i));
                    Thread.sleep(25);
                }
                long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                int readsWhileBusy = watch.reads();
                assertThat(readsWhileBusy).as("reads in %d ms", elapsedMillis).isLessThanOrEqualTo((int) (elapsedMillis / 500) + 2);
                await().atMost(Duration.ofSeconds(10)).until(() -> recorder.state().size() == 10 && recorder.state().get(key("busy/9")).equals("39"));
                assertThat(recorder.resets()).isEmpty();
            }
        }
    }

    @Test
    @DisplayName("the pause between reads is the configured interval, or 20 µs per key of the last read if longer, at most 30 s")
    void pauseGrowsWithThePrefix() {
        long interval = TimeUnit.MILLISECONDS.toNanos(200);
        assertThat(ConsulWatch.pause(interval, 0)).isEqualTo(interval);
        assertThat(ConsulWatch.pause(interval, 10_000)).isEqualTo(interval);
        assertThat(ConsulWatch.pause(interval, 50_000)).isEqualTo(TimeUnit.SECONDS.toNanos(1));
        assertThat(ConsulWatch.pause(interval, 16_777_216)).isEqualTo(TimeUnit.SECONDS.toNanos(30));
        assertThat(ConsulWatch.pause(TimeUnit.MINUTES.toNanos(1), 16_777_216)).isEqualTo(TimeUnit.MINUTES.toNanos(1));
    }

    @Test
    @DisplayName("a busy large prefix is read less often than the interval, in proportion to its keys, and still converges")
    void largePrefixReadLessOften() throws Exception {
        int keys = 10_000; // 200 ms between reads, against the test store's 50 ms interval
        for (int from = 0; from < keys; from += 64) {
            List<Operation> batch = new java.util.ArrayList<>();
            for (int i = from; i < Math.min(keys, from + 64); i++) {
                batch.add(Operation.put(key("large/" + i), "x"));
            }
            writer.commit(List.of(), batch);
        }
        long revision = store.scan(key("large/"), null, 1).revision();
        ChangeRecorder recorder = new ChangeRecorder(key(""));
        try (ConsulWatch watch = watch(store, key("large/"), revision, recorder)) {
            long started = System.nanoTime();
            for (int i = 0; i < 60; i++) {
                put("large/busy", Integer.toString(i));
                Thread.sleep(25);
            }
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertThat(watch.reads()).as("reads in %d ms", elapsedMillis).isLessThanOrEqualTo((int) (elapsedMillis / 200) + 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> "59".equals(recorder.state().get(key("large/busy"))));
            assertThat(recorder.resets()).isEmpty();
        }
    }

    @Test
    @DisplayName("closing the handle stops the thread promptly, even during a long blocking read")
    void closeIsPrompt() throws Exception {
        long revision = store.scan(key("c/"), null, 1).revision();
        ChangeRecorder recorder = new ChangeRecorder(key(""));
        ConsulWatch watch;
        try (ConsulKeyValueStore longWait = ConsulTestServer.open(ConsulConfig.WATCH_WAIT, "5m")) {
            watch = watch(longWait, key("c/"), revision, recorder);
            Thread.sleep(300); // let it block in Consul
            long before = System.nanoTime();
            watch.close();
            assertThat(watch.running()).isFalse();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before)).isLessThan(2000);
        }
    }

    @Test
    @DisplayName("an outage of Consul loses no change: the feed retries and then reports what changed meanwhile, without a reset")
    void survivesOutage() throws Exception {
        try (TcpProxy proxy = new TcpProxy(ConsulTestServer.url());
                ConsulKeyValueStore viaProxy = new ConsulKeyValueStore(ConsulTestServer.config(
                        ConsulConfig.URL, proxy.url(), ConsulConfig.WATCH_INTERVAL, "20ms", ConsulConfig.TIMEOUT, "1s"))) {
            put("o/a", "1");
            put("o/b", "1");
            long revision = viaProxy.scan(key("o/"), null, 10).revision();
            ChangeRecorder recorder = new ChangeRecorder(key("")).startingFrom(Map.of(key("o/a"), "1", key("o/b"), "1"));
            try (ConsulWatch watch = watch(viaProxy, key("o/"), revision, recorder)) {
                put("o/c", "before outage");
                await().atMost(Duration.ofSeconds(10)).until(() -> recorder.state().containsKey(key("o/c")));
                proxy.down();
                put("o/a", "2");
                writer.commit(List.of(), List.of(Operation.delete(key("o/b"))));
                Thread.sleep(1000); // some failed reads, with backoff
                assertThat(recorder.state()).doesNotContainKey(key("o/d"));
                proxy.up();
                put("o/d", "after outage");
                Map<String, String> expected = Map.of(key("o/a"), "2", key("o/c"), "before outage", key("o/d"), "after outage");
                recorder.awaitState(expected);
                assertThat(recorder.resets()).isEmpty();
                assertThat(watch.running()).isTrue();
            }
        }
    }

    @Test
    @DisplayName("an index going back with changed keys (a restored snapshot, a restart without data) ends the feed with a reset")
    void indexGoingBack() throws Exception {
        AtomicLong index = new AtomicLong(100);
        AtomicLong modifyIndex = new AtomicLong(90);
        try (FakeConsul fake = new FakeConsul(request -> new FakeConsul.Reply(200, entry("p/a", "v", modifyIndex.get()), index.get()));
                ConsulKeyValueStore faked = fakeStore(fake)) {
            ChangeRecorder recorder = new ChangeRecorder(key(""));
            try (ConsulWatch watch = watch(faked, "p/", 100, recorder)) {
                Thread.sleep(100);
                modifyIndex.set(30);
                index.set(40);
                await().atMost(Duration.ofSeconds(5)).until(() -> !recorder.resets().isEmpty());
                assertThat(recorder.resets().get(0)).hasMessageContaining("went back from 100 to 40");
                assertThat(recorder.keyChanges()).isEmpty();
                await().alias("a reset ends the feed").atMost(Duration.ofSeconds(5)).until(() -> !watch.running());
                assertThat(fake.requests).anyMatch(r -> r.uri().contains("index=100") && r.uri().contains("wait=60s")
                        && r.uri().contains("recurse") && r.uri().contains("consistent"));
            }
        }
    }

    @Test
    @DisplayName("an index going back with the keys unchanged (Consul reaped old tombstones) is no reset: the feed follows from the lower index")
    void tombstonesReaped() throws Exception {
        AtomicLong index = new AtomicLong(100);
        AtomicLong modifyIndex = new AtomicLong(90);
        try (FakeConsul fake = new FakeConsul(request -> new FakeConsul.Reply(200, entry("p/a", "v" + modifyIndex.get(), modifyIndex.get()), index.get()));
                ConsulKeyValueStore faked = fakeStore(fake)) {
            ChangeRecorder recorder = new ChangeRecorder(key(""));
            try (ConsulWatch watch = watch(faked, "p/", 100, recorder)) {
                Thread.sleep(100);
                index.set(90);
                await().atMost(Duration.ofSeconds(5)).until(() -> fake.requests.stream().anyMatch(r -> r.uri().contains("index=90")));
                modifyIndex.set(120);
                index.set(120);
                await().atMost(Duration.ofSeconds(5)).until(() -> "v120".equals(recorder.state().get("p/a")));
                assertThat(recorder.resets()).isEmpty();
                assertThat(watch.running()).isTrue();
            }
        }
    }

    private static String entry(String key, String value, long modifyIndex) {
        return "[{\"Key\":\"" + key + "\",\"Value\":\"" + Base64.getEncoder().encodeToString(value.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                + "\",\"ModifyIndex\":" + modifyIndex + "}]";
    }

    private static ConsulKeyValueStore fakeStore(FakeConsul fake) {
        Map<String, String> settings = Map.of(ConsulConfig.URL, fake.url(), ConsulConfig.WATCH_INTERVAL, "20ms");
        return new ConsulKeyValueStore(ConsulConfig.from(name -> java.util.Optional.ofNullable(settings.get(name))));
    }
}
