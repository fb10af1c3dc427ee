package net.allocator.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import net.allocator.core.Allocator;
import net.allocator.core.AllocatorOptions;
import net.allocator.core.Network;
import net.allocator.core.Owner;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Settings;
import net.allocator.core.store.StoreProviders;
import org.HdrHistogram.Histogram;

/**
 * Allocations per second and latency on the sqlite store (through {@link Allocator}, so with group
 * commit) at several caller counts, against, in the same run on the same disk, the naive design:
 * one SQLite {@code INSERT} per fsync'd transaction (WAL, {@code synchronous=FULL}, the store's
 * table), callers taking turns on one connection; and, given an endpoint, the etcd store.
 *
 * <pre>
 * java -cp benchmarks.jar net.allocator.benchmarks.SqliteGroupCommitDriver --dir DIR \
 *     [--callers 1,16,64] [--seconds 9] [--etcd http://127.0.0.1:2379] [--quick]
 * </pre>
 *
 * Each caller count runs the three in turns, three rounds each (one with {@code --quick}), so
 * that drift over the run falls on all alike. Every allocation has a fresh owner in a /12. At 1
 * caller a fourth load takes its turn: an allocation's statements written by hand on the raw
 * connection, which splits the single-caller gap into the allocation's shape and the store's
 * overhead; and, before the loads, the WAL frames (pages) each call writes are counted.
 */
public final class SqliteGroupCommitDriver {
    private static final String SECTION = "sqlite";
    /** A record of the size the allocator writes for an address. */
    private static final String VALUE =
            "{\"address\":\"10.64.12.34\",\"cluster\":\"load\",\"node\":\"node-123456\",\"claimedAt\":\"2025-01-01T00:00:00.123456Z\"}";

    /**
     * What an allocation asks of SQLite, written by hand: the store's overhead is what the sqlite
     * allocation costs beyond it, the allocation's shape (two keys, three conditions) what it costs
     * beyond one INSERT. Measured at 1 caller, where issue 17 sets a latency target.
     */
    private static final String ALLOCATION_ROWS = "raw SQLite: an allocation's 3 reads and 2 INSERTs per fsync'd transaction";

    /** Calls whose WAL frames are counted. */
    private static final int COUNTED_CALLS = 150;

    private SqliteGroupCommitDriver() {}

    /** One timed call of a load. */
    @FunctionalInterface
    private interface Call {
        void run(int caller, long index) throws Exception;
    }

    /** What one load measured: calls per second and their latencies. */
    private record Result(int callers, long calls, double seconds, Histogram latencies, long errors, String firstError) {
        double perSecond() {
            return calls / seconds;
        }

