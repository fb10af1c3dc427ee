package net.allocator.benchmarks;

import com.ecwid.consul.v1.ConsulClient;
import com.ecwid.consul.v1.ConsulRawClient;
import com.ecwid.consul.v1.Response;
import com.ecwid.consul.v1.kv.model.PutParams;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import net.allocator.core.AddressState;
import net.allocator.core.Allocator;
import net.allocator.core.Network;
import net.allocator.core.Owner;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Operation;
import net.allocator.core.store.Settings;
import net.allocator.core.store.StoreProviders;
import org.HdrHistogram.Histogram;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.config.SocketConfig;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.impl.conn.PoolingHttpClientConnectionManager;

/**
 * Allocation throughput and latency on etcd or Consul against the store's raw conditional
 * create on fresh keys, with the same client library and connection settings, at the same
 * concurrency, in the same run; then allocation cost against network size and fullness.
 *
 * <pre>
 * java -cp benchmarks.jar:allocator-etcd.jar net.allocator.benchmarks.StoreLoadDriver \
 *     --store etcd --setting etcd-endpoints=http://127.0.0.1:2379 [--callers 1,16,64] [--seconds 10] [--quick] \
 *     [--no-sizes] [--server-pid PID]
 * </pre>
 *
 * The raw baseline: etcd {@code Txn} if {@code createRevision(key) == 0} then put; Consul
 * {@code PUT ?cas=0}. Allocation: {@link Allocator#allocate} with a fresh owner per call in a
 * large network, through one allocator shared by all callers (one service instance). With
 * {@code --server-pid}, the store server's CPU time per call is reported beside this process's.
 */
public final class StoreLoadDriver {
    /** A record of the size the allocator writes for an address. */
    private static final String VALUE =
            "{\"address\":\"10.64.12.34\",\"cluster\":\"load\",\"node\":\"node-123456\",\"claimedAt\":\"2025-01-01T00:00:00.123456Z\"}";

    private StoreLoadDriver() {}

