package net.allocator.consul;

import static java.util.Objects.requireNonNull;

import java.lang.ref.SoftReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import net.allocator.core.StoreUnavailableException;
import net.allocator.core.store.ChangeListener;
import net.allocator.core.store.CommitSizeLimit;
import net.allocator.core.store.Condition;
import net.allocator.core.store.KeyOrder;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Operation;
import net.allocator.core.store.ScanPage;

/**
 * The allocator's store over Consul's KV HTTP API.
 *
 * <ul>
 *   <li>Every read is {@code ?consistent}: Consul's default mode may answer from a leader that
 *       has just lost its leadership, which would let an allocator miss a fresh claim.
 *   <li>A key's {@link KeyValue#version() version} is its {@code ModifyIndex}; a {@link
 *       ScanPage#revision() revision} is the {@code X-Consul-Index} of the read.
 *   <li>{@link #commit} is one {@code /v1/txn} ({@code check-not-exists}, {@code check-index},
 *       then {@code set}, {@code delete}, {@code delete-tree}), at most 64 conditions and
 *       operations together; a single put conditioned on its own key is a {@code PUT ?cas=}.
 *   <li>{@link #scan} reads the whole prefix and pages it here, since Consul's KV has no range
 *       reads: a scan costs the size of the prefix, not of the page.
 *   <li>{@link #watch} follows a prefix with blocking queries on a daemon thread of its own.
 * </ul>
 *
 * <p>Every call waits at most about {@link ConsulConfig#connectTimeout()} plus {@link
 * ConsulConfig#timeout()}, and fails with {@link StoreUnavailableException} naming the call and
 * the URL; once Consul is back, the same instance works again.
 *
 * <p>Thread-safe.
 */
public final class ConsulKeyValueStore implements KeyValueStore {

    /** Byte order of the keys' UTF-8, which is the order of their code points. */
    static final Comparator<String> KEY_ORDER = KeyOrder::compare;

    private final ConsulConfig config;
    private final ConsulHttp http;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Set<ConsulWatch> watches = ConcurrentHashMap.newKeySet();