        double millis(double percentile) {
            return latencies.getValueAtPercentile(percentile) / 1e6;
        }
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of("target", "benchmarks", "sqlite");
        List<Integer> callers = List.of(1, 16, 64);
        double seconds = 9;
        int rounds = 3;
        Optional<String> etcd = Optional.ofNullable(System.getenv("ALLOCATOR_TEST_ETCD_ENDPOINTS")).filter(s -> !s.isBlank());
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[++i]);
                case "--callers" -> callers = java.util.Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--etcd" -> etcd = Optional.of(args[++i]);
                case "--quick" -> {
                    seconds = 3;
                    rounds = 1;
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Files.createDirectories(dir);
        String run = Long.toString(System.currentTimeMillis(), 36);
        Figures.note(SECTION, "database files in " + dir.toAbsolutePath() + ("; etcd at " + etcd.orElse("none (no endpoint given)")));

        try (Raw raw = new Raw(dir.resolve("raw-" + run + ".db"));
                KeyValueStore sqlite = StoreProviders.named("sqlite").open(Settings.of(
                        Map.of("sqlite-path", dir.resolve("store-" + run + ".db").toString())));
                Allocator onSqlite = Allocator.create(sqlite);
                StoreAndAllocator onEtcd = StoreAndAllocator.etcd(etcd, run)) {
            Network network = onSqlite.register(network("load-" + run));
            onEtcd.allocator().ifPresent(a -> a.register(network));
            // warm up every path (JIT, connections, files) before anything is measured
            load(16, 2, (c, i) -> raw.insert("warm/" + c + "/" + i));
            load(16, 2, (c, i) -> onSqlite.allocate(network.name(), new Owner("warm", c + "-" + i)));
            if (onEtcd.allocator().isPresent()) {
                Allocator a = onEtcd.allocator().get();
                load(16, 2, (c, i) -> a.allocate(network.name(), new Owner("warm", c + "-" + i)));
            }
            // Pages written per call, counted: unlike the timings, not moved by the machine's load.
            Path rawFile = dir.resolve("raw-" + run + ".db");
            Path storeFile = dir.resolve("store-" + run + ".db");
            walFramesPerCall(rawFile, "raw SQLite: one INSERT per fsync'd transaction", (c, i) -> raw.insert("count/" + i));
            walFramesPerCall(storeFile, "allocate on the sqlite store",
                    (c, i) -> onSqlite.allocate(network.name(), new Owner("count", Long.toString(i))));
            Result rawAtOne = null;
            Result storeAtOne = null;
            for (int n : callers) {
                List<Result> raws = new ArrayList<>();
                List<Result> stores = new ArrayList<>();
                List<Result> etcds = new ArrayList<>();
                List<Result> rawAllocationRows = new ArrayList<>();
                for (int round = 0; round < rounds; round++) {
                    String tag = n + "/" + round + "/";
                    raws.add(load(n, seconds / rounds, (c, i) -> raw.insert(tag + c + "/" + i)));
                    stores.add(load(n, seconds / rounds, (c, i) -> onSqlite.allocate(network.name(), new Owner("load", tag + c + "-" + i))));
                    if (n == 1) {
                        rawAllocationRows.add(load(n, seconds / rounds, (c, i) -> raw.allocationRows(tag + i)));
                    }
                    if (onEtcd.allocator().isPresent()) {
                        Allocator a = onEtcd.allocator().get();
                        etcds.add(load(n, seconds / rounds, (c, i) -> a.allocate(network.name(), new Owner("load", tag + c + "-" + i))));
                    }
                }
                String label = n + (n == 1 ? " caller: " : " callers: ");
                Result rawResult = merged(raws);
                Result storeResult = merged(stores);
                report("raw SQLite: one INSERT per fsync'd transaction", rawResult);
                report("allocate on the sqlite store", storeResult);
                Figures.print(SECTION, label + "sqlite allocation ÷ raw throughput", storeResult.perSecond() / rawResult.perSecond(), "ratio");
                if (!etcds.isEmpty()) {
                    Result etcdResult = merged(etcds);
                    report("allocate on the etcd store", etcdResult);
                    Figures.print(SECTION, label + "sqlite allocation ÷ etcd allocation throughput",
                            storeResult.perSecond() / etcdResult.perSecond(), "ratio");
                }
                if (n == 1) {
                    Result rows = merged(rawAllocationRows);
                    report(ALLOCATION_ROWS, rows);
                    Figures.print(SECTION, label + "sqlite allocation p50 ÷ " + ALLOCATION_ROWS + " p50",
                            storeResult.millis(50) / rows.millis(50), "ratio");
                    rawAtOne = rawResult;
                    storeAtOne = storeResult;
                }
            }
            if (rawAtOne != null) {
                Figures.print(SECTION, "1 caller: sqlite allocation p50 ÷ raw p50", storeAtOne.millis(50) / rawAtOne.millis(50), "ratio");
                Figures.print(SECTION, "1 caller: sqlite allocation p99 ÷ raw p99", storeAtOne.millis(99) / rawAtOne.millis(99), "ratio");
            }
        }
        System.exit(0);
    }

    private static Network network(String name) {
        return Network.builder().name(name).description("group commit load").bridge("br0").network("10.16.0.0")
                .netmask("12").gateway("10.16.0.1").addresses(List.of("10.16.0.2-10.31.255.254")).build();
    }

    private static void report(String what, Result r) {
        String label = r.callers() + (r.callers() == 1 ? " caller: " : " callers: ") + what;
        Figures.print(SECTION, label + " throughput", r.perSecond(), "ops/s");
        Figures.print(SECTION, label + " p50", r.millis(50), "ms");
        Figures.print(SECTION, label + " p99", r.millis(99), "ms");
        if (r.errors() > 0) {
            Figures.note(SECTION, label + ": " + r.errors() + " errors, first: " + r.firstError());
        }
    }

