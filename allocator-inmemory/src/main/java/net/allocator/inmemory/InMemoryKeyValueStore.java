package net.allocator.inmemory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
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

    private final Object lock = new Object();
    /** Every key, sorted, for scans. */
    private final TreeMap<String, KeyValue> data = new TreeMap<>();
    /** The same keys, for point reads and conditions in O(1) whatever the store's size. */
    private final HashMap<String, KeyValue> index = new HashMap<>();
    private final Deque<Change> history = new ArrayDeque<>();
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
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
            NavigableMap<String, KeyValue> range = startAfter == null || startAfter.compareTo(prefix) < 0
                    ? data.tailMap(prefix, true)
                    : data.tailMap(startAfter, false);
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
            for (Condition condition : conditions) {
                KeyValue current = index.get(condition.key());
                boolean holds = condition instanceof Condition.AtVersion at
                        ? current != null && current.version() == at.version()
                        : current == null;
                if (!holds) {
                    return false;
                }
            }
            long at = ++revision;
            for (Operation operation : operations) {
                if (operation instanceof Operation.Put put) {
                    KeyValue stored = new KeyValue(put.key(), put.value(), at);
                    data.put(put.key(), stored);
                    index.put(put.key(), stored);
                    record(new Change(put.key(), put.value(), at));
                } else if (operation instanceof Operation.Delete delete) {
                    if (index.remove(delete.key()) != null) {
                        data.remove(delete.key());
                        record(new Change(delete.key(), null, at));
                    }
                } else if (operation instanceof Operation.DeletePrefix deletePrefix) {
                    NavigableMap<String, KeyValue> doomed = data.subMap(deletePrefix.prefix(), true,
                            deletePrefix.prefix() + Character.MAX_VALUE, true);
                    for (String key : List.copyOf(doomed.keySet())) {
                        data.remove(key);
                        index.remove(key);
                        record(new Change(key, null, at));
                    }
                }
            }
            return true;
        }
    }

    private void record(Change change) {
        history.addLast(change);
        if (history.size() > HISTORY) {
            history.removeFirst();
        }
        for (Watcher watcher : watchers) {
            watcher.deliver(change);
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
            watchers.add(watcher);
            return Optional.of(() -> watchers.remove(watcher));
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
        watchers.clear();
    }

    /** How many keys the store holds. */
    public int size() {
        synchronized (lock) {
            return data.size();
        }
    }

    /** A copy of every key and value, for tests that compare the store before and after. */
    public Map<String, String> dump() {
        synchronized (lock) {
            Map<String, String> out = new TreeMap<>();
            data.forEach((key, kv) -> out.put(key, kv.value()));
            return out;
        }
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