    /**
     * The latest first page's read of a few recently scanned prefixes. A watch from that read's
     * revision (the allocator scans, then follows) starts from exactly that state instead of
     * reading the prefix again: no second full read, and changes made between the scan and the
     * watch are reported instead of ending the feed. Soft, so memory pressure may drop them.
     */
    private final Map<String, SoftReference<Snapshot>> scanned = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SoftReference<Snapshot>> eldest) {
            return size() > 8;
        }
    };

    /**
     * Opens a store; needs no reachable Consul yet.
     *
     * @throws net.allocator.core.InvalidInputException for a malformed setting
     */
    public ConsulKeyValueStore(ConsulConfig config) {
        requireNonNull(config, "config").validate();
        this.config = config;
        this.http = ConsulHttp.open(config, config.timeout());
    }

    @Override
    public Optional<KeyValue> get(String key) {
        requireNonNull(key, "key");
        checkOpen();
        String what = "get of " + key;
        ConsulHttp.Answer answer = http.get(what, "/v1/kv/" + ConsulHttp.pathOf(key), List.of("consistent"));
        if (answer.status() == 404) {
            return Optional.empty();
        }
        if (!answer.ok()) {
            throw http.failure(what, answer);
        }
        return ConsulJson.entries(answer.body(), http.baseUrl()).stream().filter(e -> e.key().equals(key)).findFirst();
    }

    /** Consul has no range reads: every page costs a read of the whole prefix, so take it at once. */
    @Override
    public int preferredScanLimit() {
        return Integer.MAX_VALUE;
    }

    @Override
    public ScanPage scan(String prefix, String startAfter, int limit) {
        requireNonNull(prefix, "prefix");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        checkOpen();
        Snapshot all = read(http, prefix, List.of());
        if (startAfter == null) {
            synchronized (scanned) {
                scanned.put(prefix, new SoftReference<>(all));
            }
        }
        List<KeyValue> page = new ArrayList<>(Math.min(limit, all.entries().size()));
        boolean more = false;
        for (KeyValue entry : all.entries()) {
            if (startAfter != null && KeyOrder.compare(entry.key(), startAfter) <= 0) {
                continue;
            }
            if (page.size() == limit) {
                more = true;
                break;
            }
            page.add(entry);
        }
        return new ScanPage(page, more, all.index());
    }

    /** Consul counts a {@code /v1/txn}'s checks and writes together, at most 64. */
    @Override
    public CommitSizeLimit commitSizeLimit() {
        return CommitSizeLimit.together(ConsulJson.MAX_TXN_OPS);
    }

    /**
     * Consul cannot count without listing, so a consistent read of the key names only ({@code
     * ?keys}): a few dozen bytes a key rather than its record.
     */
    @Override
    public long count(String prefix) {
        requireNonNull(prefix, "prefix");
        checkOpen();
        return readKeys(http, prefix, List.of()).entries().size();
    }

    @Override
    public boolean commit(List<Condition> conditions, List<Operation> operations) {
        List<Condition> checks = List.copyOf(requireNonNull(conditions, "conditions"));
        List<Operation> writes = List.copyOf(requireNonNull(operations, "operations"));
        if (checks.size() + writes.size() > ConsulJson.MAX_TXN_OPS) {
            throw new IllegalArgumentException("Consul applies at most " + ConsulJson.MAX_TXN_OPS
                    + " conditions and operations in one transaction, not " + (checks.size() + writes.size()));
        }
        checkOpen();
        if (checks.isEmpty() && writes.isEmpty()) {
            return true;
        }
        if (checks.size() == 1 && writes.size() == 1 && writes.get(0) instanceof Operation.Put put && checks.get(0).key().equals(put.key())) {
            return casPut(checks.get(0), put);
        }
        return transaction(checks, writes);
    }

    /**
     * The allocator's hottest write, claiming one address, as a plain {@code PUT ?cas=}: no JSON,
     * no base64. {@code cas=0} creates only a missing key; {@code cas=N} sets only a key whose
     * ModifyIndex is N, and never creates one.
     */
    private boolean casPut(Condition condition, Operation.Put put) {
        long cas = condition instanceof Condition.AtVersion atVersion ? atVersion.version() : 0;
        String what = "conditional put of " + put.key();
        ConsulHttp.Answer answer = http.put(what, "/v1/kv/" + ConsulHttp.pathOf(put.key()), put.value(), List.of("cas=" + cas));
        if (!answer.ok()) {
            throw http.writeFailure(what, answer);
        }
        String body = answer.body() == null ? "" : answer.body().strip();
        if (body.equals("true")) {
            return true;
        }
        if (body.equals("false")) {
            return false;
        }
        throw new StoreUnavailableException("Consul at " + http.baseUrl() + " answered " + what + " with neither true nor false: " + ConsulJson.abbreviate(body));
    }

    private boolean transaction(List<Condition> checks, List<Operation> writes) {
        String what = "transaction of " + describe(checks, writes);
        ConsulHttp.Answer answer = http.put(what, "/v1/txn", ConsulJson.transaction(checks, writes), List.of());
        if (answer.ok()) {
            return true;
        }
        if (answer.status() != 409) {
            throw http.writeFailure(what, answer);
        }
        // 409: rolled back. Only failed checks mean "a condition did not hold"; anything else
        // (permission denied, a malformed operation) is an error, even next to a failed check.
        List<ConsulJson.TxnError> errors = ConsulJson.errors(answer.body(), http.baseUrl());
        List<String> unexpected = new ArrayList<>();
        for (ConsulJson.TxnError error : errors) {
            int i = error.opIndex();
            boolean failedCheck = i >= 0 && i < checks.size() && ConsulJson.isFailedCheck(error, checks.get(i));
            if (!failedCheck) {
                unexpected.add("operation " + i + ": " + error.what());
            }
        }
        if (errors.isEmpty() || !unexpected.isEmpty()) {
            throw new StoreUnavailableException("Consul at " + http.baseUrl() + " rejected the " + what + ": "
                    + (unexpected.isEmpty() ? ConsulJson.abbreviate(answer.body()) : String.join("; ", unexpected)));
        }
        return false;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The feed reads the whole prefix at most once per {@link ConsulConfig#watchInterval()},
     * blocking in Consul until something under it changes, and reports the keys whose
     * ModifyIndex changed ({@code onPut}, revision = ModifyIndex) or that disappeared ({@code
     * onDelete}, revision = the read's X-Consul-Index). Several changes of one key within one
     * interval arrive as its latest state. For a listener that {@linkplain
     * ChangeListener#wantsValues() wants no values} (the allocator's), each read fetches only the
     * key names ({@code ?keys}) and reports the keys that appeared (empty value, revision = the
     * read's index) or disappeared: some 40 bytes a key instead of the whole record, which on a
     * busy prefix of thousands of keys is most of the feed's cost to Consul and to this client.
     *
     * <p>Consul keeps no history a watch could replay, so the feed compares with the prefix's
     * state at {@code afterRevision}: the one this store's latest scan of the prefix (its first
     * page) read, when {@code afterRevision} is that scan's revision. Otherwise it reads the
     * prefix now, and if it already changed after {@code afterRevision}, reports the changed keys
     * and then {@link ChangeListener#onReset}, since deletions cannot be told. An
     * index going back with changed keys (Consul restarted without its data, or restored a
     * snapshot) also ends the feed with {@code onReset}; going back with the keys unchanged is
     * Consul reaping old tombstones, and the feed goes on. Lost connections are
     * retried with backoff and miss nothing, since each read is compared with the last.
     *
     * @throws StoreUnavailableException when the first read of the prefix fails
     */
    @Override
    public Optional<AutoCloseable> watch(String prefix, long afterRevision, ChangeListener listener) {
        requireNonNull(prefix, "prefix");
        requireNonNull(listener, "listener");
        checkOpen();
        Snapshot start = scannedAt(prefix, afterRevision);
        if (start == null) {
            // Read here, on the caller's thread, so that every change made after watch() returns
            // is seen against this state.
            start = read(http, prefix, List.of());
        }
        Duration wait = config.watchWait();
        // Consul adds up to wait/16 of jitter to a blocking query; the answer then still needs
        // the ordinary timeout to arrive.
        Duration socketTimeout = wait.plus(wait.dividedBy(16)).plus(config.timeout());
        ConsulWatch watch = new ConsulWatch(this, ConsulHttp.open(config, socketTimeout), prefix, afterRevision, start, listener,
                config.watchInterval(), wait);
        watches.add(watch);
        if (closed.get()) {
            watch.close();
            checkOpen();
        }
        watch.start();
        return Optional.of(watch);
    }

    /** Checks that Consul has a leader, in the configured datacenter, within the timeout. */
    @Override
    public void ping() {
        checkOpen();
        String what = "ping";
        ConsulHttp.Answer answer = http.get(what, "/v1/status/leader", List.of());
        if (!answer.ok()) {
            throw http.failure(what, answer);
        }
        String leader = answer.body() == null ? "" : answer.body().replace("\"", "").strip();
        if (leader.isEmpty()) {
            throw new StoreUnavailableException("Consul at " + http.baseUrl() + " has no cluster leader");
        }
    }

    @Override
    public String describe() {
        return "consul " + http.baseUrl() + config.datacenter().map(dc -> " datacenter " + dc).orElse("")
                + (config.token().isPresent() ? " with an ACL token" : "");
    }

    /** Stops every watch and closes the connections; calls after this throw {@link IllegalStateException}. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            for (ConsulWatch watch : watches) {
                watch.close();
            }
            http.close();
        }
    }

    @Override
    public String toString() {
        return describe();
    }

    /** The keys under {@code prefix} sorted by key, and the read's X-Consul-Index. */
    record Snapshot(List<KeyValue> entries, long index) {}

    /** A key as a key-names read gives it: an empty value, version 0. */
    static KeyValue nameOnly(String key) {
        return new KeyValue(key, "", 0);
    }

    /** A consistent read of everything under {@code prefix}; {@code extra} adds blocking parameters. */
    static Snapshot read(ConsulHttp http, String prefix, List<String> extra) {
        return read(http, prefix, extra, false);
    }

    /**
     * A consistent read of the key names under {@code prefix} ({@code ?keys}): entries with empty
     * values and version 0, sorted by key, and the read's X-Consul-Index. A few dozen bytes a key
     * instead of the whole record, for watches that follow only which keys exist.
     */
    static Snapshot readKeys(ConsulHttp http, String prefix, List<String> extra) {
        return read(http, prefix, extra, true);
    }

    private static Snapshot read(ConsulHttp http, String prefix, List<String> extra, boolean namesOnly) {
        String what = (namesOnly ? "read of the keys under " : "read of prefix ") + prefix;
        List<String> params = new ArrayList<>(extra.size() + 2);
        params.add(namesOnly ? "keys" : "recurse");
        params.add("consistent");
        params.addAll(extra);
        ConsulHttp.Answer answer = http.get(what, "/v1/kv/" + ConsulHttp.pathOf(prefix), params);
        if (answer.status() == 404) {
            return new Snapshot(List.of(), answer.index());
        }
        if (!answer.ok()) {
            throw http.failure(what, answer);
        }
        List<KeyValue> entries = new ArrayList<>();
        if (namesOnly) {
            ConsulJson.keys(answer.body(), http.baseUrl()).forEach(key -> entries.add(nameOnly(key)));
        } else {
            entries.addAll(ConsulJson.entries(answer.body(), http.baseUrl()));
        }
        // Consul sends them sorted already; sorting again costs little and makes paging safe.
        entries.sort(Comparator.comparing(KeyValue::key, KEY_ORDER));
        return new Snapshot(entries, answer.index());
    }

    /** The state of {@code prefix} at {@code revision} if a recent scan read exactly that, taken out of the cache. */
    private Snapshot scannedAt(String prefix, long revision) {
        synchronized (scanned) {
            SoftReference<Snapshot> ref = scanned.get(prefix);
            Snapshot snapshot = ref == null ? null : ref.get();
            if (snapshot == null || snapshot.index() != revision) {
                return null;
            }
            scanned.remove(prefix);
            return snapshot;
        }
    }

    void forget(ConsulWatch watch) {
        watches.remove(watch);
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("Consul store for " + http.baseUrl() + " is closed");
        }
    }

    private static String describe(List<Condition> checks, List<Operation> writes) {
        List<String> keys = new ArrayList<>();
        writes.forEach(w -> keys.add(w instanceof Operation.Put p ? p.key() : w instanceof Operation.Delete d ? d.key()
                : ((Operation.DeletePrefix) w).prefix() + "*"));
        if (keys.isEmpty()) {
            checks.forEach(c -> keys.add(c.key()));
        }
        String text = String.join(", ", keys.subList(0, Math.min(3, keys.size())));
        return keys.size() > 3 ? text + " and " + (keys.size() - 3) + " more" : text;
    }

}