    public static void main(String[] args) throws Exception {
        StoreArguments chosen = new StoreArguments();
        List<Integer> callers = List.of(1, 16, 64);
        double seconds = 10;
        boolean quick = false;
        boolean sizes = true;
        Optional<ProcessHandle> server = Optional.empty();
        for (int i = 0; i < args.length; i++) {
            int taken = chosen.take(args, i);
            if (taken >= 0) {
                i = taken;
                continue;
            }
            switch (args[i]) {
                case "--callers" -> callers = java.util.Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--quick" -> quick = true;
                case "--no-sizes" -> sizes = false;
                case "--server-pid" -> server = ProcessHandle.of(Long.parseLong(args[++i]));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Optional<ProcessHandle> serverProcess = server;
        String storeName = chosen.store;
        Map<String, String> settings = chosen.settings;
        if (storeName == null) {
            throw new IllegalArgumentException("--store etcd|consul is required");
        }
        if (quick) {
            seconds = Math.min(seconds, 3);
        }
        String run = Long.toString(System.currentTimeMillis(), 36);
        try (KeyValueStore store = StoreProviders.named(storeName).open(Settings.of(settings));
                Raw raw = Raw.open(storeName, settings)) {
            Allocator allocator = Allocator.create(store);
            String section = storeName;
            // Warm up both paths (connections, JIT) before anything is measured.
            Network warm = allocator.register(Pools.network("v4-8", "warm-" + run));
            Load.run("warm-raw", 16, quick ? 1 : 3, (c, i) -> raw.create("bench/" + run + "/warm/" + c + "/" + i, VALUE));
            Load.run("warm-alloc", 16, quick ? 1 : 3, (c, i) -> allocator.allocate(warm.name(), new Owner("warm", c + "-" + i)));

            for (int n : callers) {
                // Raw, allocation and the raw allocation's shape take turns, a few rounds each, so
                // that the store's drift over a run (its database grows, the machine's load moves)
                // falls on all of them alike rather than on whichever came last.
                int rounds = quick ? 1 : 3;
                Network network = allocator.register(Pools.network("v4-8", "load-" + n + "-" + run));
                List<Load.Result> raws = new ArrayList<>();
                List<Load.Result> allocs = new ArrayList<>();
                List<Load.Result> shapes = new ArrayList<>();
                for (int round = 0; round < rounds; round++) {
                    String tag = n + "/" + round + "/";
                    String prefix = "bench/" + run + "/raw/" + tag;
                    raws.add(Load.run("raw", n, seconds / rounds, (c, i) -> raw.create(prefix + c + "/" + i, VALUE), serverProcess));
                    allocs.add(Load.run("alloc", n, seconds / rounds,
                            (c, i) -> allocator.allocate(network.name(), new Owner("load", tag + c + "-" + i)), serverProcess));
                    if (raw.describeShaped().isPresent()) {
                        String shaped = "bench/" + run + "/shaped/" + tag;
                        shapes.add(Load.run("shaped", n, seconds / rounds,
                                (c, i) -> raw.createShaped(shaped + "a/" + c + "/" + i, shaped + "o/" + c + "/" + i, VALUE), serverProcess));
                    }
                }
                Load.Result rawResult = Load.merged(raws);
                Load.Result allocResult = Load.merged(allocs);
                report(section, raw.describe(), rawResult);
                report(section, "allocate", allocResult);
                Figures.print(section, n + " callers: allocation ÷ raw throughput", allocResult.perSecond() / rawResult.perSecond(), "ratio");
                Figures.print(section, n + " callers: allocation p99 ÷ raw p99", allocResult.p99() / rawResult.p99(), "ratio");
                if (!shapes.isEmpty()) {
                    // The allocation's own shape, raw: tells the data layout's cost from the client's.
                    Load.Result shapedResult = Load.merged(shapes);
                    report(section, raw.describeShaped().get(), shapedResult);
                    Figures.print(section, n + " callers: allocation ÷ raw in the allocation's shape", allocResult.perSecond() / shapedResult.perSecond(), "ratio");
                    Figures.print(section, n + " callers: raw in the allocation's shape ÷ raw", shapedResult.perSecond() / rawResult.perSecond(), "ratio");
                }
            }
            if (sizes) {
                sizes(section, store, allocator, run, quick ? 1.5 : 4);
            }
            allocator.close();
        }
        System.exit(0);
    }

    private static void report(String section, String what, Load.Result r) {
        String label = r.callers() + " callers: " + what;
        Figures.print(section, label + " throughput", r.perSecond(), "ops/s");
        Figures.print(section, label + " p50", r.p50(), "ms");
        Figures.print(section, label + " p99", r.p99(), "ms");
        Figures.print(section, label + ": this process's CPU per call", r.clientCpuMicrosPerCall(), "µs");
        r.serverCpuMicrosPerCall().ifPresent(cpu -> Figures.print(section, label + ": the store server's CPU per call", cpu, "µs"));
        if (r.errors() > 0) {
            Figures.note(section, label + ": " + r.errors() + " errors, first: " + r.firstError());
        }
    }

    /**
     * One caller allocating and releasing in a /24, /20 and /16 at 0, 50 and 99 % full (filled by
     * writing address keys directly in the key layout), timing allocate and release separately;
     * each network is removed after its measurement.
     */
    private static void sizes(String section, KeyValueStore store, Allocator allocator, String run, double seconds) throws Exception {
        Map<String, Double> allocateMeans = new LinkedHashMap<>();
        for (String shape : List.of("v4-24", "v4-20", "v4-16")) {
            for (int full : List.of(0, 50, 99)) {
                Network network = allocator.register(Pools.network(shape, "size-" + shape + "-" + full + "-" + run));
                long count = Pools.size(network) * full / 100;
                long started = System.nanoTime();
                fillAddressKeys(store, network, count);
                double fillSeconds = (System.nanoTime() - started) / 1e9;
                Owner owner = new Owner("size", "probe");
                allocator.release(network.name(), allocator.allocate(network.name(), owner).address());
                Histogram allocations = Load.latencyHistogram();
                Histogram releases = Load.latencyHistogram();
                long end = System.nanoTime() + (long) (seconds * 1e9);
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    AddressState state = allocator.allocate(network.name(), owner);
                    long t1 = System.nanoTime();
                    allocator.release(network.name(), state.address());
                    long t2 = System.nanoTime();
                    allocations.recordValue(t1 - t0);
                    releases.recordValue(t2 - t1);
                }
                String label = shape.replace("v4-", "/") + " " + full + " % full";
                Figures.print(section, label + ": allocate p50", Load.percentileMillis(allocations, 50), "ms");
                Figures.print(section, label + ": allocate mean", Load.meanMillis(allocations), "ms");
                Figures.print(section, label + ": allocate p99", Load.percentileMillis(allocations, 99), "ms");
                Figures.print(section, label + ": release mean", Load.meanMillis(releases), "ms");
                if (count > 0) {
                    Figures.note(section, String.format(Locale.ROOT, "%s: filled %,d address keys in %.1f s", label, count, fillSeconds));
                }
                allocateMeans.put(shape + "/" + full, Load.percentileMillis(allocations, 50));
                // Each shape is measured alone: the keys and change feeds of the ones before would
                // otherwise make the store and the service busier for every later, larger network.
                allocator.remove(network.name(), true);
            }
        }
        Figures.print(section, "allocate p50 on /16 at 99 % ÷ /24 at 0 % (target ≤ 1.25)",
                allocateMeans.get("v4-16/99") / allocateMeans.get("v4-24/0"), "ratio");
    }

    /** Writes address keys of the key layout directly, 64 per commit (Consul's transaction limit). */
    private static void fillAddressKeys(KeyValueStore store, Network network, long count) {
        String prefix = Pools.PREFIX + "/addresses/" + network.name() + "/";
        Pools.PoolCursor cursor = new Pools.PoolCursor(network);
        List<Operation> batch = new ArrayList<>(64);
        for (long i = 0; i < count; i++) {
            batch.add(Operation.put(prefix + net.allocator.core.IpAddresses.toKey(cursor.numberAt(i), false), VALUE));
            if (batch.size() == 64) {
                store.commit(List.of(), batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            store.commit(List.of(), batch);
        }
    }

    /** The store's raw conditional create on a fresh key, through the store's client library. */
    private interface Raw extends AutoCloseable {
        void create(String key, String value) throws Exception;

        String describe();

        /**
         * A raw write in the allocation's shape (two fresh keys, the same value, and a third
         * key's version checked); only where the client library has transactions.
         */
        default void createShaped(String key, String otherKey, String value) throws Exception {
            throw new UnsupportedOperationException();
        }

        default java.util.Optional<String> describeShaped() {
            return java.util.Optional.empty();
        }

        @Override
        void close();

        static Raw open(String store, Map<String, String> settings) {
            return switch (store) {
                case "etcd" -> new EtcdRaw(settings.getOrDefault("etcd-endpoints", "http://127.0.0.1:2379"));
                case "consul" -> new ConsulRaw(URI.create(settings.getOrDefault("consul-url", "http://127.0.0.1:8500")));
                default -> throw new IllegalArgumentException("no raw baseline for store " + store);
            };
        }
    }

    /** jetcd {@code Txn}: if createRevision(key) == 0 then put; the etcd store's client settings. */
    private static final class EtcdRaw implements Raw {
        private final Client client;
        private final KV kv;

        EtcdRaw(String endpoints) {
            client = Client.builder()
                    .endpoints(java.util.Arrays.stream(endpoints.split(",")).map(String::strip).map(URI::create).toArray(URI[]::new))
                    .connectTimeout(Duration.ofSeconds(2))
                    .waitForReady(false)
                    .retryMaxDuration(Duration.ofSeconds(5))
                    .build();
            kv = client.getKVClient();
        }

        @Override
        public void create(String key, String value) throws Exception {
            ByteSequence k = ByteSequence.from(key, StandardCharsets.UTF_8);
            TxnResponse response = kv.txn()
                    .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                    .Then(Op.put(k, ByteSequence.from(value, StandardCharsets.UTF_8), PutOption.DEFAULT))
                    .commit()
                    .get(5, TimeUnit.SECONDS);
            if (!response.isSucceeded()) {
                throw new AssertionError("raw create of a fresh key did not apply: " + key);
            }
        }

        @Override
        public String describe() {
            return "raw Txn(createRevision==0 → put)";
        }

        private volatile long fixedVersion;
        private final ByteSequence fixedKey = ByteSequence.from("bench/shaped-fixed", StandardCharsets.UTF_8);

        @Override
        public void createShaped(String key, String otherKey, String value) throws Exception {
            if (fixedVersion == 0) {
                synchronized (this) {
                    if (fixedVersion == 0) {
                        fixedVersion = kv.put(fixedKey, ByteSequence.from("x", StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS)
                                .getHeader().getRevision();
                    }
                }
            }
            ByteSequence k = ByteSequence.from(key, StandardCharsets.UTF_8);
            ByteSequence o = ByteSequence.from(otherKey, StandardCharsets.UTF_8);
            ByteSequence v = ByteSequence.from(value, StandardCharsets.UTF_8);
            TxnResponse response = kv.txn()
                    .If(new Cmp(fixedKey, Cmp.Op.EQUAL, CmpTarget.modRevision(fixedVersion)),
                            new Cmp(o, Cmp.Op.EQUAL, CmpTarget.createRevision(0)),
                            new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                    .Then(Op.put(k, v, PutOption.DEFAULT), Op.put(o, v, PutOption.DEFAULT))
                    .commit()
                    .get(5, TimeUnit.SECONDS);
            if (!response.isSucceeded()) {
                throw new AssertionError("raw shaped create of fresh keys did not apply: " + key);
            }
        }

        @Override
        public java.util.Optional<String> describeShaped() {
            return java.util.Optional.of("raw Txn in the allocation's shape (3 compares → 2 puts)");
        }

        @Override
        public void close() {
            client.close();
        }
    }

    /** consul-api {@code PUT ?cas=0} over an HttpClient configured as the Consul store's. */
    private static final class ConsulRaw implements Raw {
        private final CloseableHttpClient http;
        private final ConsulClient consul;
        private final PutParams createOnly = new PutParams();

        ConsulRaw(URI url) {
            PoolingHttpClientConnectionManager connections = new PoolingHttpClientConnectionManager();
            connections.setMaxTotal(32);
            connections.setDefaultMaxPerRoute(32);
            connections.setDefaultSocketConfig(SocketConfig.custom().setSoTimeout(5000).setTcpNoDelay(true).build());
            http = HttpClients.custom()
                    .setConnectionManager(connections)
                    .setDefaultRequestConfig(RequestConfig.custom().setConnectTimeout(2000)
                            .setConnectionRequestTimeout(5000).setSocketTimeout(5000).build())
                    .setUserAgent("allocator-benchmarks")
                    .disableCookieManagement()
                    .disableRedirectHandling()
                    .build();
            int port = url.getPort() != -1 ? url.getPort() : 8500;
            consul = new ConsulClient(new ConsulRawClient(http, url.getScheme() + "://" + url.getHost(), port, ""));
            createOnly.setCas(0L);
        }

        @Override
        public void create(String key, String value) {
            Response<Boolean> response = consul.setKVValue(key, value, createOnly);
            if (!Boolean.TRUE.equals(response.getValue())) {
                throw new AssertionError("raw PUT ?cas=0 of a fresh key did not apply: " + key);
            }
        }

        @Override
        public String describe() {
            return "raw PUT ?cas=0";
        }

        @Override
        public void close() {
            try {
                http.close();
            } catch (java.io.IOException e) {
                // closing at exit
            }
        }
    }
}
