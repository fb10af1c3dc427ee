package net.allocator.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.maintenance.StatusResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * The store against a private three-member etcd cluster ({@code scripts/etcd-cluster.sh}): every
 * member serves linearizable reads, and killing the leader in the middle of racing creates never
 * lets a key be won twice, nor makes a commit report anything but what happened.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EtcdClusterTest {
    private String name;
    private String endpoints;
    private final List<EtcdKeyValueStore> stores = new CopyOnWriteArrayList<>();

    /** What one commit reported. */
    enum Outcome { WON, LOST, UNAVAILABLE, UNKNOWN }

    @BeforeAll
    void startCluster() throws Exception {
        EtcdTestServer.scripts();
        name = "etcd-ct" + ProcessHandle.current().pid();
        endpoints = EtcdTestServer.runScript(120, "etcd-cluster.sh", "start", name);
    }

    @AfterAll
    void stopCluster() throws Exception {
        stores.forEach(EtcdKeyValueStore::close);
        if (name != null) {
            EtcdTestServer.runScript(60, "etcd-cluster.sh", "stop", name);
        }
    }

    private EtcdKeyValueStore open(String endpoints) {
        return open(endpoints, "3s");
    }

    private EtcdKeyValueStore open(String endpoints, String timeout) {
        EtcdKeyValueStore store = new EtcdKeyValueStore(EtcdTestServer.config(
                EtcdConfig.ENDPOINTS, endpoints, EtcdConfig.TIMEOUT, timeout, EtcdConfig.CONNECT_TIMEOUT, "500ms"));
        stores.add(store);
        return store;
    }

    private String memberUrl(int member) throws Exception {
        return Files.readString(EtcdTestServer.runDir(name).resolve("member-" + member + ".url")).strip();
    }

    private int leader() throws Exception {
        try (Client admin = Client.builder().endpoints(endpoints.split(",")).build()) {
            for (int member = 1; member <= 3; member++) {
                StatusResponse status = admin.getMaintenanceClient().statusMember(memberUrl(member)).get(5, TimeUnit.SECONDS);
                if (status.getLeader() == status.getHeader().getMemberId()) {
                    return member;
                }
            }
        }
        throw new AssertionError("no member of " + endpoints + " is the leader");
    }

    private static void awaitAnswer(EtcdKeyValueStore store) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .ignoreException(StoreUnavailableException.class).untilAsserted(store::ping);
    }

    @Test
    @DisplayName("a commit acknowledged through one member is read at once through each other member")
    void linearizableOnEveryMember() throws Exception {
        // no fault here: a generous timeout, so that a loaded CI machine is not mistaken for one
        List<EtcdKeyValueStore> perMember = List.of(open(memberUrl(1), "15s"), open(memberUrl(2), "15s"), open(memberUrl(3), "15s"));
        String key = "linearizable/x"; // the cluster is this class's own: no other test writes to it
        for (int i = 0; i < 30; i++) {
            perMember.get(i % 3).commit(List.of(), List.of(Operation.put(key, Integer.toString(i))));
            for (EtcdKeyValueStore reader : perMember) {
                assertThat(reader.get(key).map(KeyValue::value)).contains(Integer.toString(i));
            }
        }
        perMember.get(0).commit(List.of(), List.of(Operation.delete(key)));
    }

    @Test
    @DisplayName("killing the leader during racing creates: no key is won twice, and every outcome tells the truth")
    void leaderLoss() throws Exception {
        String prefix = "leaderLoss/"; // the cluster is this class's own: no other test writes to it
        List<EtcdKeyValueStore> clients = List.of(open(endpoints), open(endpoints), open(endpoints));
        Map<String, Map<String, Outcome>> outcomes = new ConcurrentHashMap<>();
        List<Throwable> surprises = new CopyOnWriteArrayList<>();
        int threadsPerClient = 3;
        long runNanos = Duration.ofSeconds(8).toNanos();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(clients.size() * threadsPerClient);
        int killed = leader();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients.size(); c++) {
                for (int t = 0; t < threadsPerClient; t++) {
                    EtcdKeyValueStore client = clients.get(c);
                    String me = "client" + c + "-thread" + t;
                    done.add(pool.submit(() -> {
                        start.await();
                        long end = System.nanoTime() + runNanos;
                        for (int k = 0; System.nanoTime() < end; k++) {
                            String key = prefix + String.format("%06d", k);
                            Outcome outcome;
                            try {
                                outcome = client.commit(List.of(Condition.absent(key)), List.of(Operation.put(key, me))) ? Outcome.WON : Outcome.LOST;
                            } catch (StoreOutcomeUnknownException e) {
                                outcome = Outcome.UNKNOWN;
                            } catch (StoreUnavailableException e) {
                                outcome = Outcome.UNAVAILABLE;
                            } catch (RuntimeException e) {
                                surprises.add(e);
                                continue;
                            }
                            outcomes.computeIfAbsent(key, x -> new ConcurrentHashMap<>()).put(me, outcome);
                        }
                        return null;
                    }));
                }
            }
            start.countDown();
            Thread.sleep(2000);
            long pid = Long.parseLong(Files.readString(EtcdTestServer.runDir(name).resolve("member-" + killed + ".pid")).strip());
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        // With the new leader in charge, every entry that survived the election is committed.
        EtcdKeyValueStore reader = clients.get(0);
        awaitAnswer(reader);
        Map<Outcome, Integer> counts = new EnumMap<>(Outcome.class);
        List<String> violations = new ArrayList<>();
        for (Map.Entry<String, Map<String, Outcome>> entry : outcomes.entrySet()) {
            String key = entry.getKey();
            Map<String, Outcome> byWriter = entry.getValue();
            byWriter.values().forEach(o -> counts.merge(o, 1, Integer::sum));
            Optional<String> holder = reader.get(key).map(KeyValue::value);
            List<String> winners = byWriter.entrySet().stream().filter(e -> e.getValue() == Outcome.WON).map(Map.Entry::getKey).toList();
            if (winners.size() > 1) {
                violations.add(key + " won by " + winners);
            }
            if (!winners.isEmpty() && !holder.equals(Optional.of(winners.get(0)))) {
                violations.add(key + " won by " + winners.get(0) + " but holds " + holder);
            }
            if (holder.isPresent() && byWriter.containsKey(holder.get())) {
                Outcome told = byWriter.get(holder.get());
                if (told != Outcome.WON && told != Outcome.UNKNOWN) {
                    violations.add(key + " holds " + holder.get() + ", who was told " + told);
                }
            }
        }
        System.out.printf("killed leader member %d; %d keys; outcomes %s%n", killed, outcomes.size(), counts);
        assertThat(surprises).isEmpty();
        assertThat(violations).isEmpty();
        assertThat(counts.getOrDefault(Outcome.WON, 0)).isPositive();

        EtcdTestServer.runScript(120, "etcd-cluster.sh", "restart-member", name, Integer.toString(killed));
        EtcdKeyValueStore onRestarted = open(memberUrl(killed));
        awaitAnswer(onRestarted);
        assertThat(onRestarted.scan(prefix, null, 1).entries()).isNotEmpty();
        reader.commit(List.of(), List.of(Operation.deletePrefix(prefix)));
    }
}
