package net.allocator.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import net.allocator.core.StoreUnavailableException;
import net.allocator.core.store.Condition;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.Operation;
import net.allocator.core.store.StoreOutcomeUnknownException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The store against a three-server Consul cluster started with {@code scripts/consul-cluster.sh}
 * (found through {@code ALLOCATOR_SCRIPTS_DIR}, which {@code scripts/with-servers.sh} sets): reads
 * through any agent see every acknowledged commit, and losing the leader makes calls fail as
 * unavailable (never as a wrong answer) until a new one is elected, with no key won twice.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsulClusterTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private Path scripts;
    private String name;
    private Path runDir;
    private final List<ConsulKeyValueStore> stores = new CopyOnWriteArrayList<>();
    private final String prefix = "consul-cluster-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE) + "/";

    @BeforeAll
    void startCluster() throws Exception {
        String dir = System.getenv("ALLOCATOR_SCRIPTS_DIR");
        if (dir == null || dir.isBlank()) {
            fail("ALLOCATOR_SCRIPTS_DIR is not set: run the tests through scripts/with-servers.sh, which sets it so that this test can start a Consul cluster");
        }
        scripts = Path.of(dir);
        name = "consul-ct" + ProcessHandle.current().pid();
        runDir = scripts.getParent().resolve(".servers/run/" + name);
        run(120, "consul-cluster.sh", "start", name);
    }

    @AfterAll
    void stopCluster() throws Exception {
        stores.forEach(ConsulKeyValueStore::close);
        if (name != null) {
            run(60, "consul-cluster.sh", "stop", name);
        }
    }

    private ConsulKeyValueStore storeOn(int member) throws IOException {
        String url = memberUrl(member);
        ConsulKeyValueStore store = new ConsulKeyValueStore(ConsulConfig.from(setting -> java.util.Optional.ofNullable(Map.of(
                ConsulConfig.URL, url, ConsulConfig.TIMEOUT, TIMEOUT.toMillis() + "ms", ConsulConfig.CONNECT_TIMEOUT, "1s")
                .get(setting))));
        stores.add(store);
        return store;
    }

    private String memberUrl(int member) throws IOException {
        return Files.readString(runDir.resolve("member-" + member + ".url")).strip();
    }

    @Test
    @DisplayName("a commit acknowledged through one agent is read at once through the others")
    void linearizableAcrossAgents() throws Exception {
        ConsulKeyValueStore one = storeOn(1);
        ConsulKeyValueStore two = storeOn(2);
        ConsulKeyValueStore three = storeOn(3);
        for (int i = 0; i < 30; i++) {
            String value = Integer.toString(i);
            assertThat(one.commit(List.of(), List.of(Operation.put(prefix + "lin", value)))).isTrue();
            assertThat(two.get(prefix + "lin").orElseThrow().value()).isEqualTo(value);
            assertThat(three.scan(prefix, null, 10).entries()).extracting(KeyValue::value).containsExactly(value);
        }
    }

    @Test
    @DisplayName("while the leader is lost, calls fail as unavailable within the timeout, no key is won twice, and the same instances work again")
    void leaderLoss() throws Exception {
        int leader = leaderMember();
        List<Integer> followers = new ArrayList<>(List.of(1, 2, 3));
        followers.remove(Integer.valueOf(leader));
        ConsulKeyValueStore first = storeOn(followers.get(0));
        ConsulKeyValueStore second = storeOn(followers.get(1));
        ConsulKeyValueStore onLeader = storeOn(leader);
        onLeader.ping();

        Map<String, List<String>> winners = new ConcurrentHashMap<>();
        List<String> slowCalls = new CopyOnWriteArrayList<>();
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        List<String> unknown = new CopyOnWriteArrayList<>();
        List<String> unavailable = new CopyOnWriteArrayList<>();
        Map<String, Integer> reasons = new ConcurrentHashMap<>();
        long racingUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(25);
        List<Thread> racers = new ArrayList<>();
        for (ConsulKeyValueStore racer : List.of(first, second)) {
            String me = racer == first ? "first" : "second";
            Thread thread = new Thread(() -> {
                for (int k = 0; System.nanoTime() < racingUntil; ) {
                    String key = prefix + "race/" + k;
                    long start = System.nanoTime();
                    try {
                        if (racer.commit(List.of(Condition.absent(key)), List.of(Operation.put(key, me)))) {
                            winners.computeIfAbsent(key, x -> new CopyOnWriteArrayList<>()).add(me);
                        }
                        k++;
                    } catch (StoreOutcomeUnknownException e) {
                        unknown.add(key + " by " + me);
                        reasons.merge(e.getMessage().replaceAll(".*HTTP", "HTTP").replaceAll("[0-9]+", "N"), 1, Integer::sum);
                        k++;
                    } catch (StoreUnavailableException e) {
                        unavailable.add(e.getMessage()); // no leader yet: try the same key again
                        reasons.merge(e.getMessage().replaceAll(".*(HTTP|unavailable)", "$1").replaceAll("[0-9]+", "N"), 1, Integer::sum);
                    } catch (RuntimeException e) {
                        unexpected.add(e);
                        return;
                    }
                    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    if (millis > 3 * (TIMEOUT.toMillis() + 1000)) {
                        slowCalls.add(key + " took " + millis + "ms");
                    }
                }
            }, "racer-" + me);
            racers.add(thread);
            thread.start();
        }
        Thread.sleep(1000);
        ProcessHandle.of(Long.parseLong(Files.readString(runDir.resolve("member-" + leader + ".pid")).strip()))
                .ifPresent(ProcessHandle::destroyForcibly);
        for (Thread racer : racers) {
            racer.join(TimeUnit.SECONDS.toMillis(60));
        }
        System.out.printf("leader loss: %d keys won, %d unavailable, %d outcome unknown; reasons: %s%n",
                winners.size(), unavailable.size(), unknown.size(), reasons);
        assertThat(unexpected).isEmpty();
        assertThat(slowCalls).isEmpty();
        for (Map.Entry<String, List<String>> win : winners.entrySet()) {
            assertThat(win.getValue()).as("winners of %s", win.getKey()).hasSize(1);
            assertThat(first.get(win.getKey()).orElseThrow().value()).isEqualTo(win.getValue().get(0));
        }
        assertThat(winners).as("claims made while a new leader served").hasSizeGreaterThan(10);
        // Every key in Consul was written by a racer told it won, or told the outcome is unknown:
        // a commit reported as plainly unavailable must not have been applied.
        for (KeyValue stored : scanAll(first, prefix + "race/")) {
            String writer = stored.value();
            boolean toldWon = winners.getOrDefault(stored.key(), List.of()).contains(writer);
            boolean toldUnknown = unknown.contains(stored.key() + " by " + writer);
            assertThat(toldWon || toldUnknown).as("%s written by %s, who was told it failed", stored.key(), writer).isTrue();
        }

        run(120, "consul-cluster.sh", "restart-member", name, Integer.toString(leader));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .ignoreException(StoreUnavailableException.class).untilAsserted(() -> {
                    onLeader.ping();
                    assertThat(onLeader.get(prefix + "race/0")).isPresent();
                });
        first.commit(List.of(), List.of(Operation.deletePrefix(prefix)));
    }

    private static List<KeyValue> scanAll(ConsulKeyValueStore store, String prefix) {
        List<KeyValue> all = new ArrayList<>();
        String after = null;
        net.allocator.core.store.ScanPage page;
        do {
            page = store.scan(prefix, after, 10_000);
            all.addAll(page.entries());
            after = page.entries().isEmpty() ? after : page.entries().get(page.entries().size() - 1).key();
        } while (page.more());
        return all;
    }

    /** The member (1..3) whose agent says it is the leader. */
    private int leaderMember() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (int member = 1; member <= 3; member++) {
            HttpResponse<String> self = http.send(HttpRequest.newBuilder(URI.create(memberUrl(member) + "/v1/agent/self"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            if (self.body().replace(" ", "").contains("\"leader\":\"true\"")) {
                return member;
            }
        }
        throw new AssertionError("no member of " + name + " says it is the leader");
    }

    private void run(int timeoutSeconds, String script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", scripts.resolve(script).toString()));
        command.addAll(List.of(args));
        // Output goes to a file: the servers the script leaves running must not hold a pipe of ours.
        Path log = Files.createTempFile("consul-cluster", ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within " + timeoutSeconds + "s: " + Files.readString(log));
            }
            assertThat(process.exitValue()).as("%s: %s", String.join(" ", command), Files.readString(log)).isZero();
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