    /**
     * Prints how many WAL frames (one database page each) one call of {@code call} appends to the
     * WAL of {@code database}, by one caller: the WAL is emptied with a truncating checkpoint, then
     * grows by a 32-byte header and a (24 + page size)-byte frame per page a commit writes. {@value
     * #COUNTED_CALLS} calls stay below SQLite's automatic checkpoint (1,000 frames), which would
     * start the WAL over.
     */
    private static void walFramesPerCall(Path database, String what, Call call) throws Exception {
        Path wal = database.resolveSibling(database.getFileName() + "-wal");
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
                Statement statement = connection.createStatement()) {
            int pageSize;
            try (ResultSet row = statement.executeQuery("PRAGMA page_size")) {
                row.next();
                pageSize = row.getInt(1);
            }
            try (ResultSet row = statement.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
                row.next();
                if (row.getInt(1) != 0 || Files.size(wal) != 0) {
                    Figures.note(SECTION, "WAL of " + database.getFileName() + " not emptied (checkpoint busy): frames not counted");
                    return;
                }
            }
            for (int i = 0; i < COUNTED_CALLS; i++) {
                call.run(0, i);
            }
            long frames = (Files.size(wal) - 32) / (24 + pageSize);
            Figures.print(SECTION, "1 caller: " + what + ": WAL frames (pages) written per call", (double) frames / COUNTED_CALLS,
                    "frames");
        }
    }

    /** Runs {@code call} on {@code callers} threads for {@code seconds}, each recording into its own histogram. */
    private static Result load(int callers, double seconds, Call call) throws InterruptedException {
        List<Histogram> histograms = new ArrayList<>();
        AtomicLong calls = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        long[] window = new long[2];
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            Histogram histogram = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
            histograms.add(histogram);
            int caller = c;
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                long end = window[1];
                for (long i = 0; ; i++) {
                    long t0 = System.nanoTime();
                    if (t0 >= end) {
                        return;
                    }
                    try {
                        call.run(caller, i);
                        histogram.recordValue(Math.min(System.nanoTime() - t0, histogram.getHighestTrackableValue()));
                        calls.incrementAndGet();
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        firstError.compareAndSet(null, e.toString());
                    }
                }
            }, "caller-" + c);
            thread.start();
            threads.add(thread);
        }
        window[0] = System.nanoTime();
        window[1] = window[0] + (long) (seconds * 1e9);
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        double elapsed = (System.nanoTime() - window[0]) / 1e9;
        Histogram all = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
        histograms.forEach(all::add);
        return new Result(callers, calls.get(), elapsed, all, errors.get(), firstError.get());
    }

    private static Result merged(List<Result> results) {
        Histogram all = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
        long calls = 0;
        double seconds = 0;
        long errors = 0;
        String firstError = null;
        for (Result r : results) {
            all.add(r.latencies());
            calls += r.calls();
            seconds += r.seconds();
            errors += r.errors();
            firstError = firstError != null ? firstError : r.firstError();
        }
        return new Result(results.get(0).callers(), calls, seconds, all, errors, firstError);
    }

    /** The naive design: each INSERT its own fsync'd transaction, on one connection that callers take turns on. */
    private static final class Raw implements AutoCloseable {
        private final Connection connection;
        private static final String NETWORK_KEY = "n/load";
        private final PreparedStatement insert;
        private final PreparedStatement read;
        private final PreparedStatement begin;
        private final PreparedStatement commit;
        private final PreparedStatement rollback;

        Raw(Path file) throws SQLException {
            connection = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA journal_mode = WAL");
                statement.execute("PRAGMA synchronous = FULL");
                statement.execute("CREATE TABLE kv (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL,"
                        + " version INTEGER NOT NULL) WITHOUT ROWID");
            }
            insert = connection.prepareStatement("INSERT INTO kv (key, value, version) VALUES (?, ?, 1)");
            insert.setString(1, NETWORK_KEY);
            insert.setString(2, VALUE);
            insert.executeUpdate();
            read = connection.prepareStatement("SELECT version FROM kv WHERE key = ?");
            begin = connection.prepareStatement("BEGIN IMMEDIATE");
            commit = connection.prepareStatement("COMMIT");
            rollback = connection.prepareStatement("ROLLBACK");
        }

        /**
         * The allocation's statements without the store: {@code BEGIN IMMEDIATE}, three point reads
         * (the network record and the two keys, as its conditions), an address row and an owner row.
         */
        synchronized void allocationRows(String name) throws SQLException {
            begin.execute();
            try {
                for (String key : List.of(NETWORK_KEY, "a/" + name, "o/" + name)) {
                    read.setString(1, key);
                    try (ResultSet row = read.executeQuery()) {
                        row.next();
                    }
                }
                for (String key : List.of("a/" + name, "o/" + name)) {
                    insert.setString(1, key);
                    insert.setString(2, VALUE);
                    insert.executeUpdate();
                }
                commit.execute();
            } catch (SQLException e) {
                rollback.execute();
                throw e;
            }
        }

        synchronized void insert(String key) throws SQLException {
            insert.setString(1, key);
            insert.setString(2, VALUE);
            insert.executeUpdate();
        }

        @Override
        public void close() throws SQLException {
            connection.close();
        }
    }

    /** The etcd store and an allocator on it, when an endpoint is given. */
    private record StoreAndAllocator(Optional<KeyValueStore> store, Optional<Allocator> allocator) implements AutoCloseable {
        static StoreAndAllocator etcd(Optional<String> endpoints, String run) {
            if (endpoints.isEmpty()) {
                return new StoreAndAllocator(Optional.empty(), Optional.empty());
            }
            KeyValueStore store = StoreProviders.named("etcd").open(Settings.of(Map.of("etcd-endpoints", endpoints.get())));
            return new StoreAndAllocator(Optional.of(store),
                    Optional.of(Allocator.create(store, AllocatorOptions.defaults().withKeyPrefix("bench-sqlite-" + run))));
        }

        @Override
        public void close() {
            allocator.ifPresent(Allocator::close);
            store.ifPresent(KeyValueStore::close);
        }
    }
}
