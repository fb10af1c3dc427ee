package net.allocator.inmemory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import net.allocator.core.StoreUnavailableException;
import net.allocator.core.store.ChangeListener;
import net.allocator.core.store.Condition;
import net.allocator.core.store.KeyValue;
import net.allocator.core.store.KeyValueStore;
import net.allocator.core.store.Operation;
import net.allocator.core.store.ScanPage;

/**
 * A {@link KeyValueStore} in this process's memory: the REST service's default and the store
 * for tests. Every operation takes one lock, so each is linearizable; several allocators in one
 * process may share one instance. Nothing survives the process.
 */
public final class InMemoryKeyValueStore implements KeyValueStore {
    /** How many recent changes a new watch can replay. */
    private static final int HISTORY = 65_536;

    /**
     * How many written keys may wait before the sorted map is brought up to date without a scan:
     * bounds the extra memory while a scan-free workload (allocate, release) runs.
     */
    private static final int MAX_UNSORTED = 16_384;

    private final Object lock = new Object();
    /** Every key, for point reads and conditions in O(1) whatever the store's size. */
    private final HashMap<String, KeyValue> index = new HashMap<>();
    /**
     * The same keys in order, for scans, except those in {@link #unsorted}. Only scans need the
     * order, so a write leaves it to the next scan: in a network of millions of keys, a tree
     * insert or removal on every write would cost more than the rest of an allocation, and an
     * address allocated and released in between never reaches the tree.
     */
    private final TreeMap<String, KeyValue> sorted = new TreeMap<>();
    private HashSet<String> unsorted = new HashSet<>();
    private final Deque<Change> history = new ArrayDeque<>();
    /** Replaced, never changed in place, so that a delivery walks a fixed array without a lock of its own. */
    private volatile Watcher[] watchers = {};
    private long revision;
    private volatile boolean closed;

    private record Change(String key, String value, long revision) {}

    @Override
    public Optional<KeyValue> get(String key) {
        synchronized (lock) {
            checkOpen();
            return Optional.ofNullable(index.get(key));
        }
    }

    @Override
    public ScanPage scan(String prefix, String startAfter, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        synchronized (lock) {
            checkOpen();
            sortWritten();
            NavigableMap<String, KeyValue> range = startAfter == null || startAfter.compareTo(prefix) < 0
                    ? sorted.tailMap(prefix, true)
                    : sorted.tailMap(startAfter, false);
            List<KeyValue> page = new ArrayList<>(Math.min(limit, 1024));
            boolean more = false;
            for (KeyValue kv : range.values()) {
                if (!kv.key().startsWith(prefix)) {
                    break;
                }
                if (page.size() == limit) {
                    more = true;
                    break;
                }
                page.add(kv);
            }
            return new ScanPage(page, more, revision);
        }
    }

    @Override
    public boolean commit(List<Condition> conditions, List<Operation> operations) {
        synchronized (lock) {
            checkOpen();
            // indexed loops: iterators are allocated on every commit otherwise
            for (int i = 0; i < conditions.size(); i++) {
                Condition condition = conditions.get(i);
                KeyValue current = index.get(condition.key());
                boolean holds = condition instanceof Condition.AtVersion at
                        ? current != null && current.version() == at.version()
                        : current == null;
                if (!holds) {
                    return false;
                }
            }
            long at = ++revision;
            for (int i = 0; i < operations.size(); i++) {
                Operation operation = operations.get(i);
                if (operation instanceof Operation.Put put) {
                    index.put(put.key(), new KeyValue(put.key(), put.value(), at));
                    written(put.key());
                    record(new Change(put.key(), put.value(), at));
                } else if (operation instanceof Operation.Delete delete) {
                    if (index.remove(delete.key()) != null) {
                        written(delete.key());
                        record(new Change(delete.key(), null, at));
                    }
                } else if (operation instanceof Operation.DeletePrefix deletePrefix) {
                    sortWritten();
                    NavigableMap<String, KeyValue> doomed = sorted.subMap(deletePrefix.prefix(), true,
                            deletePrefix.prefix() + Character.MAX_VALUE, true);
                    for (String key : List.copyOf(doomed.keySet())) {
                        sorted.remove(key);
                        index.remove(key);
                        record(new Change(key, null, at));
                    }
                }
            }
            return true;
        }
    }

    private void written(String key) {
        unsorted.add(key);
        if (unsorted.size() > MAX_UNSORTED) {
            sortWritten();
        }
    }

    /** Brings the sorted map up to date with the keys written since it last was. */
    private void sortWritten() {
        for (String key : unsorted) {
            KeyValue current = index.get(key);
            if (current == null) {
                sorted.remove(key);
            } else {
                sorted.put(key, current);
            }
        }
        // clear() walks the whole table, which a large batch has grown: start small again instead
        unsorted = unsorted.size() > 1024 ? new HashSet<>() : unsorted;
        unsorted.clear();
    }

    private void record(Change change) {
        history.addLast(change);
        if (history.size() > HISTORY) {
            history.removeFirst();
        }
        Watcher[] current = watchers;
        for (int i = 0; i < current.length; i++) {
            current[i].deliver(change);
        }
    }

    /**
     * Delivers changes on the committing thread, under the store's lock, so they arrive in
     * order; listeners must be quick and must not call the store.
     */
    @Override
    public Optional<AutoCloseable> watch(String prefix, long afterRevision, ChangeListener listener) {
        synchronized (lock) {
            checkOpen();
            Watcher watcher = new Watcher(prefix, listener);
            Change oldest = history.peekFirst();
            if (oldest != null && oldest.revision() > afterRevision + 1 && afterRevision < revision) {
                listener.onReset(new IllegalStateException("changes after revision " + afterRevision + " are forgotten"));
                return Optional.of(() -> {});
            }
            for (Change change : history) {
                if (change.revision() > afterRevision) {
                    watcher.deliver(change);
                }
            }
            watchers = plus(watchers, watcher);
            return Optional.of(() -> {
                synchronized (lock) {
                    watchers = minus(watchers, watcher);
                }
            });
        }
    }

    @Override
    public void ping() {
        checkOpen();
    }

    @Override
    public String describe() {
        return "in-memory";
    }

    @Override
    public void close() {
        closed = true;
        synchronized (lock) {
            watchers = new Watcher[0];
        }
    }

    /** How many keys the store holds. */
    public int size() {
        synchronized (lock) {
            return index.size();
        }
    }

    /** A copy of every key and value, for tests that compare the store before and after. */
    public Map<String, String> dump() {
        synchronized (lock) {
            Map<String, String> out = new TreeMap<>();
            index.forEach((key, kv) -> out.put(key, kv.value()));
            return out;
        }
    }

    private static Watcher[] plus(Watcher[] all, Watcher added) {
        Watcher[] out = Arrays.copyOf(all, all.length + 1);
        out[all.length] = added;
        return out;
    }

    private static Watcher[] minus(Watcher[] all, Watcher removed) {
        return Arrays.stream(all).filter(w -> w != removed).toArray(Watcher[]::new);
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreUnavailableException("the in-memory store is closed");
        }
    }

    private record Watcher(String prefix, ChangeListener listener) {
        void deliver(Change change) {
            if (!change.key().startsWith(prefix)) {
                return;
            }
            if (change.value() == null) {
                listener.onDelete(change.key(), change.revision());
            } else {
                listener.onPut(change.key(), change.value(), change.revision());
            }
        }
    }
}
